'use client';
/**
 * A ring where the viewer's centre ray meets the real world (WebXR hit-test, 'viewer' space). When `hitRef` is
 * given, the latest hit position (room frame, metres) is written to it.
 */
import { useXRHitTest } from '@react-three/xr';
import { useFrame } from '@react-three/fiber';
import { useRef, type MutableRefObject } from 'react';
import { DoubleSide, Matrix4, type Mesh } from 'three';

export function HitTestReticle({
  inner,
  outer,
  color,
  hitRef,
}: {
  inner: number;
  outer: number;
  color: string;
  hitRef?: MutableRefObject<[number, number, number] | null>;
}) {
  const ref = useRef<Mesh>(null);
  const seen = useRef(false);
  const hitMatrix = useRef(new Matrix4()).current;
  useXRHitTest((results, getWorldMatrix) => {
    if (results.length === 0) return;
    if (getWorldMatrix(hitMatrix, results[0])) {
      seen.current = true;
      if (hitRef) hitRef.current = [hitMatrix.elements[12], hitMatrix.elements[13], hitMatrix.elements[14]];
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
      <ringGeometry args={[inner, outer, 32]} />
      <meshBasicMaterial color={color} side={DoubleSide} />
    </mesh>
  );
}
