'use client';
/**
 * Inside the XR canvas during a scan: tells the controller when the session starts/ends, hands it
 * every XR frame (it returns at once unless a keyframe is due), and draws the growing scene (Spark)
 * and the floating labels.
 */
import { useFrame, useThree } from '@react-three/fiber';
import { useXR } from '@react-three/xr';
import { useEffect } from 'react';
import type { ScanController } from '@/lib/web/scan/scan-controller';
import type { ScanUpdate } from '@/lib/web/scan/scan-protocol';
import { ScanSplats } from './ScanSplats';
import { ScanLabels3D } from './ScanLabels3D';
import { ScanAnchorGroup } from './ScanAnchorGroup';

export function ScanCapture({ controller, granted, update }: { controller: ScanController; granted: string[]; update: ScanUpdate | null }) {
  const gl = useThree((s) => s.gl);
  const session = useXR((s) => s.session);
  const grantedKey = granted.join(',');

  useEffect(() => {
    if (!session) return;
    controller.sessionStarted(session, gl.getContext() as WebGL2RenderingContext, grantedKey ? grantedKey.split(',') : []);
    return () => controller.sessionEnded();
  }, [session, gl, controller, grantedKey]);

  useFrame((_state, _dt, frame?: XRFrame) => {
    if (!frame || !session) return;
    const ref = gl.xr.getReferenceSpace();
    if (!ref) return;
    controller.onXrFrame(frame, ref, session.renderState.baseLayer ?? null, performance.now());
  });

  return (
    <ScanAnchorGroup controller={controller} granted={granted.includes('anchors')}>
      <ScanSplats gaussians={update?.gaussians ?? null} />
      {update && <ScanLabels3D labels={update.labels} />}
    </ScanAnchorGroup>
  );
}
