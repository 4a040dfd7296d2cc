'use client';
/**
 * /demo: the bundled sample capture, its frames and its Gaussians, on any desktop browser, and the query box
 * of /view: the sample's Gaussians carry a bank named from its own annotations, so "where is the lamp?" is
 * answered (and highlighted) with no model downloaded; the same answerQuestion as every other page.
 */
import { useMemo, useState } from 'react';
import { IDENTITY_POSE_2D } from '@/lib/align/pose-2d';
import { annotatedQueryScene } from '@/lib/inference/semantics/annotation-bank';
import type { QueryAnswer } from '@/lib/inference/semantics/query';
import { highlightedCount, rowCounts, type SplatHighlight } from '@/lib/splat/splat-highlight';
import { readModelsParam, readScenePageParams, type ScenePageParams } from '@/lib/web/page-params';
import { combineAnswers, notFoundReason, type ViewAnswer } from '@/lib/web/view/view-answer';
import { FrameDetails } from './FrameDetails';
import { FrameStrip } from './FrameStrip';
import { ProgressBar } from './ProgressBar';
import { ModelNotice } from './query/ModelNotice';
import { QueryPanel } from './query/QueryPanel';
import { SceneCanvas } from './SceneCanvas';
import { useSceneBuild } from './useSceneBuild';
import { useSemanticModel } from './view/useSemanticModel';

type DemoParams = ScenePageParams & { modelsBase: string; testModels: boolean };

function useScenePageParams(): { params: DemoParams | null; error: string | null } {
  // This component only renders in the browser (loaded with ssr: false), so reading location is safe.
  const [state] = useState(() => {
    try {
      return { params: { ...readScenePageParams(window.location.search), ...readModelsParam(window.location.search) }, error: null };
    } catch (e) {
      return { params: null, error: (e as Error).message };
    }
  });
  return state;
}

interface DemoAnswer {
  text: string;
  scene: QueryAnswer | null;
  merged: ViewAnswer[];
  notFound: string;
  highlight: SplatHighlight | null;
  highlighted: number;
}

export default function DemoClient() {
  const { params, error: paramError } = useScenePageParams();
  const build = useSceneBuild(params?.capture ?? null, { maxGaussians: params?.maxSplats });
  const [selected, setSelected] = useState(0);
  const result = build.result;
  const error = paramError ?? build.error;
  const frames = result?.capture.frames ?? [];

  // ---- questions (the sample's annotation bank; a model-built bank would answer the same way) ----
  const scene = useMemo(() => (result ? annotatedQueryScene(result.gaussians, result.semantics) : null), [result]);
  const splatsPerRow = useMemo(() => (result?.gaussians.semantic ? rowCounts(result.gaussians.semantic, result.gaussians.count) : null), [result]);
  const model = useSemanticModel(scene, params?.modelsBase ?? '/models/', params?.testModels ?? false);
  const [answer, setAnswer] = useState<DemoAnswer | null>(null);
  const [asking, setAsking] = useState(false);
  const [askError, setAskError] = useState<string | null>(null);
  const [answerSeq, setAnswerSeq] = useState(0);
  const ask = async (text: string) => {
    if (!result) return;
    setAsking(true);
    setAskError(null);
    setAnswer(null);
    try {
      const a = scene ? await model.query(scene, text) : null;
      const merged = combineAnswers(a, null, IDENTITY_POSE_2D);
      const highlight: SplatHighlight | null = a && merged.length ? { entries: a.rows, boxes: new Float32Array(0) } : null;
      const highlighted = highlight ? highlightedCount(highlight, result.gaussians, splatsPerRow ?? undefined) : 0;
      const note = scene ? null : result.semanticsError ?? 'the scene has no semantics (this capture has no annotations)';
      setAnswer({ text, scene: a, merged, notFound: merged.length ? '' : notFoundReason(a, note, null, null), highlight, highlighted });
    } catch (e) {
      setAskError(e instanceof Error ? e.message : String(e));
    } finally {
      setAsking(false);
      setAnswerSeq((n) => n + 1);
    }
  };

  return (
    <div
      className="scene-page"
      data-testid="demo"
      data-state={error ? 'error' : result ? 'ready' : 'loading'}
      data-highlighted={answer?.highlighted ?? 0}
      data-answer-seq={answerSeq}
    >
      <section className="viewer">
        <SceneCanvas result={result} selected={selected} highlight={answer?.highlight ?? null} answers={answer?.merged ?? []} />
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
            <QueryPanel
              onAsk={(t) => void ask(t)}
              busy={asking}
              answers={answer ? answer.merged : null}
              asked={answer?.text}
              notFound={answer?.notFound}
              error={askError}
              notice={<ModelNotice model={model} labelsSource={result.semantics?.source ?? null} roomLabels={false} />}
              sceneFrom={answer?.scene?.answeredFrom ?? null}
              note={answer?.scene?.note ?? null}
            />
            {result.semanticsError && <p className="warn">{result.semanticsError}</p>}
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
