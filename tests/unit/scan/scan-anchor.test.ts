import { describe, expect, it } from 'vitest';
import { ScanAnchor, floorPoseUnder, type AnchorFrameLike, type AnchorLike, type RigidTransformCtor, type ScanAnchorStatus } from '../../../lib/web/scan/scan-anchor';
import { multiply, transformPoint } from '../../../lib/capture/pose';

class FakeRigid {
  constructor(
    readonly position: { x: number; y: number; z: number },
    readonly orientation: { x: number; y: number; z: number; w: number },
  ) {}
}
const Rigid = FakeRigid as unknown as RigidTransformCtor;

/** A frame whose anchors sit wherever `world` (a rigid transform applied after creation) moves them. */
function fakeFrame(opts: { refuse?: 'throw' | 'reject' | 'none' } = {}) {
  const made: { pose: FakeRigid; deleted: boolean }[] = [];
  let world: ArrayLike<number> = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
  const frame: AnchorFrameLike & { move(m: Float64Array): void; made: typeof made } = {
    made,
    move(m) {
      world = m;
    },
    createAnchor: opts.refuse === 'none' ? undefined : (pose: unknown) => {
      if (opts.refuse === 'throw') throw new Error('anchors not enabled');
      if (opts.refuse === 'reject') return Promise.reject(new Error('denied'));
      const rec = { pose: pose as FakeRigid, deleted: false };
      made.push(rec);
      const a: AnchorLike = { anchorSpace: rec, delete: () => void (rec.deleted = true) };
      return Promise.resolve(a);
    },
    getPose(space: unknown) {
      const p = (space as { pose: FakeRigid }).pose.position;
      return { transform: { matrix: multiply(world, [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, p.x, p.y, p.z, 1]) } };
    },
  };
  return frame;
}

const cam = Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0.7, 1.6, -2, 1]);
const flush = () => new Promise((r) => setTimeout(r, 0));

describe('ScanAnchor', () => {
  it('anchors on the floor under the first keyframe and poses the scene by how far the anchor moved', async () => {
    const statuses: ScanAnchorStatus[] = [];
    const a = new ScanAnchor(true, (s) => statuses.push(s));
    const f = fakeFrame();
    expect(Array.from(a.onFrame(f, 'ref', null, Rigid))).toEqual([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
    expect(a.status).toBe('waiting');
    a.onFrame(f, 'ref', cam, Rigid);
    expect(a.status).toBe('pending');
    await flush();
    expect(statuses).toEqual(['pending', 'anchored']);
    expect(f.made.length).toBe(1);
    expect(f.made[0].pose.position).toEqual({ x: 0.7, y: 0, z: -2 });
    // Not moved: identity.
    const still = a.onFrame(f, 'ref', cam, Rigid);
    expect(transformPoint(still, 1, 2, 3).map((v) => +v.toFixed(9))).toEqual([1, 2, 3]);
    // Re-localised: the room moved 0.3 m along x and turned 90° about y; a scene point moves with it.
    const moved = Float64Array.from([0, 0, -1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0.3, 0, 0, 1]);
    f.move(moved);
    const m = a.onFrame(f, 'ref', cam, Rigid);
    const expected = transformPoint(moved, 1, 2, 3);
    transformPoint(m, 1, 2, 3).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 9));
    expect(f.made.length).toBe(1); // one anchor per scan
    a.dispose();
    expect(f.made[0].deleted).toBe(true);
  });

  it.each([
    ['not granted', false, {}],
    ['no createAnchor', true, { refuse: 'none' as const }],
    ['createAnchor throws', true, { refuse: 'throw' as const }],
    ['createAnchor rejects', true, { refuse: 'reject' as const }],
  ])('falls back to identity when refused (%s)', async (_name, granted, opts) => {
    const a = new ScanAnchor(granted, () => {});
    const f = fakeFrame(opts);
    a.onFrame(f, 'ref', cam, Rigid);
    await flush();
    expect(a.status).toBe('refused');
    const m = a.onFrame(f, 'ref', cam, Rigid);
    expect(transformPoint(m, 1, 2, 3)).toEqual([1, 2, 3]);
  });

  it('rejects a bad keyframe pose', () => {
    expect(() => floorPoseUnder([1, 2])).toThrow(/16 values/);
  });
});
