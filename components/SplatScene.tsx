'use client';
/** Spark renderer + one SplatMesh built in code from GaussianArrays (lib/web/spark-splats.ts). */
import { SparkRenderer, SplatMesh } from '@sparkjsdev/spark';
import { useThree } from '@react-three/fiber';
import { useEffect, useState } from 'react';
import type { GaussianArrays } from '@/lib/web/scene-build';
import { packedSplatsFromArrays } from '@/lib/web/spark-splats';

export function SplatScene({ gaussians }: { gaussians: GaussianArrays }) {
  const gl = useThree((s) => s.gl);
  const invalidate = useThree((s) => s.invalidate);
  // Created in an effect (not a memo) so StrictMode's mount/unmount/mount gets fresh GPU objects.
  const [objects, setObjects] = useState<{ spark: SparkRenderer; mesh: SplatMesh } | null>(null);
  useEffect(() => {
    // The canvas renders on demand: Spark asks for a frame when a sort (or LoD update) completes.
    const spark = new SparkRenderer({ renderer: gl, onDirty: () => invalidate() });
    const mesh = new SplatMesh({ packedSplats: packedSplatsFromArrays(gaussians), lod: false });
    // GPU objects belong to the effect's lifetime (an external system), hence state set here.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    setObjects({ spark, mesh });
    return () => {
      mesh.dispose();
      spark.dispose();
    };
  }, [gl, gaussians, invalidate]);
  if (!objects) return null;
  return (
    <>
      <primitive object={objects.spark} />
      <primitive object={objects.mesh} />
    </>
  );
}
