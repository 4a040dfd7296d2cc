import { describe, expect, it } from 'vitest';
import { Matrix4, Quaternion, Vector3 } from 'three';
import { arrowPose, worldPoint } from '../../../lib/web/view/marker-frame';

/** A parent moved 0.3 m and turned 90° about y, as a re-localised scan anchor would be. */
const parent = new Matrix4().compose(new Vector3(0.3, 0, -0.2), new Quaternion().setFromAxisAngle(new Vector3(0, 1, 0), Math.PI / 2), new Vector3(1, 1, 1));

describe('marker-frame', () => {
  it('moves a parent-frame point into world coordinates (identity parent: unchanged)', () => {
    expect(worldPoint([1, 2, 3], new Matrix4()).toArray()).toEqual([1, 2, 3]);
    const w = worldPoint([1, 0.5, 0], parent);
    // +x turned 90° about +y is -z.
    expect(w.x).toBeCloseTo(0.3, 6);
    expect(w.y).toBeCloseTo(0.5, 6);
    expect(w.z).toBeCloseTo(-1.2, 6);
  });

  it('places the arrow ahead of the camera pointing at the target, whatever the parent', () => {
    const cam = new Vector3(0, 1.6, 0), fwd = new Vector3(0, 0, -1), target = new Vector3(2, 1, 0);
    for (const m of [new Matrix4(), parent]) {
      const { position, quaternion } = arrowPose(target, cam, fwd, m);
      // Back in world: 0.8 m ahead of the camera, +y towards the target.
      const child = new Matrix4().compose(position, quaternion, new Vector3(1, 1, 1));
      const world = m.clone().multiply(child);
      const p = new Vector3().setFromMatrixPosition(world);
      expect(p.distanceTo(new Vector3(0, 1.6, -0.8))).toBeLessThan(1e-6);
      const up = new Vector3(0, 1, 0).transformDirection(world);
      const want = target.clone().sub(p).normalize();
      expect(up.distanceTo(want)).toBeLessThan(1e-6);
    }
  });
});
