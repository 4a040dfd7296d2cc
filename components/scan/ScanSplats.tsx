'use client';
/**
 * The growing scan scene in Spark. Unlike components/SplatScene (one scene, built once), the scan
 * replaces its splats after every worker step, so this keeps ONE SparkRenderer for the canvas and
 * swaps only the SplatMesh. Disposal is deferred: Spark's sort readback and worker messages still in
 * flight reject with "No target" / "Worker terminate" (uncaught) when their renderer or mesh is
 * disposed under them. An answer's highlight is a shader modifier on each mesh
 * (lib/web/splat-highlight-modifier.ts): a new highlight updates two tiny textures, not the splats.
 */
import { SparkRenderer, SplatMesh } from '@sparkjsdev/spark';
import { useThree } from '@react-three/fiber';
import { useEffect, useState } from 'react';
import type { GaussianArrays } from '@/lib/web/scene-build';
import type { SplatHighlight } from '@/lib/splat/splat-highlight';
import { SplatHighlighter } from '@/lib/web/splat-highlight-modifier';
import { packedSplatsFromArrays } from '@/lib/web/spark-splats';

const DISPOSE_DELAY_MS = 3000;

export function ScanSplats({ gaussians, highlight }: { gaussians: GaussianArrays | null; highlight?: SplatHighlight | null }) {
  const gl = useThree((s) => s.gl);
  const invalidate = useThree((s) => s.invalidate);
  const [spark, setSpark] = useState<SparkRenderer | null>(null);
  const [shown, setShown] = useState<{ mesh: SplatMesh; highlighter: SplatHighlighter } | null>(null);

  useEffect(() => {
    const s = new SparkRenderer({ renderer: gl, onDirty: () => invalidate() });
    // GPU objects belong to the effect's lifetime (an external system), hence state set here.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    setSpark(s);
    return () => void setTimeout(() => s.dispose(), DISPOSE_DELAY_MS);
  }, [gl, invalidate]);

  useEffect(() => {
    if (!gaussians || gaussians.count === 0) return;
    const m = new SplatMesh({ packedSplats: packedSplatsFromArrays(gaussians), lod: false });
    const h = new SplatHighlighter(m, gaussians);
    // eslint-disable-next-line react-hooks/set-state-in-effect
    setShown({ mesh: m, highlighter: h });
    return () =>
      void setTimeout(() => {
        h.dispose();
        m.dispose();
      }, DISPOSE_DELAY_MS);
  }, [gaussians]);

  // Every new mesh starts plain: the current highlight goes onto it as well as onto a new answer.
  useEffect(() => {
    if (!shown) return;
    shown.highlighter.set(highlight ?? null);
    invalidate();
  }, [shown, highlight, invalidate]);

  if (!spark) return null;
  return (
    <>
      <primitive object={spark} />
      {shown && <primitive object={shown.mesh} />}
    </>
  );
}
