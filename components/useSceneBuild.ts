'use client';
/** Runs the capture -> Gaussians build (worker when possible) and tracks its progress for the UI. */
import { useEffect, useState } from 'react';
import type { ProgressEvent } from '@/lib/pipeline/progress';
import type { SceneBuildResult } from '@/lib/web/scene-build';
import { buildScene } from '@/lib/web/scene-build-client';
import type { SceneSource } from '@/lib/web/scene-build-protocol';

export interface SceneBuildState {
  progress: ProgressEvent | null;
  result: SceneBuildResult | null;
  error: string | null;
  where: 'worker' | 'main-thread' | null;
  ms: number | null;
}

const EMPTY: SceneBuildState = { progress: null, result: null, error: null, where: null, ms: null };

const sourceKey = (s: SceneSource | null) => (s === null ? 'none' : typeof s === 'string' ? `url:${s}` : `file:${s.name}:${s.bytes.byteLength}`);

export function useSceneBuild(source: SceneSource | null, opts: { maxGaussians?: number; maxFrames?: number }): SceneBuildState {
  const { maxGaussians, maxFrames } = opts;
  const key = `${sourceKey(source)}|${maxGaussians}|${maxFrames}`;
  // State is tagged with the build it belongs to, so a new build starts from EMPTY without a reset.
  const [st, setSt] = useState<SceneBuildState & { key: string }>({ ...EMPTY, key: '' });
  useEffect(() => {
    if (!source) return;
    let live = true;
    const t0 = performance.now();
    let where: SceneBuildState['where'] = null;
    const update = (patch: Partial<SceneBuildState>) => live && setSt((s) => ({ ...(s.key === key ? s : EMPTY), where, ...patch, key }));
    const h = buildScene(source, { maxGaussians, maxFrames, onProgress: (progress) => update({ progress }) });
    where = h.where;
    h.result.then(
      (result) => update({ result, ms: performance.now() - t0 }),
      (e: unknown) => update({ error: e instanceof Error ? e.message : String(e) }),
    );
    return () => {
      live = false;
      h.cancel();
    };
  }, [source, maxGaussians, maxFrames, key]);
  return st.key === key ? st : EMPTY;
}
