/**
 * Test-only WebXR emulation, switched on by a query flag and nothing else:
 *
 *   /scan?xr-emulate=quest3&room=living_room
 *
 * installs the iwer runtime (emulated Meta Quest 3, stereo) over the browser's own navigator.xr and
 * loads an @iwer/sem synthetic room from /xr-rooms/<room>.json (copied from
 * node_modules/@iwer/sem/captures at build time by scripts/copy-ort.mjs; iwer's UMD loader would
 * fetch from a CDN, which tests must not depend on). Without the flag nothing here is loaded:
 * iwer and @iwer/sem are dynamic imports, so production pages never download them.
 */
import type { XRDevice } from 'iwer';

export const XR_EMULATE_PARAM = 'xr-emulate';
export const XR_ROOM_PARAM = 'room';
export const XR_READBACKS_PARAM = 'emulator-readbacks';
export const XR_ROOMS = ['living_room', 'meeting_room', 'music_room', 'office_large', 'office_small'] as const;
export type XrRoom = (typeof XR_ROOMS)[number];

export interface XrEmulationRequest {
  device: 'quest3';
  /**
   * BENCH baseline (&emulator-readbacks=on): keep the emulator's per-frame synchronous GL reads as iwer does
   * them (clear values read back; with the test camera, depth sensing asked for too), to measure what
   * leaving them out saves (`npm run bench -- --only scan-main-thread`).
   */
  readbacks?: boolean;
  /** Synthetic room, or null for an empty world (no planes, meshes or passthrough). */
  room: XrRoom | null;
}

/** Parses the flag from a location.search string; null when emulation was not asked for. */
export function parseXrEmulationFlag(search: string): XrEmulationRequest | null {
  const params = new URLSearchParams(search);
  const device = params.get(XR_EMULATE_PARAM);
  if (device === null) return null;
  if (device !== 'quest3') throw new Error(`${XR_EMULATE_PARAM}=${device}: only "quest3" is supported`);
  const rb = params.get(XR_READBACKS_PARAM);
  if (rb !== null && rb !== 'on') throw new Error(`${XR_READBACKS_PARAM}=${rb}: only "on" is supported`);
  const extra = rb === 'on' ? { readbacks: true } : {};
  const room = params.get(XR_ROOM_PARAM);
  if (room === null || room === '' || room === 'none') return { device, room: null, ...extra };
  if (!(XR_ROOMS as readonly string[]).includes(room))
    throw new Error(`${XR_ROOM_PARAM}=${room}: unknown room (expected one of ${XR_ROOMS.join(', ')})`);
  return { device, room: room as XrRoom, ...extra };
}

let installed: Promise<XRDevice> | null = null;

const COLOR_CLEAR_VALUE = 0x0c22;
const DEPTH_CLEAR_VALUE = 0x0b73;
const STENCIL_CLEAR_VALUE = 0x0b91;

interface ClearValues {
  color: Float32Array;
  depth: number;
  stencil: number;
}

/**
 * iwer clears the layer at the start of every immersive XR frame and, to restore the page's clear values
 * afterwards, reads them with getParameter(COLOR/DEPTH/STENCIL_CLEAR_VALUE) (iwer XRSession onDeviceFrame).
 * In Chromium each read is a synchronous round trip to the GPU process, so the frame's first task waits there
 * until the GPU finished everything queued before: on SwiftShader, the previous frame's splats, seconds
 * (docs/SCAN.md "Main thread during the live scan"). Emulation only (a device runs no iwer): those three
 * values are answered from a copy kept as the page sets them, which is what the GPU would answer.
 */
export function shadowClearValues(proto: WebGLRenderingContext | WebGL2RenderingContext): void {
  const p = proto as unknown as Record<string, unknown> & { __segsplatClearShadow?: true };
  if (p.__segsplatClearShadow) return;
  p.__segsplatClearShadow = true;
  const clearColor = p.clearColor as (r: number, g: number, b: number, a: number) => void;
  const clearDepth = p.clearDepth as (d: number) => void;
  const clearStencil = p.clearStencil as (s: number) => void;
  const getParameter = p.getParameter as (pname: number) => unknown;
  const values = new WeakMap<object, ClearValues>();
  // A context may have set its values before this was installed: they are read from it once.
  const of = (gl: object): ClearValues => {
    let v = values.get(gl);
    if (!v) {
      const real = (pname: number) => getParameter.call(gl, pname);
      v = { color: Float32Array.from((real(COLOR_CLEAR_VALUE) as Float32Array | null) ?? [0, 0, 0, 0]), depth: Number(real(DEPTH_CLEAR_VALUE) ?? 1), stencil: Number(real(STENCIL_CLEAR_VALUE) ?? 0) };
      values.set(gl, v);
    }
    return v;
  };
  p.clearColor = function (this: object, r: number, g: number, b: number, a: number) {
    of(this).color.set([r, g, b, a]);
    clearColor.call(this, r, g, b, a);
  };
  p.clearDepth = function (this: object, d: number) {
    of(this).depth = Math.min(1, Math.max(0, d));
    clearDepth.call(this, d);
  };
  p.clearStencil = function (this: object, st: number) {
    of(this).stencil = st | 0;
    clearStencil.call(this, st);
  };
  p.getParameter = function (this: WebGLRenderingContext, pname: number) {
    if ((pname === COLOR_CLEAR_VALUE || pname === DEPTH_CLEAR_VALUE || pname === STENCIL_CLEAR_VALUE) && !this.isContextLost()) {
      const v = of(this);
      return pname === COLOR_CLEAR_VALUE ? v.color.slice() : pname === DEPTH_CLEAR_VALUE ? v.depth : v.stencil;
    }
    return getParameter.call(this, pname);
  };
}

/**
 * Installs the emulator once per page (later calls return the same device). Resolves after the
 * room JSON is loaded so that the first session already sees planes, meshes and depth.
 */
export function installXrEmulation(req: XrEmulationRequest): Promise<XRDevice> {
  installed ??= (async () => {
    const [{ XRDevice, metaQuest3 }, { SyntheticEnvironmentModule }] = await Promise.all([import('iwer'), import('@iwer/sem')]);
    if (!req.readbacks) for (const C of [globalThis.WebGLRenderingContext, globalThis.WebGL2RenderingContext]) if (C) shadowClearValues(C.prototype);
    const device = new XRDevice(metaQuest3, { stereoEnabled: true });
    // Hands first (tests that need controllers switch primaryInputMode through the device hook).
    device.primaryInputMode = 'hand';
    // Chromium ships its own navigator.xr (with no device behind it): replace it.
    device.installRuntime({ forceInstall: true });
    if (req.room) {
      device.installSEM(SyntheticEnvironmentModule);
      const res = await fetch(`/xr-rooms/${req.room}.json`);
      if (!res.ok) throw new Error(`XR emulation: room ${req.room} not found (HTTP ${res.status}); run the build to copy @iwer/sem captures`);
      device.sem!.loadEnvironment(await res.json());
    }
    // TEST-ONLY hook, like the emulator itself (only under ?xr-emulate): browser tests move the
    // emulated head, controllers and hands through it.
    Object.assign(globalThis, { __segsplatXrDevice: device });
    return device;
  })();
  return installed;
}

/** Reads the flag from the current page and installs the emulator if asked; null otherwise. */
export async function maybeInstallXrEmulation(): Promise<XRDevice | null> {
  if (typeof window === 'undefined') return null;
  const req = parseXrEmulationFlag(window.location.search);
  return req ? installXrEmulation(req) : null;
}
