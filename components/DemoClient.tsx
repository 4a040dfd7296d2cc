'use client';
/** /demo: the bundled sample capture, its frames and its Gaussians, on any desktop browser. */
import { useState } from 'react';
import { readScenePageParams, type ScenePageParams } from '@/lib/web/page-params';
import { FrameDetails } from './FrameDetails';
import { FrameStrip } from './FrameStrip';
import { ProgressBar } from './ProgressBar';
import { SceneCanvas } from './SceneCanvas';
import { useSceneBuild } from './useSceneBuild';

function useScenePageParams(): { params: ScenePageParams | null; error: string | null } {
  // This component only renders in the browser (loaded with ssr: false), so reading location is safe.
  const [state] = useState(() => {
    try {
      return { params: readScenePageParams(window.location.search), error: null };
    } catch (e) {
      return { params: null, error: (e as Error).message };
    }
  });
  return state;
}

export default function DemoClient() {
  const { params, error: paramError } = useScenePageParams();
  const build = useSceneBuild(params?.capture ?? null, { maxGaussians: params?.maxSplats });
  const [selected, setSelected] = useState(0);
  const result = build.result;
  const error = paramError ?? build.error;
  const frames = result?.capture.frames ?? [];
  return (
    <div className="scene-page" data-testid="demo" data-state={error ? 'error' : result ? 'ready' : 'loading'}>
      <section className="viewer">
        <SceneCanvas result={result} selected={selected} />
        {!result && !error && <ProgressBar event={build.progress} label={`Loading ${params?.capture ?? ''}`} />}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </section>
      <aside className="side">
        {result && (
          <>
            <h2>{result.capture.name}</h2>
            <p data-testid="frame-count">{frames.length} frames</p>
            <p>
              {result.gaussians.count.toLocaleString('en')} Gaussians
              {result.builtCount > result.gaussians.count ? ` (thinned from ${result.builtCount.toLocaleString('en')})` : ''} · built in{' '}
              {((build.ms ?? 0) / 1000).toFixed(1)} s ({build.where})
            </p>
            {result.capture.skipped.length > 0 && <p className="warn">{result.capture.skipped.length} frame(s) skipped: {result.capture.skipped.map((s) => `${s.id} (${s.reason})`).join('; ')}</p>}
            {frames[selected] && <FrameDetails frame={frames[selected]} />}
            {result.capture.attribution && <p className="attribution">{result.capture.attribution}</p>}
            <p className="hint">Drag to orbit, scroll to zoom; click a frame to look through its camera.</p>
          </>
        )}
      </aside>
      {frames.length > 0 && <FrameStrip frames={frames} selected={selected} onSelect={setSelected} />}
    </div>
  );
}
