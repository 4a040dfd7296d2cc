'use client';
/**
 * The query box inside the AR session (Quest Browser grants no dom-overlay in immersive-ar, so the page's
 * DOM box cannot be reached in the headset): a world-locked panel drawn on a canvas texture with the typed
 * text, a one-line readout of the last answer, quick-pick chips and a letter keyboard. It is put 0.6 m
 * ahead of and 0.3 m below the eyes when the session starts, and comes back in front of the user when it
 * has been out of view for 2.5 s or a thumbstick is clicked.
 *
 * Pointing is raw WebXR (the app draws no @react-three/xr pointers): each input source's target-ray space,
 * controllers and hands alike, is posed with frame.getPose, intersected with the panel (lib/web/view/
 * xr-keyboard.ts) and drawn as a ray with a cursor dot; the key under it is highlighted and a select
 * (trigger / pinch) that starts on the panel presses it. Such a select is claimed (xr-select-claims.ts),
 * so the placement manipulator neither places nor drags the scene with it. Ask (or a chip) calls the
 * page's own `ask`, the same function as the DOM box.
 *
 * Voice: the mic key starts listening (stop on silence, or press it again), and B / Y held on a controller
 * talks while held; the readout says "listening / thinking / heard: ..." and the mic key shows the level.
 * The transcript is asked through the same `ask` (the page's voice input, lib/web/speech/voice-input.ts).
 */
import { useFrame, useThree } from '@react-three/fiber';
import { useEffect, useMemo, useRef, useState } from 'react';
import * as THREE from 'three';
import {
  DEFAULT_PANEL_PLACEMENT,
  keyAt,
  PANEL_M,
  PANEL_PX,
  panelLayout,
  panelPoseInFront,
  PanelSummoner,
  pixelToLocal,
  pressKey,
  rayFromPose,
  rayPanelHit,
  talkButtonDown,
  type PanelKey,
  type PanelLayout,
} from '@/lib/web/view/xr-keyboard';
import type { XrSelectClaims } from '@/lib/web/view/xr-select-claims';
import type { VoiceStatus } from '@/lib/web/speech/voice-input';
import { useVoiceStatus, voiceLine } from '../query/useVoiceStatus';

const MAX_POINTERS = 4;
const PRESS_FLASH_MS = 250;

function roundRect(ctx: CanvasRenderingContext2D, x: number, y: number, w: number, h: number, r: number) {
  ctx.beginPath();
  ctx.roundRect(x, y, w, h, r);
}

function drawPanel(ctx: CanvasRenderingContext2D, layout: PanelLayout, text: string, readout: string, busy: boolean, hover: ReadonlySet<string>, pressed: string, voice: VoiceStatus) {
  const { width: W, height: H } = PANEL_PX;
  ctx.clearRect(0, 0, W, H);
  roundRect(ctx, 2, 2, W - 4, H - 4, 24);
  ctx.fillStyle = 'rgba(14, 18, 24, 0.9)';
  ctx.fill();
  ctx.lineWidth = 3;
  ctx.strokeStyle = '#4a5766';
  ctx.stroke();
  ctx.textBaseline = 'middle';
  // The typed text, with a caret; a hint when empty.
  const tb = layout.textBox;
  roundRect(ctx, tb.x, tb.y, tb.w, tb.h, 12);
  ctx.fillStyle = '#070a0d';
  ctx.fill();
  ctx.font = '600 40px system-ui, sans-serif';
  ctx.textAlign = 'left';
  ctx.fillStyle = text ? '#ffffff' : '#6b7785';
  ctx.fillText(text ? `${text}|` : 'where is the …? type or pick below', tb.x + 18, tb.y + tb.h / 2, tb.w - 36);
  // The answer readout.
  const ro = layout.readout;
  ctx.font = '500 30px system-ui, sans-serif';
  ctx.fillStyle = voice.phase === 'error' ? '#ffb35c' : voice.phase === 'listening' || voice.phase === 'thinking' ? '#cfe0ff' : busy ? '#9fb3c8' : /^(not found|error|semantic model)/.test(readout) ? '#ffb35c' : readout.includes('×') ? '#7dff6a' : '#9fb3c8';
  ctx.fillText(readout, ro.x + 4, ro.y + ro.h / 2, ro.w - 8);
  for (const k of layout.keys) {
    const isPressed = k.id === pressed, isHover = hover.has(k.id);
    roundRect(ctx, k.x, k.y, k.w, k.h, k.kind === 'chip' || k.kind === 'action' ? k.h / 2 : 12);
    const listening = k.kind === 'mic' && voice.phase === 'listening';
    ctx.fillStyle = isPressed ? '#7dff6a' : listening ? '#a3262e' : isHover ? '#3d78e0' : k.kind === 'ask' ? (busy ? '#35503f' : '#2f7d46') : k.kind === 'action' ? '#7a5a12' : k.kind === 'chip' ? '#1f3b4d' : '#28313b';
    ctx.fill();
    if (isHover && !isPressed) {
      ctx.lineWidth = 4;
      ctx.strokeStyle = '#cfe0ff';
      ctx.stroke();
    }
    if (listening) {
      // The level meter: a bar along the mic key's bottom edge.
      ctx.fillStyle = '#7dff6a';
      ctx.fillRect(k.x + 10, k.y + k.h - 16, (k.w - 20) * Math.max(0.04, voice.level), 8);
    }
    ctx.fillStyle = isPressed ? '#0b0e12' : '#f2f5f8';
    ctx.font = k.kind === 'chip' || k.kind === 'action' ? '500 28px system-ui, sans-serif' : k.kind === 'letter' ? '600 42px system-ui, sans-serif' : '600 34px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.fillText(k.kind === 'ask' && busy ? 'asking…' : listening ? '■ stop' : k.kind === 'mic' && voice.phase === 'thinking' ? 'thinking…' : k.label, k.x + k.w / 2, k.y + k.h / 2 + 2, k.w - 12);
  }
}

/** TEST-ONLY view of the panel (set only under the iwer emulator, next to window.__segsplatXrDevice). */
export interface XrPanelTestHook {
  /** Panel local → reference space, column-major. */
  matrix: number[];
  /** Every key's centre in panel-local metres. */
  keys: { id: string; label: string; x: number; y: number }[];
  text: string;
  readout: string;
  /** Hovered key id per input source handedness. */
  hover: Record<string, string | null>;
  presses: number;
  /** Voice input phase (idle / loading / listening / thinking / heard / error). */
  voice: string;
}

export function XrQueryPanel(props: {
  /** The page's ask (the same function as the DOM query box). */
  onAsk: (text: string) => void;
  /** One-line readout of the last answer (lib/web/view/xr-query-lines.ts). */
  readout: string;
  chips: readonly string[];
  busy: boolean;
  claims: XrSelectClaims;
  /** One action key before the chips (the model download: the page's button is out of reach in AR). */
  action?: { label: string; run: () => void } | null;
}) {
  const { chips, busy, claims } = props;
  const [voiceStatus, voice] = useVoiceStatus();
  const vLine = voiceLine(voiceStatus);
  // Voice state replaces the answer line while it matters; once heard, both share the line.
  const readout = voiceStatus.phase === 'heard' ? `${vLine} → ${props.readout}` : voiceStatus.phase !== 'idle' && vLine ? vLine : props.readout;
  const actionLabel = props.action?.label ?? null;
  const gl = useThree((s) => s.gl);
  const layout = useMemo(() => panelLayout(chips, actionLabel), [chips, actionLabel]);
  const [canvas] = useState(() => {
    const c = document.createElement('canvas');
    c.width = PANEL_PX.width;
    c.height = PANEL_PX.height;
    return c;
  });
  const texture = useMemo(() => {
    const t = new THREE.CanvasTexture(canvas);
    t.colorSpace = THREE.SRGBColorSpace;
    t.anisotropy = 4;
    return t;
  }, [canvas]);
  useEffect(() => () => texture.dispose(), [texture]);
  const panel = useRef<THREE.Mesh>(null);
  const pointers = useMemo(
    () =>
      Array.from({ length: MAX_POINTERS }, () => {
        const dot = new THREE.Mesh(new THREE.SphereGeometry(0.006, 12, 8), new THREE.MeshBasicMaterial({ color: '#ffffff', depthTest: false, toneMapped: false }));
        dot.renderOrder = 31;
        const geo = new THREE.BufferGeometry().setAttribute('position', new THREE.Float32BufferAttribute([0, 0, 0, 0, 0, -1], 3));
        const ray = new THREE.Line(geo, new THREE.LineBasicMaterial({ color: '#cfe0ff', transparent: true, opacity: 0.7, depthTest: false, toneMapped: false }));
        ray.renderOrder = 31;
        ray.frustumCulled = false;
        dot.visible = ray.visible = false;
        return { dot, ray };
      }),
    [],
  );
  useEffect(
    () => () => {
      for (const p of pointers) {
        p.dot.geometry.dispose();
        (p.dot.material as THREE.Material).dispose();
        p.ray.geometry.dispose();
        (p.ray.material as THREE.Material).dispose();
      }
    },
    [pointers],
  );

  // Latest props for the event handlers, which are attached once per session.
  const cur = useRef({ onAsk: props.onAsk, layout, busy, chips, action: props.action ?? null, voicePhase: voiceStatus.phase });
  useEffect(() => {
    cur.current = { onAsk: props.onAsk, layout, busy, chips, action: props.action ?? null, voicePhase: voiceStatus.phase };
  });
  const st = useRef({
    text: '',
    pose: null as Float64Array | null,
    session: null as XRSession | null,
    hover: new WeakMap<object, PanelKey | null>(),
    stickDown: new WeakSet<object>(),
    talkDown: new WeakSet<object>(),
    pressed: { id: '', until: 0 },
    presses: 0,
    drawn: '',
    recentre: false,
  });
  const summoner = useRef(new PanelSummoner());

  const [listen] = useState(() => {
    const press = (k: PanelKey) => {
      const s = st.current, c = cur.current;
      const chipQuery = k.kind === 'chip' ? c.chips[Number(k.id.slice(5))] : undefined;
      const r = pressKey(s.text, k, chipQuery);
      s.text = r.text;
      s.pressed = { id: k.id, until: performance.now() + PRESS_FLASH_MS };
      s.presses++;
      if (r.ask && !c.busy) c.onAsk(r.ask);
      if (r.action) c.action?.run();
      if (r.mic) {
        if (c.voicePhase === 'listening') voice.stop();
        else void voice.start((t) => cur.current.onAsk(t));
      }
    };
    const handlers: Record<string, (e: XRInputSourceEvent) => void> = {
      selectstart: (e) => {
        if (!claims.held(e.inputSource)) return;
        const k = st.current.hover.get(e.inputSource);
        if (k) press(k);
      },
      selectend: (e) => claims.released(e.inputSource),
    };
    return (s: XRSession | null, on: boolean) => {
      for (const [type, fn] of Object.entries(handlers)) {
        if (on) s?.addEventListener(type, fn as EventListener);
        else s?.removeEventListener(type, fn as EventListener);
      }
    };
  });
  useEffect(
    () => () => {
      listen(st.current.session, false);
      st.current.session = null;
      claims.reset();
      delete (globalThis as { __segsplatXrPanel?: XrPanelTestHook }).__segsplatXrPanel;
    },
    [listen, claims],
  );

  useFrame((_s, _d, xrFrame) => {
    const frame = xrFrame as XRFrame | undefined;
    const ref = gl.xr.getReferenceSpace();
    const mesh = panel.current;
    const s = st.current;
    if (!frame || !ref || !mesh) return;
    if (s.session !== frame.session) {
      listen(s.session, false);
      claims.reset();
      s.session = frame.session;
      s.pose = null;
      summoner.current.reset();
      listen(s.session, true);
    }
    const now = performance.now();
    const viewer = frame.getViewerPose(ref);
    if (viewer) {
      const m = viewer.transform.matrix;
      const eye = [m[12], m[13], m[14]] as const, fwd = [-m[8], -m[9], -m[10]] as const;
      const away = s.pose ? summoner.current.step(now, eye, fwd, [s.pose[12], s.pose[13], s.pose[14]]) : false;
      if (!s.pose || away || s.recentre) {
        s.pose = panelPoseInFront(eye, fwd, DEFAULT_PANEL_PLACEMENT);
        s.recentre = false;
      }
    }
    const pose = s.pose;
    mesh.visible = !!pose;
    if (!pose) return;
    mesh.matrix.fromArray(pose);
    mesh.matrixWorldNeedsUpdate = true;

    const hovered = new Set<string>();
    const hoverBy: Record<string, string | null> = {};
    let i = 0;
    for (const src of frame.session.inputSources) {
      const p = frame.getPose(src.targetRaySpace, ref);
      let hit = null, origin: readonly number[] | null = null;
      if (p) {
        try {
          const r = rayFromPose(p.transform.matrix);
          origin = r.origin;
          hit = rayPanelHit(pose, r.origin, r.dir);
        } catch {
          hit = null; // a non-finite pose from the runtime: no pointer this frame
        }
      }
      claims.setOver(src, !!hit);
      const key = hit ? keyAt(layout, hit.x, hit.y) : null;
      s.hover.set(src, key);
      if (key) hovered.add(key.id);
      hoverBy[src.handedness] = key?.id ?? null;
      const ptr = pointers[i++];
      if (ptr) {
        ptr.dot.visible = ptr.ray.visible = !!hit;
        if (hit && origin) {
          ptr.dot.position.set(hit.point[0], hit.point[1], hit.point[2]);
          const a = ptr.ray.geometry.getAttribute('position') as THREE.BufferAttribute;
          a.setXYZ(0, origin[0], origin[1], origin[2]);
          a.setXYZ(1, hit.point[0], hit.point[1], hit.point[2]);
          a.needsUpdate = true;
        }
      }
      // A thumbstick click brings the panel back in front of the user.
      const gp = src.gamepad;
      const down = !!gp && gp.mapping === 'xr-standard' && gp.buttons.length > 3 && gp.buttons[3].pressed;
      if (down && !s.stickDown.has(src)) s.recentre = true;
      if (down) s.stickDown.add(src);
      else s.stickDown.delete(src);
      // B / Y held: talk while held.
      const talk = talkButtonDown(gp);
      if (talk && !s.talkDown.has(src)) {
        s.talkDown.add(src);
        void voice.start((t) => cur.current.onAsk(t));
      } else if (!talk && s.talkDown.has(src)) {
        s.talkDown.delete(src);
        voice.stop();
      }
    }
    for (; i < pointers.length; i++) pointers[i].dot.visible = pointers[i].ray.visible = false;

    const pressed = now < s.pressed.until ? s.pressed.id : '';
    const sig = JSON.stringify([s.text, readout, busy, [...hovered].sort(), pressed, layout.keys.length, chips, voiceStatus.phase, Math.round(voiceStatus.level * 20)]);
    if (sig !== s.drawn) {
      const ctx = canvas.getContext('2d');
      if (ctx) {
        drawPanel(ctx, layout, s.text, readout, busy, hovered, pressed, voiceStatus);
        texture.needsUpdate = true;
        s.drawn = sig;
      }
    }
    const g = globalThis as { __segsplatXrDevice?: unknown; __segsplatXrPanel?: XrPanelTestHook };
    if (g.__segsplatXrDevice) {
      g.__segsplatXrPanel = {
        matrix: Array.from(pose),
        keys: layout.keys.map((k) => {
          const [x, y] = pixelToLocal(k.x + k.w / 2, k.y + k.h / 2);
          return { id: k.id, label: k.label, x, y };
        }),
        text: s.text,
        readout,
        hover: hoverBy,
        presses: s.presses,
        voice: voiceStatus.phase,
      };
    }
  });

  return (
    <>
      <mesh ref={panel} matrixAutoUpdate={false} visible={false} renderOrder={30} frustumCulled={false}>
        <planeGeometry args={[PANEL_M.width, PANEL_M.height]} />
        <meshBasicMaterial map={texture} transparent depthTest={false} depthWrite={false} toneMapped={false} side={THREE.DoubleSide} />
      </mesh>
      {pointers.map((p, i) => (
        <group key={i}>
          <primitive object={p.dot} />
          <primitive object={p.ray} />
        </group>
      ))}
    </>
  );
}
