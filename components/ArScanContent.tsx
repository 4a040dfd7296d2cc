'use client';
/**
 * What the phone shows during a scan session: a reticle where the centre ray hits the world
 * (hit-test) and the detected planes, so the user sees which surfaces are tracked. Frame capture
 * (camera-access + depth read-back) plugs in here later.
 */
import { IfInSessionMode, XRPlaneModel, XRSpace, useXRHitTest, useXRPlanes } from '@react-three/xr';
import { useFrame } from '@react-three/fiber';
import { useRef } from 'react';
import { DoubleSide, Matrix4, type Mesh } from 'three';

const hitMatrix = new Matrix4();

function HitReticle() {
  const ref = useRef<Mesh>(null);
  const seen = useRef(false);
  useXRHitTest((results, getWorldMatrix) => {
    if (results.length === 0) return;
    if (getWorldMatrix(hitMatrix, results[0])) seen.current = true;
  }, 'viewer');
  useFrame(() => {
    const m = ref.current;
    if (!m) return;
    m.visible = seen.current;
    if (seen.current) hitMatrix.decompose(m.position, m.quaternion, m.scale);
  });
  return (
    <mesh ref={ref} visible={false}>
      <ringGeometry args={[0.06, 0.08, 32]} />
      <meshBasicMaterial color="#ffb300" side={DoubleSide} />
    </mesh>
  );
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
