'use client';
/**
 * Inside the XR canvas during a scan: tells the controller when the session starts/ends, hands it
 * every XR frame (it returns at once unless a keyframe is due), and draws the growing scene (Spark),
 * the floating labels, the coverage markers on thin areas, and the last query's answer (markers as on /view, splat highlight), all in the
 * anchored scan frame.
 */
import { useFrame, useThree } from '@react-three/fiber';
import { useXR } from '@react-three/xr';
import { useCallback, useEffect } from 'react';
import type { ScanAnswerState, ScanController } from '@/lib/web/scan/scan-controller';
import type { ScanUpdate } from '@/lib/web/scan/scan-protocol';
import { ScanSplats } from './ScanSplats';
import { ScanLabels3D } from './ScanLabels3D';
import { ScanAnchorGroup } from './ScanAnchorGroup';
import { AnswerMarkers } from '../view/AnswerMarkers';
import { CoverageMarkers } from './CoverageMarkers';

const NO_ANSWERS: never[] = [];

export function ScanCapture({
  controller,
  granted,
  update,
  answer,
}: {
  controller: ScanController;
  granted: string[];
  update: ScanUpdate | null;
  answer: ScanAnswerState | null;
}) {
  const gl = useThree((s) => s.gl);
  const session = useXR((s) => s.session);
  const grantedKey = granted.join(',');

  useEffect(() => {
    if (!session) return;
    controller.sessionStarted(session, gl.getContext() as WebGL2RenderingContext, grantedKey ? grantedKey.split(',') : []);
    return () => controller.sessionEnded();
  }, [session, gl, controller, grantedKey]);

  const seq = answer?.seq ?? 0;
  const onPlaced = useCallback((world: [number, number, number][], distances: number[]) => controller.answerPlaced(seq, world, distances), [controller, seq]);

  useFrame((_state, _dt, frame?: XRFrame) => {
    if (!frame || !session) return;
    const ref = gl.xr.getReferenceSpace();
    if (!ref) return;
    controller.onXrFrame(frame, ref, session.renderState.baseLayer ?? null, performance.now());
  });

  return (
    <ScanAnchorGroup controller={controller} granted={granted.includes('anchors')}>
      <ScanSplats display={controller.display} version={update ? controller.display.version : 0} highlight={answer?.highlight ?? null} />
      {update && <ScanLabels3D labels={update.labels} />}
      {update && <CoverageMarkers coverage={update.status.coverage} />}
      <AnswerMarkers answers={answer?.answers ?? NO_ANSWERS} onPlaced={onPlaced} />
    </ScanAnchorGroup>
  );
}
