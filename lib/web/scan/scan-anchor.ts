/**
 * Keeps a live scan registered to the room with a WebXR anchor (the same idea as /view's SceneAnchor):
 * when the first keyframe exists and the session granted 'anchors', one anchor is created on the floor
 * below it (reference space local-floor: y = 0, no rotation). The Gaussians are built in the reference
 * space of that moment, so each frame the scene is posed by how far the anchor has moved since it was
 * made: correction = anchorNow * inverse(anchorAtCreation). When the device re-localises, the anchor
 * follows the room and so does the scan. Refused anchors (no feature, createAnchor throws or rejects)
 * leave the correction at identity, and `status` says so for the panel.
 *
 * No DOM types: the XR frame, reference space and XRRigidTransform are passed in (Node tests use fakes).
 */
import { invertRigid, multiply } from '../../capture/pose';

export type ScanAnchorStatus = 'waiting' | 'pending' | 'anchored' | 'refused';

export interface AnchorLike {
  anchorSpace: unknown;
  delete(): void;
}
export interface AnchorFrameLike {
  createAnchor?(pose: unknown, space: unknown): Promise<AnchorLike> | undefined;
  getPose(space: unknown, base: unknown): { transform: { matrix: ArrayLike<number> } } | null | undefined;
}
export type RigidTransformCtor = new (position: { x: number; y: number; z: number }, orientation: { x: number; y: number; z: number; w: number }) => unknown;

/** Column-major 4x4 of the floor point under a camera (y = 0, axes of the reference space). */
export function floorPoseUnder(cameraToWorld: ArrayLike<number>): Float64Array {
  if (!cameraToWorld || cameraToWorld.length !== 16) throw new Error('floorPoseUnder: cameraToWorld must have 16 values');
  const x = cameraToWorld[12], z = cameraToWorld[14];
  if (!Number.isFinite(x) || !Number.isFinite(z)) throw new Error('floorPoseUnder: camera position is not finite');
  return Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, x, 0, z, 1]);
}

export class ScanAnchor {
  status: ScanAnchorStatus = 'waiting';
  private anchor: AnchorLike | null = null;
  private created: Float64Array | null = null;
  private correction: Float64Array = Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
  private disposed = false;

  constructor(
    private readonly granted: boolean,
    private readonly onStatus: (s: ScanAnchorStatus) => void = () => {},
  ) {}

  private set(s: ScanAnchorStatus): void {
    if (this.status === s) return;
    this.status = s;
    this.onStatus(s);
  }

  /**
   * Call every XR frame with the first keyframe's camera-to-world (null before it exists). Returns the
   * scene group's pose (column-major), identity until anchored or when anchors are refused.
   */
  onFrame(frame: AnchorFrameLike, ref: unknown, firstKeyframe: ArrayLike<number> | null, Rigid: RigidTransformCtor | undefined): Float64Array {
    if (this.disposed) return this.correction;
    if (this.status === 'waiting' && firstKeyframe) this.create(frame, ref, firstKeyframe, Rigid);
    if (this.status === 'anchored' && this.anchor && this.created) {
      const p = frame.getPose(this.anchor.anchorSpace, ref);
      // Tracking of the anchor can drop for a frame: keep the last correction.
      if (p && p.transform.matrix.length === 16) this.correction = multiply(p.transform.matrix, invertRigid(this.created));
    }
    return this.correction;
  }

  private create(frame: AnchorFrameLike, ref: unknown, cameraToWorld: ArrayLike<number>, Rigid: RigidTransformCtor | undefined): void {
    if (!this.granted || !frame.createAnchor || !Rigid) return this.set('refused');
    const pose = floorPoseUnder(cameraToWorld);
    let made: Promise<AnchorLike> | undefined;
    try {
      made = frame.createAnchor(new Rigid({ x: pose[12], y: 0, z: pose[14] }, { x: 0, y: 0, z: 0, w: 1 }), ref);
    } catch {
      made = undefined;
    }
    if (!made) return this.set('refused');
    this.set('pending');
    made.then(
      (a) => {
        if (this.disposed) return a.delete();
        this.anchor = a;
        this.created = pose;
        this.set('anchored');
      },
      () => this.set('refused'),
    );
  }

  dispose(): void {
    this.disposed = true;
    this.anchor?.delete();
    this.anchor = null;
  }
}
