'use client';
/**
 * Hit-test reticle for placing the scene in AR: where the viewer's centre ray meets the real world
 * (WebXR hit-test, 'viewer' space). The latest hit is written to `hitRef` (room frame, metres) for the
 * page's "Place at the reticle" button and the session's select event.
 */
import { useXRHitTest } from '@react-three/xr';
import { useFrame } from '@react-three/fiber';
import { useRef, type MutableRefObject } from 'react';
import { DoubleSide, Matrix4, Vector3, type Mesh } from 'three';

const hitMatrix = new Matrix4();

export function PlacementReticle({ hitRef }: { hitRef: MutableRefObject<[number, number, number] | null> }) {
  const ref = useRef<Mesh>(null);
  const seen = useRef(false);
  useXRHitTest((results, getWorldMatrix) => {
    if (results.length === 0) return;
    if (getWorldMatrix(hitMatrix, results[0])) {
      seen.current = true;
      const p = new Vector3().setFromMatrixPosition(hitMatrix);
      hitRef.current = [p.x, p.y, p.z];
    }
  }, 'viewer');
  useFrame(() => {
    const m = ref.current;
    if (!m) return;
    m.visible = seen.current;
    if (seen.current) hitMatrix.decompose(m.position, m.quaternion, m.scale);
  });
  return (
    <mesh ref={ref} visible={false}>
      <ringGeometry args={[0.08, 0.11, 32]} />
      <meshBasicMaterial color="#7dff6a" side={DoubleSide} />
    </mesh>
  );
}
