/**
 * WebXR plane / mesh detection -> DeviceEntity (lib/inference/semantics/device-labels.ts): each
 * detected plane's polygon or mesh's vertices, posed into the reference space (local-floor), with its
 * semanticLabel. Typed structurally so it runs on iwer's emulated objects and in Node tests alike.
 */
import { canonicalDeviceLabel, polygonPoints, transformPoints, type DeviceEntity } from '../../inference/semantics/device-labels';

interface PoseLike { transform: { matrix: ArrayLike<number> } }
export interface XrPlaneLike { planeSpace: unknown; polygon: readonly { x: number; y: number; z: number }[]; semanticLabel?: string; orientation?: string }
export interface XrMeshLike { meshSpace: unknown; vertices: Float32Array; indices: Uint32Array; semanticLabel?: string }
export interface XrFrameLike {
  detectedPlanes?: Iterable<XrPlaneLike>;
  detectedMeshes?: Iterable<XrMeshLike>;
  getPose(space: unknown, base: unknown): PoseLike | null | undefined;
}

/** Labelled entities in `refSpace`. Unlabelled ones get label "OTHER" (still useful for alignment). */
export function roomEntitiesFromFrame(frame: XrFrameLike, refSpace: unknown): DeviceEntity[] {
  const out: DeviceEntity[] = [];
  let n = 0;
  for (const p of frame.detectedPlanes ?? []) {
    const pose = frame.getPose(p.planeSpace, refSpace);
    if (!pose || p.polygon.length < 3) continue;
    out.push({ label: canonicalDeviceLabel(p.semanticLabel ?? 'other'), kind: 'plane', points: transformPoints(polygonPoints(p.polygon), pose.transform.matrix), id: `plane-${n++}` });
  }
  for (const m of frame.detectedMeshes ?? []) {
    const pose = frame.getPose(m.meshSpace, refSpace);
    if (!pose || m.vertices.length < 9) continue;
    out.push({ label: canonicalDeviceLabel(m.semanticLabel ?? 'other'), kind: 'mesh', points: transformPoints(m.vertices, pose.transform.matrix), indices: m.indices, id: `mesh-${n++}` });
  }
  return out;
}
