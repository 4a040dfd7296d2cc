'use client';
/**
 * The growing scan scene in Spark: ONE SparkRenderer, ONE SplatMesh over ONE PackedSplats whose packed
 * array IS the controller's DisplaySplats (lib/splat/scene-delta.ts). Every worker update edits that
 * array in place; here only the texture rows it dirtied are re-uploaded (lib/web/spark-splats.ts), and
 * the highlight's bank-row texture follows. Nothing is rebuilt per keyframe. Disposal is deferred:
 * Spark's sort readback and worker messages still in flight reject with "No target" / "Worker
 * terminate" (uncaught) when their renderer or mesh is disposed under them.
 */
import { PackedSplats, SparkRenderer, SplatMesh } from '@sparkjsdev/spark';
import { useThree } from '@react-three/fiber';
import { useEffect, useState } from 'react';
import type { SplatHighlight } from '@/lib/splat/splat-highlight';
import type { DisplaySplats } from '@/lib/splat/scene-delta';
import { SplatHighlighter } from '@/lib/web/splat-highlight-modifier';
import { syncDisplay } from '@/lib/web/spark-splats';
import { measureSpan } from '@/lib/web/user-timing';

const DISPOSE_DELAY_MS = 3000;

export function ScanSplats({ display, version, highlight }: { display: DisplaySplats; version: number; highlight?: SplatHighlight | null }) {
  const gl = useThree((s) => s.gl);
  const invalidate = useThree((s) => s.invalidate);
  const [spark, setSpark] = useState<SparkRenderer | null>(null);
  const [shown, setShown] = useState<{ packed: PackedSplats; mesh: SplatMesh; highlighter: SplatHighlighter } | null>(null);
  // Bumped when Spark's PackedSplats no longer wraps the display's array (it reallocates when a reset, e.g. the
  // semantics rebuild, shrinks and regrows it): the mesh is then made again over the display's array.
  const [rebuild, setRebuild] = useState(0);
  const hasSplats = version > 0 && display.count > 0;

  useEffect(() => {
    const s = new SparkRenderer({ renderer: gl, onDirty: () => invalidate() });
    // GPU objects belong to the effect's lifetime (an external system), hence state set here.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    setSpark(s);
    return () => void setTimeout(() => s.dispose(), DISPOSE_DELAY_MS);
  }, [gl, invalidate]);

  // The mesh is made once, when the first splats arrive, over the display's own arrays.
  useEffect(() => {
    if (!hasSplats) return;
    const packed = new PackedSplats({ packedArray: display.packed, numSplats: display.count });
    display.builtOver();
    const mesh = new SplatMesh({ packedSplats: packed, lod: false });
    const highlighter = new SplatHighlighter(mesh, { count: display.semantic.length, semantic: display.semantic });
    // The first upload sends the whole texture and bank rows.
    display.takeDirtyRows();
    display.takeSemanticDirty();
    // eslint-disable-next-line react-hooks/set-state-in-effect
    setShown({ packed, mesh, highlighter });
    return () =>
      void setTimeout(() => {
        highlighter.dispose();
        mesh.dispose();
      }, DISPOSE_DELAY_MS);
  }, [display, hasSplats, rebuild]);

  // Each update: the rows it dirtied, the new count, the bank rows.
  useEffect(() => {
    if (!shown) return;
    if (shown.packed.packedArray !== display.packed) {
      // eslint-disable-next-line react-hooks/set-state-in-effect
      setRebuild((r) => r + 1);
      return;
    }
    const t0 = performance.now();
    syncDisplay(gl, shown.packed, display);
    if (display.takeSemanticDirty()) shown.highlighter.updateSemantic(display.semantic, display.semantic.length);
    measureSpan('upload', t0);
    shown.mesh.updateVersion();
    invalidate();
  }, [shown, version, display, gl, invalidate]);

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
