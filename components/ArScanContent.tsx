'use client';
/**
 * What the phone shows during a scan session: a reticle where the centre ray hits the world
 * (hit-test) and the detected planes, so the user sees which surfaces are tracked. Frame capture
 * (camera-access + depth read-back) plugs in here later.
 */
import { IfInSessionMode, XRPlaneModel, XRSpace, useXRPlanes } from '@react-three/xr';
import { HitTestReticle } from './HitTestReticle';
import { DoubleSide } from 'three';

function HitReticle() {
  return <HitTestReticle inner={0.06} outer={0.08} color="#ffb300" />;
}

function DetectedPlanes() {
  const planes = useXRPlanes();
  return (
    <>
      {planes.map((plane, i) => (
        <XRSpace key={i} space={plane.planeSpace}>
          <XRPlaneModel plane={plane}>
            <meshBasicMaterial color="#4fc3f7" transparent opacity={0.25} side={DoubleSide} />
          </XRPlaneModel>
        </XRSpace>
      ))}
    </>
  );
}

export function ArScanContent() {
  return (
    <IfInSessionMode allow="immersive-ar">
      <HitReticle />
      <DetectedPlanes />
    </IfInSessionMode>
  );
}
