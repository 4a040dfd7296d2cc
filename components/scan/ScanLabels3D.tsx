'use client';
/** Bank labels floating at their box centres: one camera-facing sprite per label (canvas text). */
import { useEffect, useMemo } from 'react';
import { CanvasTexture, SpriteMaterial, SRGBColorSpace } from 'three';
import type { FloatingLabel } from '@/lib/pipeline/scan-session';

function labelMaterial(text: string): SpriteMaterial {
  const canvas = document.createElement('canvas');
  canvas.width = 256;
  canvas.height = 64;
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = 'rgba(0,0,0,0.65)';
  ctx.fillRect(0, 0, 256, 64);
  ctx.fillStyle = '#ffe082';
  ctx.font = 'bold 34px sans-serif';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText(text, 128, 34, 244);
  const tex = new CanvasTexture(canvas);
  tex.colorSpace = SRGBColorSpace;
  // Labels stay readable in front of the splats and at any distance (constant screen size).
  return new SpriteMaterial({ map: tex, depthTest: false, transparent: true, sizeAttenuation: false });
}

export function ScanLabels3D({ labels }: { labels: FloatingLabel[] }) {
  const key = labels.map((l) => l.label).join('|');
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const materials = useMemo(() => labels.map((l) => labelMaterial(l.label)), [key]);
  useEffect(
    () => () => {
      for (const m of materials) {
        m.map?.dispose();
        m.dispose();
      }
    },
    [materials],
  );
  return (
    <>
      {labels.map((l, i) =>
        materials[i] ? <sprite key={l.entry} position={[l.position[0], l.position[1] + 0.1, l.position[2]]} scale={[0.36, 0.09, 1]} material={materials[i]} renderOrder={10} /> : null,
      )}
    </>
  );
}
