'use client';
/**
 * Spark renderer + one SplatMesh built in code from GaussianArrays (lib/web/spark-splats.ts), with the
 * answer highlight as a shader modifier (lib/web/splat-highlight-modifier.ts): a new highlight updates
 * two tiny textures, never the PackedSplats.
 */
import { SparkRenderer, SplatMesh } from '@sparkjsdev/spark';
import { useThree } from '@react-three/fiber';
import { useEffect, useRef, useState } from 'react';
import type { SplatHighlight } from '@/lib/splat/splat-highlight';
import type { GaussianArrays } from '@/lib/web/scene-build';
import { SplatHighlighter } from '@/lib/web/splat-highlight-modifier';
import { packedSplatsFromArrays } from '@/lib/web/spark-splats';

export function SplatScene({ gaussians, highlight = null, onBuilt }: { gaussians: GaussianArrays; highlight?: SplatHighlight | null; onBuilt?: () => void }) {
  const gl = useThree((s) => s.gl);
  const invalidate = useThree((s) => s.invalidate);
  // Created in an effect (not a memo) so StrictMode's mount/unmount/mount gets fresh GPU objects.
  const [objects, setObjects] = useState<{ spark: SparkRenderer; mesh: SplatMesh; highlighter: SplatHighlighter } | null>(null);
  const built = useRef(onBuilt);
  useEffect(() => {
    built.current = onBuilt;
  });
  useEffect(() => {
    // The canvas renders on demand: Spark asks for a frame when a sort (or LoD update) completes.
    const spark = new SparkRenderer({ renderer: gl, onDirty: () => invalidate() });
    const mesh = new SplatMesh({ packedSplats: packedSplatsFromArrays(gaussians), lod: false });
    const highlighter = new SplatHighlighter(mesh, gaussians);
    built.current?.();
    // GPU objects belong to the effect's lifetime (an external system), hence state set here.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    setObjects({ spark, mesh, highlighter });
    return () => {
      highlighter.dispose();
      mesh.dispose();
      spark.dispose();
    };
  }, [gl, gaussians, invalidate]);
  useEffect(() => {
    if (!objects) return;
    objects.highlighter.set(highlight);
    invalidate();
  }, [objects, highlight, invalidate]);
  if (!objects) return null;
  return (
    <>
      <primitive object={objects.spark} />
      <primitive object={objects.mesh} />
    </>
  );
}
