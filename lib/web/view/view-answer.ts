/**
 * One query on /view, both answer sources together: the scene's open-vocabulary answer (SemanticQuery on
 * the scene's bank, in scene coordinates) and the headset's device labels (room coordinates). The scene
 * is placed in the room by a Pose2D (identity until placed/aligned), so scene answers are moved into the
 * room frame before merging; markers and distances are all in the room frame.
 */
import type { QueryAnswer } from '../../inference/semantics/query';
import { mergeAnswers, queryTopic, type DeviceAnswer, type MergedInstance } from '../../inference/semantics/device-labels';
import type { Box3 } from '../../splat/semantic-bank';
import { transformPlan, type Pose2D } from '../../align/pose-2d';

/** A merged answer row, with centroid and box in the room frame (metres). */
export type ViewAnswer = MergedInstance;

/** Scene-frame point/box -> room frame under a gravity-aligned pose (box: AABB of the moved corners). */
export function placePoint(p: readonly number[], pose: Pose2D): [number, number, number] {
  const xz = transformPlan(pose, new Float32Array([p[0], p[2]]));
  return [xz[0], p[1], xz[1]];
}

export function placeBox(b: Box3, pose: Pose2D): Box3 {
  const xs: number[] = [], zs: number[] = [];
  for (const x of [b.min[0], b.max[0]])
    for (const z of [b.min[2], b.max[2]]) {
      const q = placePoint([x, 0, z], pose);
      xs.push(q[0]);
      zs.push(q[2]);
    }
  return { min: [Math.min(...xs), b.min[1], Math.min(...zs)], max: [Math.max(...xs), b.max[1], Math.max(...zs)] };
}

export function combineAnswers(scene: QueryAnswer | null, device: DeviceAnswer | null, pose: Pose2D, dedupeDistance = 0.3): ViewAnswer[] {
  // Banks built without a labeler have empty labels: what the question asks for names what was found.
  const placed = (scene?.instances ?? []).map((i) => ({ label: i.label || queryTopic(scene!.query), score: i.score, centroid: placePoint(i.centroid, pose), box: placeBox(i.box, pose) }));
  return mergeAnswers(placed, device?.instances ?? [], dedupeDistance);
}

/** One line for "not found": the reasons each source gave. */
export function notFoundReason(scene: QueryAnswer | null, sceneNote: string | null, device: DeviceAnswer | null, deviceNote: string | null): string {
  const parts: string[] = [];
  if (scene?.reason) parts.push(`scene: ${scene.reason}`);
  else if (sceneNote) parts.push(`scene: ${sceneNote}`);
  if (device?.reason) parts.push(`room labels: ${device.reason}`);
  else if (deviceNote) parts.push(`room labels: ${deviceNote}`);
  return parts.join('; ');
}
