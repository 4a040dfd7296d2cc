/**
 * The in-XR query panel's logic: layout (chips flow and drop, every key inside the panel, no overlaps),
 * hit testing in panel-local metres, text editing, placement in front of the eyes, ray-panel hits, the
 * re-summon rule, and the chips / readout lines.
 */
import { describe, expect, it } from 'vitest';
import {
  keyAt,
  MAX_QUERY_CHARS,
  PANEL_M,
  PANEL_PX,
  panelLayout,
  panelPoseInFront,
  PanelSummoner,
  panelToWorld,
  pixelToLocal,
  pressKey,
  rayFromPose,
  rayPanelHit,
  talkButtonDown,
  type PanelKey,
} from '../../../lib/web/view/xr-keyboard';
import { answerReadout, deviceLabelWord, quickPicks } from '../../../lib/web/view/xr-query-lines';

const centre = (k: PanelKey) => pixelToLocal(k.x + k.w / 2, k.y + k.h / 2);
const key = (layout: ReturnType<typeof panelLayout>, id: string) => layout.keys.find((k) => k.id === id)!;

describe('panelLayout / keyAt', () => {
  it('has 26 letters, space, backspace, clear, Ask, all inside the panel and not overlapping', () => {
    const l = panelLayout(['lamp', 'couch']);
    expect(l.keys.filter((k) => k.kind === 'letter').map((k) => k.id).sort().join('')).toBe('abcdefghijklmnopqrstuvwxyz');
    for (const id of ['space', 'backspace', 'clear', 'mic', 'ask', 'chip:0', 'chip:1']) expect(key(l, id), id).toBeDefined();
    for (const k of l.keys) {
      expect(k.x).toBeGreaterThanOrEqual(0);
      expect(k.y).toBeGreaterThanOrEqual(0);
      expect(k.x + k.w).toBeLessThanOrEqual(PANEL_PX.width);
      expect(k.y + k.h).toBeLessThanOrEqual(PANEL_PX.height);
      expect(k.w).toBeGreaterThan(40); // ≥ 2 cm: pointable with a ray
    }
    for (const a of l.keys)
      for (const b of l.keys) if (a !== b) expect(a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y, `${a.id} overlaps ${b.id}`).toBe(true);
    // The text line and readout are above every key.
    expect(Math.min(...l.keys.map((k) => k.y))).toBeGreaterThanOrEqual(l.readout.y + l.readout.h);
  });

  it('finds every key at its centre and nothing in the gaps or the text line', () => {
    const l = panelLayout(['where is the lamp', 'table']);
    for (const k of l.keys) {
      const [x, y] = centre(k);
      expect(keyAt(l, x, y)?.id).toBe(k.id);
    }
    const q = key(l, 'q'), w = key(l, 'w');
    const [gx, gy] = pixelToLocal((q.x + q.w + w.x) / 2, q.y + q.h / 2);
    expect(keyAt(l, gx, gy)).toBeNull();
    const [tx, ty] = pixelToLocal(l.textBox.x + 50, l.textBox.y + 20);
    expect(keyAt(l, tx, ty)).toBeNull();
  });

  it('flows chips over two rows and leaves out what does not fit; long ones are shortened', () => {
    const many = Array.from({ length: 30 }, (_, i) => `thing number ${i}`);
    const l = panelLayout(many);
    const chips = l.keys.filter((k) => k.kind === 'chip');
    expect(chips.length).toBeGreaterThan(4);
    expect(chips.length).toBeLessThan(30);
    expect(new Set(chips.map((c) => c.y)).size).toBe(2);
    const long = panelLayout(['a very long question about the lamp in the corner']).keys.find((k) => k.kind === 'chip')!;
    expect(long.label.length).toBeLessThanOrEqual(22);
    expect(long.label.endsWith('…')).toBe(true);
    expect(panelLayout([]).keys.some((k) => k.kind === 'chip')).toBe(false);
  });
  it('puts the offered action first, before the chips, with its whole label; no action, no key', () => {
    const label = '⬇ download semantic model (12.3 MB)';
    const l = panelLayout(['lamp', 'couch'], label);
    const first = l.keys.filter((k) => k.kind === 'chip' || k.kind === 'action');
    expect(first[0]).toMatchObject({ id: 'action', kind: 'action', label });
    expect(first.slice(1).map((k) => k.label)).toEqual(['lamp', 'couch']);
    expect(keyAt(l, ...centre(first[0]))?.id).toBe('action');
    // The action does not overlap the chips and stays inside the panel.
    for (const k of first.slice(1)) expect(k.x >= first[0].x + first[0].w || k.y !== first[0].y).toBe(true);
    expect(first[0].x + first[0].w).toBeLessThanOrEqual(PANEL_PX.width);
    expect(panelLayout(['lamp']).keys.some((k) => k.kind === 'action')).toBe(false);
  });
});

describe('pressKey', () => {
  const l = panelLayout(['where is the lamp']);
  const type = (s: string) => [...s].reduce((t, c) => pressKey(t, c === ' ' ? key(l, 'space') : key(l, c)).text, '');
  it('types letters and single spaces; backspace, clear; Ask asks the trimmed text', () => {
    expect(type('lamp')).toBe('lamp');
    expect(type(' red  lamp ')).toBe('red lamp ');
    expect(pressKey('lamp', key(l, 'backspace')).text).toBe('lam');
    expect(pressKey('', key(l, 'backspace')).text).toBe('');
    expect(pressKey('lamp', key(l, 'clear')).text).toBe('');
    expect(pressKey('red lamp ', key(l, 'ask'))).toEqual({ text: 'red lamp ', ask: 'red lamp' });
    expect(pressKey('  ', key(l, 'ask')).ask).toBeNull();
    expect(pressKey('lamp', key(l, 'q')).ask).toBeNull();
  });
  it('stops at MAX_QUERY_CHARS', () => {
    const full = 'x'.repeat(MAX_QUERY_CHARS);
    expect(pressKey(full, key(l, 'a')).text).toBe(full);
    expect(pressKey(full, key(l, 'space')).text).toBe(full);
  });
  it('a chip asks its full query at once', () => {
    expect(pressKey('abc', key(l, 'chip:0'), 'where is the lamp')).toEqual({ text: 'where is the lamp', ask: 'where is the lamp' });
  });
  it('the action key keeps the text and asks nothing: the caller runs the action', () => {
    const l = panelLayout([], 'download');
    expect(pressKey('lam', key(l, 'action'))).toEqual({ text: 'lam', ask: null, action: true });
    expect(pressKey('lam', key(l, 'a')).action).toBeUndefined();
  });
  it('the mic key keeps the text and asks nothing: the caller starts or stops listening', () => {
    const l = panelLayout([]);
    expect(pressKey('lam', key(l, 'mic'))).toEqual({ text: 'lam', ask: null, mic: true });
    expect(key(l, 'mic').y).toBe(key(l, 'space').y);
  });
  it('talkButtonDown: B / Y (xr-standard button 5) only', () => {
    const pad = (down: number[]) => ({ mapping: 'xr-standard', buttons: Array.from({ length: 7 }, (_, i) => ({ pressed: down.includes(i) })) });
    expect(talkButtonDown(pad([5]))).toBe(true);
    expect(talkButtonDown(pad([0, 4]))).toBe(false);
    expect(talkButtonDown({ mapping: '', buttons: pad([5]).buttons })).toBe(false);
    expect(talkButtonDown({ mapping: 'xr-standard', buttons: [{ pressed: true }] })).toBe(false);
    expect(talkButtonDown(null)).toBe(false);
  });
  it('rejects an unknown key kind', () => {
    expect(() => pressKey('', { kind: 'nope' as never, id: 'x', label: 'x' })).toThrow(/unknown key kind/);
  });
});

describe('panel pose and ray hits', () => {
  it('puts the panel ahead of and below the eyes, facing them, level left-right', () => {
    const eye = [1, 1.6, 2] as const;
    const m = panelPoseInFront(eye, [0, -0.2, -1], { distance: 0.6, drop: 0.3, side: 0 });
    expect(Math.hypot(m[12] - 1, m[14] - 1.4)).toBeCloseTo(0, 9);
    expect(m[13]).toBeCloseTo(1.3, 9);
    // +z (normal) points at the eye, x stays horizontal, axes orthonormal.
    const toEye = [eye[0] - m[12], eye[1] - m[13], eye[2] - m[14]];
    const l = Math.hypot(...toEye);
    for (let i = 0; i < 3; i++) expect(m[8 + i]).toBeCloseTo(toEye[i] / l, 9);
    expect(m[1]).toBeCloseTo(0, 12);
    expect(m[0]).toBeCloseTo(1, 9);
    expect(m[0] * m[4] + m[1] * m[5] + m[2] * m[6]).toBeCloseTo(0, 12);
    // Looking straight down still gives a panel ahead along -z.
    const d = panelPoseInFront(eye, [0, -1, 0]);
    expect(d[14]).toBeCloseTo(1.4, 9);
    expect(() => panelPoseInFront(eye, [NaN, 0, 0])).toThrow(/finite/);
    expect(() => panelPoseInFront(eye, [0, 0, -1], { distance: 0, drop: 0.3, side: 0 })).toThrow(/distance/);
    // The default sits 0.18 m left of the view line (looking along +x here: left is -z), turned to face
    // the eyes, so a right hand pointing straight ahead from the chest passes beside it.
    const def = panelPoseInFront([0, 1.6, 0], [1, 0, 0]);
    expect([def[12], def[13], def[14]].map((v) => +v.toFixed(9))).toEqual([0.6, 1.3, -0.18]);
    expect(def[1]).toBeCloseTo(0, 12);
    expect(rayPanelHit(def, [0.35, 1.2, 0.2], [1, 0, 0])).toBeNull();
    expect(rayPanelHit(def, [0.35, 1.2, -0.2], [1, 0, 0])).not.toBeNull();
  });

  it('a ray from the eye through a key centre hits that key; misses and back faces are null', () => {
    const eye = [0, 1.6, 0] as const;
    const m = panelPoseInFront(eye, [0, 0, -1]);
    const l = panelLayout(['lamp']);
    for (const id of ['a', 'l', 'ask', 'space', 'chip:0']) {
      const [x, y] = centre(key(l, id));
      const p = panelToWorld(m, x, y);
      const o = [0.1, 1.2, 0.1] as const;
      const dir = [p[0] - o[0], p[1] - o[1], p[2] - o[2]];
      const n = Math.hypot(...dir);
      const hit = rayPanelHit(m, o, [dir[0] / n, dir[1] / n, dir[2] / n])!;
      expect(hit, id).not.toBeNull();
      expect(hit.x).toBeCloseTo(x, 9);
      expect(hit.y).toBeCloseTo(y, 9);
      expect(hit.t).toBeCloseTo(n, 9);
      expect(keyAt(l, hit.x, hit.y)?.id).toBe(id);
    }
    const c = [m[12], m[13], m[14]] as const;
    expect(rayPanelHit(m, [0, 1.6, 0], [0, 0, 1])).toBeNull(); // pointing away
    expect(rayPanelHit(m, [c[0] + PANEL_M.width, c[1], 0], [0, -0.45, -0.89])).toBeNull(); // beside it
    expect(rayPanelHit(m, [c[0], c[1], c[2] - 0.5], [0, 0, 1])).toBeNull(); // from behind
  });

  it('rayFromPose: origin at the translation, along -z', () => {
    const r = rayFromPose([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0.2, 1.1, -0.3, 1]);
    expect(r.origin).toEqual([0.2, 1.1, -0.3]);
    expect(r.dir).toEqual([-0, -0, -1]);
    expect(() => rayFromPose([1, 2, 3])).toThrow(/16 finite/);
  });

  it('PanelSummoner re-centres after 2.5 s out of view, not before, and not while in view', () => {
    const s = new PanelSummoner();
    const eye = [0, 1.6, 0] as const;
    const panel = [0, 1.3, -0.6] as const;
    expect(s.step(0, eye, [0, -0.3, -1], panel)).toBe(false);
    expect(s.step(5000, eye, [0, -0.3, -1], panel)).toBe(false);
    // Turned around: away from t = 6000.
    expect(s.step(6000, eye, [0, 0, 1], panel)).toBe(false);
    expect(s.step(8000, eye, [0, 0, 1], panel)).toBe(false);
    // A glance back resets the clock.
    expect(s.step(8100, eye, [0, -0.3, -1], panel)).toBe(false);
    expect(s.step(8200, eye, [0, 0, 1], panel)).toBe(false);
    expect(s.step(10_600, eye, [0, 0, 1], panel)).toBe(false);
    expect(s.step(10_700, eye, [0, 0, 1], panel)).toBe(true);
    // Walked 3 m away while facing it: too far is out of view too.
    expect(s.step(20_000, [0, 1.6, 3], [0, 0, -1], panel)).toBe(false);
    expect(s.step(22_600, [0, 1.6, 3], [0, 0, -1], panel)).toBe(true);
  });
});

describe('chips and readout', () => {
  it('quickPicks: recent first, then room objects (no floor/walls), then scene entries, deduped, capped', () => {
    const chips = quickPicks({ recent: ['where is the lamp', 'sofa', 'tv', 'plant'], roomLabels: ['FLOOR', 'LAMP', 'COUCH', 'WALL_ART', 'GLOBAL_MESH', 'LAMP'], entryLabels: ['background', 'Lamp', 'red chair', ''] });
    expect(chips).toEqual(['where is the lamp', 'sofa', 'tv', 'lamp', 'couch', 'wall art', 'red chair']);
    expect(quickPicks({ roomLabels: ['LAMP', 'TABLE', 'SCREEN'], max: 2 })).toEqual(['lamp', 'table']);
    // WebXR registry names as iwer and Quest Browser report them: canonicalised (shelf -> STORAGE), walls and the global mesh left out.
    expect(quickPicks({ roomLabels: ['GLOBAL MESH', 'WALL', 'SHELF', 'WALL ART', 'lamp', 'COUCH', 'FLOOR', 'TABLE'] })).toEqual(['storage', 'wall art', 'lamp', 'couch', 'table']);
    expect(deviceLabelWord('STORAGE')).toBe('storage');
    expect(deviceLabelWord('SOMETHING_NEW')).toBe('something new');
  });

  it('answerReadout: counts per label and the nearest distance; not found; errors; model notice', () => {
    expect(answerReadout({ asking: false, answer: { text: 'lamp', labels: ['LAMP', 'LAMP'], distances: [2.34, 1.81], notFound: '' } })).toBe('2 × lamp · nearest 1.8 m');
    expect(answerReadout({ asking: false, answer: { text: 'x', labels: ['LAMP', 'red chair', 'TABLE', 'LAMP'], distances: [null, 0.9, 3, null], notFound: '' } })).toBe('2 × lamp, 1 × red chair, 1 × table · nearest 0.9 m');
    expect(answerReadout({ asking: false, answer: { text: 'lamp', labels: ['LAMP'], distances: [], notFound: '' } })).toBe('1 × lamp');
    expect(answerReadout({ asking: false, answer: { text: 'pink', labels: [], distances: [], notFound: 'scene: nothing matches' } })).toBe('not found: scene: nothing matches');
    expect(answerReadout({ asking: true, asked: 'lamp', answer: null })).toBe('asking “lamp”…');
    expect(answerReadout({ asking: false, error: 'boom', answer: null })).toBe('error: boom');
    expect(answerReadout({ asking: false, answer: null, modelMissing: 'semantic model not installed' })).toBe('semantic model not installed');
    expect(answerReadout({ asking: false, answer: null })).toMatch(/type a question/);
  });
});
