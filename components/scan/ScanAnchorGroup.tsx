'use client';
/**
 * The scan's scene group, posed every XR frame by lib/web/scan/scan-anchor.ts (an anchor on the floor
 * under the first keyframe), so a re-localisation moves the scan with the room. Without anchors the
 * group stays at identity and the panel says why (controller.setAnchorStatus).
 */
import { useFrame, useThree } from '@react-three/fiber';
import { useEffect, useMemo, useRef, type ReactNode } from 'react';
import type { Group } from 'three';
import { ScanAnchor, type AnchorFrameLike, type RigidTransformCtor } from '@/lib/web/scan/scan-anchor';
import type { ScanController } from '@/lib/web/scan/scan-controller';

export function ScanAnchorGroup({ controller, granted, children }: { controller: ScanController; granted: boolean; children: ReactNode }) {
  const gl = useThree((s) => s.gl);
  const group = useRef<Group>(null);
  const anchor = useMemo(() => new ScanAnchor(granted, (s) => controller.setAnchorStatus(s)), [granted, controller]);
  useEffect(() => () => anchor.dispose(), [anchor]);
  useFrame((_s, _d, xrFrame) => {
    const frame = xrFrame as unknown as AnchorFrameLike | undefined;
    const ref = gl.xr.getReferenceSpace();
    const g = group.current;
    if (!frame || !ref || !g) return;
    const first = controller.state.keyframes[0]?.cameraToWorld ?? null;
    const Rigid = (globalThis as { XRRigidTransform?: RigidTransformCtor }).XRRigidTransform;
    const m = anchor.onFrame(frame, ref, first, Rigid);
    g.matrix.fromArray(m);
    g.matrixWorldNeedsUpdate = true;
  });
  return (
    <group ref={group} matrixAutoUpdate={false}>
      {children}
    </group>
  );
}
