/**
 * The in-XR query panel's logic, without three.js or the DOM (Quest Browser grants no dom-overlay in
 * immersive-ar, so the page's text box cannot be reached in the headset): the panel's layout (text line,
 * answer readout, quick-pick chips, a letter keyboard), where it is put in front of the user, the hit of a
 * pointing ray on it, and what a key does to the typed text.
 *
 * Layout is in canvas pixels (origin top-left, y down) of a PANEL_PX canvas drawn as the panel's texture;
 * the panel is PANEL_PX / PX_PER_M metres, its local frame has the origin at its centre, x right, y up and
 * +z towards the viewer. Matrices are 4x4 column-major like three.js.
 */

/** Canvas size of the panel texture (pixels). */
export const PANEL_PX = { width: 1120, height: 720 } as const;
/** Texture pixels per metre: the panel is 0.56 m × 0.36 m. */
export const PX_PER_M = 2000;
export const PANEL_M = { width: PANEL_PX.width / PX_PER_M, height: PANEL_PX.height / PX_PER_M } as const;

export type KeyKind = 'letter' | 'space' | 'backspace' | 'clear' | 'ask' | 'chip' | 'action' | 'mic';

export interface PanelKey {
  /** 'a'..'z', 'space', 'backspace', 'clear', 'mic', 'ask', 'chip:<n>', or 'action' (the page's one offered action). */
  id: string;
  kind: KeyKind;
  /** Drawn text; for chips also the query they ask. */
  label: string;
  /** Rectangle in canvas pixels. */
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface PanelLayout {
  /** Where the typed text and the readout are drawn (canvas pixels). */
  textBox: { x: number; y: number; w: number; h: number };
  readout: { x: number; y: number; w: number; h: number };
  keys: PanelKey[];
}

const MARGIN = 20;
const GAP = 8;
const CHIP_ROWS = [140, 200];
const CHIP_H = 52;
const KEY_TOP = 264;
const KEY_H = 100;
const LETTER_ROWS = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm'];
/** Chip width from its text (the lib has no font metrics: about 17 px per character at the drawn size). */
export const CHIP_CHAR_PX = 17;
const CHIP_PAD = 36;
const CHIP_MAX_CHARS = 22;

/** The action key may say more than a chip (it is one key, and it must say what it does). */
const ACTION_MAX_CHARS = 40;

/** Shortens a chip's text to what fits on one chip (`max` characters). */
export function chipText(s: string, max = CHIP_MAX_CHARS): string {
  const t = s.trim().replace(/\s+/g, ' ');
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/**
 * The panel's keys for the given chips: an optional action (e.g. "download the semantic model": a headset
 * user cannot reach the page's button inside AR) comes first, then chips flow over two rows (those that do
 * not fit are left out), then three rows of letters (the last ending with backspace) and a row of clear,
 * mic (ask by voice), space, Ask.
 */
export function panelLayout(chips: readonly string[], action: string | null = null): PanelLayout {
  const W = PANEL_PX.width;
  const inner = W - 2 * MARGIN;
  const keys: PanelKey[] = [];
  let row = 0;
  let x = MARGIN;
  const flow = (id: string, kind: 'chip' | 'action', text: string) => {
    const label = chipText(text, kind === 'action' ? ACTION_MAX_CHARS : CHIP_MAX_CHARS);
    if (!label || row >= CHIP_ROWS.length) return;
    const w = Math.min(inner, CHIP_PAD + CHIP_CHAR_PX * label.length);
    if (x + w > W - MARGIN) {
      row++;
      x = MARGIN;
      if (row >= CHIP_ROWS.length) return;
    }
    keys.push({ id, kind, label, x, y: CHIP_ROWS[row], w, h: CHIP_H });
    x += w + GAP;
  };
  if (action) flow('action', 'action', action);
  chips.forEach((c, i) => flow(`chip:${i}`, 'chip', c));
  const kw = (inner - 9 * GAP) / 10;
  LETTER_ROWS.forEach((letters, r) => {
    const y = KEY_TOP + r * (KEY_H + GAP);
    const x0 = MARGIN + r * (kw / 2);
    for (let i = 0; i < letters.length; i++) keys.push({ id: letters[i], kind: 'letter', label: letters[i].toUpperCase(), x: x0 + i * (kw + GAP), y, w: kw, h: KEY_H });
    if (r === 2) {
      const bx = x0 + letters.length * (kw + GAP);
      keys.push({ id: 'backspace', kind: 'backspace', label: '⌫', x: bx, y, w: W - MARGIN - bx, h: KEY_H });
    }
  });
  const y = KEY_TOP + 3 * (KEY_H + GAP);
  const clearW = 2 * kw + GAP;
  const micW = 2 * kw + GAP;
  const askW = 3 * kw + 2 * GAP;
  keys.push({ id: 'clear', kind: 'clear', label: 'clear', x: MARGIN, y, w: clearW, h: KEY_H });
  keys.push({ id: 'mic', kind: 'mic', label: '🎤 speak', x: MARGIN + clearW + GAP, y, w: micW, h: KEY_H });
  keys.push({ id: 'space', kind: 'space', label: 'space', x: MARGIN + clearW + micW + 2 * GAP, y, w: inner - clearW - micW - askW - 3 * GAP, h: KEY_H });
  keys.push({ id: 'ask', kind: 'ask', label: 'Ask', x: W - MARGIN - askW, y, w: askW, h: KEY_H });
  return {
    textBox: { x: MARGIN, y: 12, w: inner, h: 68 },
    readout: { x: MARGIN, y: 86, w: inner, h: 46 },
    keys,
  };
}

/** Panel-local metres (origin centre, y up) → canvas pixels. */
export function localToPixel(x: number, y: number): [number, number] {
  return [(x + PANEL_M.width / 2) * PX_PER_M, (PANEL_M.height / 2 - y) * PX_PER_M];
}

/** Canvas pixels → panel-local metres (a key's centre for tests and cursors). */
export function pixelToLocal(px: number, py: number): [number, number] {
  return [px / PX_PER_M - PANEL_M.width / 2, PANEL_M.height / 2 - py / PX_PER_M];
}

/** The key under panel-local point (x, y) in metres, or null (gaps and the text lines are no key). */
export function keyAt(layout: PanelLayout, x: number, y: number): PanelKey | null {
  const [px, py] = localToPixel(x, y);
  for (const k of layout.keys) if (px >= k.x && px < k.x + k.w && py >= k.y && py < k.y + k.h) return k;
  return null;
}

// ---- text ----------------------------------------------------------------------------------------------

export const MAX_QUERY_CHARS = 48;

/**
 * What pressing `key` does to `text`: letters append (up to MAX_QUERY_CHARS), space appends one space
 * (never leading or doubled), backspace removes the last character, clear empties; Ask asks the trimmed
 * text (nothing when empty); a chip replaces the text with its query and asks it at once; the action key
 * leaves the text alone and says so (`action: true`: the caller runs the page's action); so does the mic
 * key (`mic: true`: the caller starts or stops listening; the transcript is asked like typed text).
 */
export function pressKey(text: string, key: Pick<PanelKey, 'kind' | 'id' | 'label'>, chipQuery?: string): { text: string; ask: string | null; action?: true; mic?: true } {
  switch (key.kind) {
    case 'letter':
      return { text: text.length < MAX_QUERY_CHARS ? text + key.id : text, ask: null };
    case 'space':
      return { text: text === '' || text.endsWith(' ') || text.length >= MAX_QUERY_CHARS ? text : `${text} `, ask: null };
    case 'backspace':
      return { text: text.slice(0, -1), ask: null };
    case 'clear':
      return { text: '', ask: null };
    case 'ask': {
      const q = text.trim();
      return { text, ask: q || null };
    }
    case 'chip': {
      const q = (chipQuery ?? key.label).trim();
      return { text: q.slice(0, MAX_QUERY_CHARS), ask: q || null };
    }
    case 'action':
      return { text, ask: null, action: true };
    case 'mic':
      return { text, ask: null, mic: true };
    default:
      throw new Error(`pressKey: unknown key kind ${String((key as PanelKey).kind)}`);
  }
}

/**
 * The controller button that talks while held: B on the right controller, Y on the left (xr-standard
 * button 5; button 4, A/X, and the trigger are taken by selecting and placing). Returns whether it is down.
 */
export const TALK_BUTTON = 5;
export function talkButtonDown(gamepad: { mapping: string; buttons: readonly { pressed: boolean }[] } | null | undefined): boolean {
  return !!gamepad && gamepad.mapping === 'xr-standard' && gamepad.buttons.length > TALK_BUTTON && gamepad.buttons[TALK_BUTTON].pressed;
}

// ---- placement and pointing -------------------------------------------------------------------------------

export type Vec3 = readonly [number, number, number];

const sub = (a: Vec3, b: Vec3): [number, number, number] => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const dot = (a: Vec3, b: Vec3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const cross = (a: Vec3, b: Vec3): [number, number, number] => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
function unit(a: Vec3): [number, number, number] {
  const l = Math.hypot(a[0], a[1], a[2]);
  return [a[0] / l, a[1] / l, a[2] / l];
}
const finite = (v: ArrayLike<number>) => Array.prototype.every.call(v, Number.isFinite) as boolean;

export interface PanelPlacement {
  /** Metres ahead of the eyes, horizontally. */
  distance: number;
  /** Metres below the eyes. */
  drop: number;
  /** Metres to the right of the view line (negative: left). */
  side: number;
}
/**
 * 0.6 m ahead, 0.3 m below the eyes and 0.18 m to the left: a right hand pointing straight ahead from the
 * chest (the natural tap that places the scene at the reticle) passes beside the panel (its right edge is
 * 0.1 m left of the view line) instead of being taken by it.
 */
export const DEFAULT_PANEL_PLACEMENT: PanelPlacement = { distance: 0.6, drop: 0.3, side: -0.18 };

/**
 * Panel pose (local → reference space) in front of a viewer at `eye` looking along `forward`: `distance`
 * ahead along the horizontal view direction, `drop` below the eyes, `side` to the right, facing the eyes
 * (turned and tilted towards them, no roll). Looking straight up or down keeps the panel ahead along -z.
 */
export function panelPoseInFront(eye: Vec3, forward: Vec3, placement: PanelPlacement = DEFAULT_PANEL_PLACEMENT): Float64Array {
  if (eye.length !== 3 || forward.length !== 3 || !finite(eye) || !finite(forward)) throw new Error('panelPoseInFront: eye and forward must be 3 finite numbers');
  if (!(placement.distance > 0) || !Number.isFinite(placement.drop) || !Number.isFinite(placement.side))
    throw new Error(`panelPoseInFront: distance must be > 0, drop and side finite, got ${placement.distance}, ${placement.drop}, ${placement.side}`);
  let h: [number, number, number] = [forward[0], 0, forward[2]];
  h = Math.hypot(h[0], h[2]) < 1e-6 ? [0, 0, -1] : unit(h);
  // Right of the horizontal view direction: h × up.
  const r = [-h[2], 0, h[0]];
  const { distance: d, side: sd } = placement;
  const p: Vec3 = [eye[0] + h[0] * d + r[0] * sd, eye[1] - placement.drop, eye[2] + h[2] * d + r[2] * sd];
  const z = unit(sub(eye, p));
  const x = unit(cross([0, 1, 0], z));
  const y = cross(z, x);
  return new Float64Array([x[0], x[1], x[2], 0, y[0], y[1], y[2], 0, z[0], z[1], z[2], 0, p[0], p[1], p[2], 1]);
}

/** A pointing ray from a target-ray pose (origin at its translation, pointing along its -z). */
export function rayFromPose(m: ArrayLike<number>): { origin: [number, number, number]; dir: [number, number, number] } {
  if (m.length !== 16 || !finite(m)) throw new Error('rayFromPose: the pose must be 16 finite numbers');
  return { origin: [m[12], m[13], m[14]], dir: unit([-m[8], -m[9], -m[10]]) };
}

export interface PanelHit {
  /** Panel-local metres. */
  x: number;
  y: number;
  /** Distance along the ray (metres). */
  t: number;
  /** Reference-space point hit. */
  point: [number, number, number];
}

/**
 * Where a ray meets the panel's front face (`panel`: local → reference space, orthonormal), or null when
 * it points away, runs parallel, starts behind the panel or passes outside it (or farther than maxT).
 */
export function rayPanelHit(panel: ArrayLike<number>, origin: Vec3, dir: Vec3, maxT = 5): PanelHit | null {
  const n: Vec3 = [panel[8], panel[9], panel[10]];
  const c: Vec3 = [panel[12], panel[13], panel[14]];
  const dn = dot(dir, n);
  if (dn > -1e-6) return null;
  const t = dot(sub(c, origin), n) / dn;
  if (!(t > 0) || t > maxT) return null;
  const point: [number, number, number] = [origin[0] + dir[0] * t, origin[1] + dir[1] * t, origin[2] + dir[2] * t];
  const d = sub(point, c);
  const x = dot(d, [panel[0], panel[1], panel[2]]);
  const y = dot(d, [panel[4], panel[5], panel[6]]);
  if (Math.abs(x) > PANEL_M.width / 2 || Math.abs(y) > PANEL_M.height / 2) return null;
  return { x, y, t, point };
}

/** Panel-local point (metres, on its plane) → reference space. */
export function panelToWorld(panel: ArrayLike<number>, x: number, y: number): [number, number, number] {
  return [panel[12] + panel[0] * x + panel[4] * y, panel[13] + panel[1] * x + panel[5] * y, panel[14] + panel[2] * x + panel[6] * y];
}

/**
 * Brings the panel back when it has been out of sight: out of view (more than `halfAngleDeg` off the view
 * direction, or farther than `maxDistance`) for `awayMs` in a row → re-centre. Time is given by the caller.
 */
export class PanelSummoner {
  private awaySince: number | null = null;
  constructor(private readonly opts: { awayMs: number; halfAngleDeg: number; maxDistance: number } = { awayMs: 2500, halfAngleDeg: 45, maxDistance: 2.5 }) {}

  /** One frame; true when the panel should be re-centred now. */
  step(nowMs: number, eye: Vec3, forward: Vec3, panelCentre: Vec3): boolean {
    const d = sub(panelCentre, eye);
    const dist = Math.hypot(d[0], d[1], d[2]);
    const f = unit(forward);
    const inView = dist <= this.opts.maxDistance && dist > 1e-6 && dot(d, f) / dist >= Math.cos((this.opts.halfAngleDeg * Math.PI) / 180);
    if (inView) {
      this.awaySince = null;
      return false;
    }
    if (this.awaySince === null) this.awaySince = nowMs;
    if (nowMs - this.awaySince < this.opts.awayMs) return false;
    this.awaySince = null;
    return true;
  }

  reset(): void {
    this.awaySince = null;
  }
}
