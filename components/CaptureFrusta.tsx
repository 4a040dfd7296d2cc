'use client';
/** Line frusta of the capture frames; the selected one is highlighted. */
import { useMemo } from 'react';
import { BufferGeometry, Float32BufferAttribute } from 'three';
import { allFrustumSegments, frustumSegments } from '@/lib/web/frusta';
import type { FrameSummary } from '@/lib/web/scene-build';

export function CaptureFrusta({ frames, selected, size = 0.15 }: { frames: FrameSummary[]; selected: number; size?: number }) {
  const all = useMemo(() => {
    const g = new BufferGeometry();
    g.setAttribute('position', new Float32BufferAttribute(allFrustumSegments(frames, size), 3));
    return g;
  }, [frames, size]);
  const sel = useMemo(() => {
    const f = frames[selected];
    if (!f) return null;
    const g = new BufferGeometry();
    g.setAttribute('position', new Float32BufferAttribute(frustumSegments(f.intrinsics, f.cameraToWorld, size * 1.01), 3));
    return g;
  }, [frames, selected, size]);
  return (
    <>
      <lineSegments geometry={all}>
        <lineBasicMaterial color="#4fc3f7" />
      </lineSegments>
      {sel && (
        <lineSegments geometry={sel}>
          <lineBasicMaterial color="#ffb300" />
        </lineSegments>
      )}
    </>
  );
}
