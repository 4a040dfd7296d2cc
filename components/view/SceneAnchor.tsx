'use client';
/**
 * Keeps the scene's placement with a WebXR anchor: whenever the user (or auto-align) sets the pose,
 * an anchor is created there (the previous one deleted); afterwards the pose follows the anchor, so a
 * re-localisation of the headset moves the scene with the room instead of leaving it behind.
 * Without the 'anchors' feature it does nothing (the pose simply stays in page state).
 */
import { useFrame, useThree } from '@react-three/fiber';
import { useEffect, useRef } from 'react';
import { pose2DFromMatrix4, poseDifference, type Pose2D } from '@/lib/align/pose-2d';

interface AnchorLike { anchorSpace: unknown; delete(): void }
interface FrameWithAnchors {
  createAnchor?(pose: unknown, space: unknown): Promise<AnchorLike> | undefined;
  getPose(space: unknown, base: unknown): { transform: { matrix: ArrayLike<number> } } | null | undefined;
}

export function SceneAnchor({ pose, version, onPose, onAnchored }: { pose: Pose2D; version: number; onPose: (p: Pose2D) => void; onAnchored: (ok: boolean) => void }) {
  const gl = useThree((s) => s.gl);
  const anchor = useRef<AnchorLike | null>(null);
  const made = useRef(-1);
  const pending = useRef(false);
  useEffect(
    () => () => {
      anchor.current?.delete();
      anchor.current = null;
    },
    [],
  );
  useFrame((_s, _d, xrFrame) => {
    const frame = xrFrame as unknown as FrameWithAnchors | undefined;
    const ref = gl.xr.getReferenceSpace();
    if (!frame || !ref) return;
    if (made.current !== version && !pending.current) {
      const Rigid = (globalThis as { XRRigidTransform?: new (p: DOMPointInit, o: DOMPointInit) => unknown }).XRRigidTransform;
      if (!frame.createAnchor || !Rigid) return;
      // `pose` and `version` come from the same render (R3F runs the latest callback), so the anchor is
      // made at the pose that version names.
      const p = pose;
      const want = version;
      pending.current = true;
      let created: Promise<AnchorLike> | undefined;
      try {
        created = frame.createAnchor(new Rigid({ x: p.x, y: 0, z: p.z }, { x: 0, y: Math.sin(p.yaw / 2), z: 0, w: Math.cos(p.yaw / 2) }), ref);
      } catch {
        created = undefined;
      }
      if (!created) {
        pending.current = false;
        made.current = want;
        onAnchored(false);
        return;
      }
      created.then(
        (a) => {
          anchor.current?.delete();
          anchor.current = a;
          made.current = want;
          pending.current = false;
          onAnchored(true);
        },
        () => {
          made.current = want;
          pending.current = false;
          onAnchored(false);
        },
      );
      return;
    }
    const a = anchor.current;
    if (!a || pending.current) return;
    const ap = frame.getPose(a.anchorSpace, ref);
    if (!ap) return;
    const next = pose2DFromMatrix4(ap.transform.matrix);
    const d = poseDifference(next, pose);
    // Follow the anchor only when it really moved (re-localisation), not for float noise.
    if (d.metres > 0.002 || d.degrees > 0.1) onPose(next);
  });
  return null;
}
