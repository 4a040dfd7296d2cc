/**
 * What a scene file says about where it came from, beside the Gaussians: the capture cameras (pose +
 * pinhole intrinsics, so a viewer can start from a real viewpoint) and the world transform the
 * reconstruction applied (capture frame -> app frame: y up, floor at y = 0). Small: ~200 bytes a camera.
 * Stored as JSON in every scene format (docs/FORMATS.md); `parseSceneInfo` checks what a file claims.
 */
import { SceneFileError } from './binary-guards';

export interface CaptureCamera {
  id: string;
  /** Camera-to-world in the scene's frame, column-major 4x4 (camera looks down -z, y up). */
  cameraToWorld: number[];
  /** Pinhole intrinsics in pixels of an image of width x height (distortion is not kept). */
  intrinsics: { fx: number; fy: number; cx: number; cy: number; width: number; height: number };
}

export interface SceneWorld {
  /** Capture frame -> scene frame, column-major 4x4 (rotation + translation). */
  matrix: number[];
  /** Where up came from: the capture's gravity, the dominant horizontal plane, the cameras' mean up, or none (kept as captured). */
  upSource: 'capture' | 'plane' | 'cameras' | 'none';
  /** Where the floor came from: a horizontal plane, a stated height below the cameras, or none. */
  floorSource: 'plane' | 'below-cameras' | 'none';
}

/** The depth-to-colour registration the reconstruction decided (device depth only; the cameras already carry its intrinsics). */
export interface SceneColourRegistration {
  status: 'applied' | 'kept' | 'skipped';
  reason: string;
  /** Colour intrinsics given by the capture and in effect, pixels of width x height. */
  given: { fx: number; fy: number; cx: number; cy: number; width: number; height: number };
  intrinsics: { fx: number; fy: number; cx: number; cy: number; width: number; height: number };
  /** Mean ZNCC between keyframes with the given and the estimated camera (null when skipped). */
  before: number | null;
  after: number | null;
}

export interface SceneInfo {
  cameras: CaptureCamera[];
  world?: SceneWorld;
  colourRegistration?: SceneColourRegistration;
}

/** At most this many cameras are kept in a file (a long scan keeps an even spread). */
export const MAX_STORED_CAMERAS = 1024;

const finite = (a: unknown, n: number): a is number[] => Array.isArray(a) && a.length === n && a.every((v) => typeof v === 'number' && Number.isFinite(v));

/** JSON-ready copy (numbers rounded to float32-ish precision to keep files small). */
export function sceneInfoToJson(info: SceneInfo): Record<string, unknown> {
  const r = (v: number) => Number(v.toPrecision(8));
  let cams = info.cameras;
  if (cams.length > MAX_STORED_CAMERAS) cams = Array.from({ length: MAX_STORED_CAMERAS }, (_, k) => cams[Math.floor((k * cams.length) / MAX_STORED_CAMERAS)]);
  const out: Record<string, unknown> = {
    cameras: cams.map((c) => ({
      id: c.id,
      cameraToWorld: c.cameraToWorld.map(r),
      intrinsics: { fx: r(c.intrinsics.fx), fy: r(c.intrinsics.fy), cx: r(c.intrinsics.cx), cy: r(c.intrinsics.cy), width: c.intrinsics.width, height: c.intrinsics.height },
    })),
  };
  if (info.world) out.world = { matrix: info.world.matrix.map(r), upSource: info.world.upSource, floorSource: info.world.floorSource };
  const cr = info.colourRegistration;
  if (cr) {
    const k = (i: SceneColourRegistration['given']) => ({ fx: r(i.fx), fy: r(i.fy), cx: r(i.cx), cy: r(i.cy), width: i.width, height: i.height });
    const num = (v: number | null) => (v === null || !Number.isFinite(v) ? null : r(v));
    out.colourRegistration = { status: cr.status, reason: cr.reason, given: k(cr.given), intrinsics: k(cr.intrinsics), before: num(cr.before), after: num(cr.after) };
  }
  return out;
}

/** Validates what a file claims; throws SceneFileError naming the first bad field. */
export function parseSceneInfo(format: string, v: unknown): SceneInfo {
  const bad = (what: string): never => {
    throw new SceneFileError(format, `scene info: ${what}`);
  };
  if (!v || typeof v !== 'object' || Array.isArray(v)) bad('is not an object');
  const o = v as Record<string, unknown>;
  if (!Array.isArray(o.cameras)) bad('"cameras" is not an array');
  const list = o.cameras as unknown[];
  if (list.length > MAX_STORED_CAMERAS) bad(`${list.length} cameras, more than ${MAX_STORED_CAMERAS}`);
  const cameras: CaptureCamera[] = list.map((c, i) => {
    if (!c || typeof c !== 'object') bad(`camera ${i} is not an object`);
    const cc = c as Record<string, unknown>;
    if (typeof cc.id !== 'string' || cc.id.length > 256) bad(`camera ${i} id is not a string`);
    if (!finite(cc.cameraToWorld, 16)) bad(`camera ${i} cameraToWorld is not 16 finite numbers`);
    const k = cc.intrinsics as Record<string, unknown> | undefined;
    if (!k || typeof k !== 'object') bad(`camera ${i} has no intrinsics`);
    for (const f of ['fx', 'fy', 'cx', 'cy'] as const) if (typeof k![f] !== 'number' || !Number.isFinite(k![f])) bad(`camera ${i} intrinsics.${f} is not a finite number`);
    if (!((k!.fx as number) > 0 && (k!.fy as number) > 0)) bad(`camera ${i} focal lengths must be positive`);
    for (const f of ['width', 'height'] as const) if (!Number.isInteger(k![f]) || (k![f] as number) < 1 || (k![f] as number) > 65536) bad(`camera ${i} intrinsics.${f} is not an image size`);
    return {
      id: cc.id as string,
      cameraToWorld: [...(cc.cameraToWorld as number[])],
      intrinsics: { fx: k!.fx as number, fy: k!.fy as number, cx: k!.cx as number, cy: k!.cy as number, width: k!.width as number, height: k!.height as number },
    };
  });
  const info: SceneInfo = { cameras };
  if (o.world !== undefined) {
    const w = o.world as Record<string, unknown>;
    if (!w || typeof w !== 'object') bad('"world" is not an object');
    if (!finite(w.matrix, 16)) bad('world.matrix is not 16 finite numbers');
    if (!['capture', 'plane', 'cameras', 'none'].includes(w.upSource as string)) bad(`world.upSource "${String(w.upSource)}" is not capture, plane, cameras or none`);
    if (!['plane', 'below-cameras', 'none'].includes(w.floorSource as string)) bad(`world.floorSource "${String(w.floorSource)}" is not plane, below-cameras or none`);
    info.world = { matrix: [...(w.matrix as number[])], upSource: w.upSource as SceneWorld['upSource'], floorSource: w.floorSource as SceneWorld['floorSource'] };
  }
  if (o.colourRegistration !== undefined) {
    const c = o.colourRegistration as Record<string, unknown>;
    if (!c || typeof c !== 'object') bad('"colourRegistration" is not an object');
    if (!['applied', 'kept', 'skipped'].includes(c.status as string)) bad(`colourRegistration.status "${String(c.status)}" is not applied, kept or skipped`);
    if (typeof c.reason !== 'string' || c.reason.length > 1000) bad('colourRegistration.reason is not a string');
    const k = (name: string) => {
      const v = c[name] as Record<string, unknown> | undefined;
      if (!v || typeof v !== 'object') bad(`colourRegistration.${name} is not an object`);
      for (const f of ['fx', 'fy', 'cx', 'cy'] as const) if (typeof v![f] !== 'number' || !Number.isFinite(v![f])) bad(`colourRegistration.${name}.${f} is not a finite number`);
      for (const f of ['width', 'height'] as const) if (!Number.isInteger(v![f]) || (v![f] as number) < 1 || (v![f] as number) > 65536) bad(`colourRegistration.${name}.${f} is not an image size`);
      return { fx: v!.fx as number, fy: v!.fy as number, cx: v!.cx as number, cy: v!.cy as number, width: v!.width as number, height: v!.height as number };
    };
    const score = (name: string) => {
      const v = c[name];
      if (v !== null && (typeof v !== 'number' || !Number.isFinite(v))) bad(`colourRegistration.${name} is not a number or null`);
      return v as number | null;
    };
    info.colourRegistration = { status: c.status as SceneColourRegistration['status'], reason: c.reason as string, given: k('given'), intrinsics: k('intrinsics'), before: score('before'), after: score('after') };
  }
  return info;
}
