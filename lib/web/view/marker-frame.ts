/**
 * Answer markers live in their parent's frame (the room on /view, the anchored scan frame on /scan),
 * while distances and the off-screen arrow are about the user's camera in world coordinates: these
 * convert between the two through the parent's matrixWorld.
 */
import { Matrix4, Quaternion, Vector3 } from 'three';

/** A point of the parent's frame in world coordinates. */
export function worldPoint(p: readonly number[], parentWorld: Matrix4): Vector3 {
  return new Vector3(p[0], p[1], p[2]).applyMatrix4(parentWorld);
}

/**
 * Local pose (in the parent's frame) of an arrow `ahead` metres in front of the camera whose +y axis
 * points at `targetWorld`.
 */
export function arrowPose(targetWorld: Vector3, camPos: Vector3, camForward: Vector3, parentWorld: Matrix4, ahead = 0.8): { position: Vector3; quaternion: Quaternion } {
  const p = camPos.clone().add(camForward.clone().multiplyScalar(ahead));
  const worldQ = new Quaternion().setFromUnitVectors(new Vector3(0, 1, 0), targetWorld.clone().sub(p).normalize());
  const parentQ = new Quaternion();
  parentWorld.decompose(new Vector3(), parentQ, new Vector3());
  return { position: p.applyMatrix4(parentWorld.clone().invert()), quaternion: parentQ.invert().multiply(worldQ) };
}
