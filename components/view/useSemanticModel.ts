'use client';
/**
 * The open-vocabulary side of /view queries: checks whether the scene's CLIP text model is installed
 * (Cache Storage) without downloading, downloads it on request with progress, and runs SemanticQuery.
 * States: 'no-scene' | 'no-bank' (geometry-only scene) | 'labels-only' (a bank of names, no embeddings: the
 * model cannot add anything) | 'checking' | 'not-installed' | 'downloading' | 'ready' | 'unavailable'
 * (download failed) | 'error'. Questions go through answerQuestion in every state: until the model is ready
 * they are answered from the bank's stored labels.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { answerQuestion } from '@/lib/inference/semantics/answer-question';
import { SemanticQuery, type QueryAnswer, type QueryScene } from '@/lib/inference/semantics/query';
import { isModelUnavailable, loadTextModel, textModelStatus, type TextModelStatus } from '@/lib/web/view/query-model';

export type ModelUiState = 'no-scene' | 'no-bank' | 'labels-only' | 'checking' | 'not-installed' | 'downloading' | 'ready' | 'unavailable' | 'error';

export interface SemanticModel {
  state: ModelUiState;
  message: string;
  status: TextModelStatus | null;
  progress: { loaded: number; total: number } | null;
  download: () => void;
  /** Relevancy when the model is ready, else the stored labels (the answer's answeredFrom and note say which). */
  query: (scene: QueryScene, text: string) => Promise<QueryAnswer>;
}

export function useSemanticModel(scene: QueryScene | null, modelsBase: string, allowStandIns: boolean): SemanticModel {
  // A names-only bank (a sample's annotations) has nothing a text encoder could score.
  const labelsOnly = !!scene && scene.bank.count > 1 && !scene.bank.hasEmbeddings();
  const hasBank = !!scene && scene.bank.count > 1 && !labelsOnly;
  const embedder = scene?.bank.embedder ?? '';
  const key = `${hasBank}|${labelsOnly}|${embedder}|${modelsBase}`;
  const [st, setSt] = useState<{ key: string; state: ModelUiState; message: string; status: TextModelStatus | null; progress: { loaded: number; total: number } | null }>({
    key: '',
    state: 'no-scene',
    message: '',
    status: null,
    progress: null,
  });
  const engine = useRef<{ key: string; q: SemanticQuery } | null>(null);
  const startLoad = useCallback(
    (status: TextModelStatus, k: string) => {
      setSt((s) => ({ ...s, key: k, state: 'downloading', message: '', status, progress: { loaded: 0, total: status.bytes ?? 0 } }));
      loadTextModel(modelsBase, status, (p) => {
        if (p.stage === 'download') setSt((s) => (s.key === k ? { ...s, progress: { loaded: p.loaded, total: p.total } } : s));
      }).then(
        (text) => {
          engine.current = { key: k, q: new SemanticQuery(text) };
          setSt((s) => (s.key === k ? { ...s, state: 'ready', progress: null } : s));
        },
        (e: unknown) => {
          const msg = e instanceof Error ? e.message : String(e);
          setSt((s) =>
            s.key === k
              ? { ...s, state: isModelUnavailable(e) ? 'unavailable' : 'error', message: isModelUnavailable(e) ? `semantic model not installed and not downloadable: ${msg}` : msg, progress: null }
              : s,
          );
        },
      );
    },
    [modelsBase],
  );
  useEffect(() => {
    if (!scene) return;
    if (labelsOnly) {
      // Derived from the scene, but kept in the same state object as the async states below.
      // eslint-disable-next-line react-hooks/set-state-in-effect
      setSt({ key, state: 'labels-only', message: "answers from the scene's stored labels (its bank holds names, no embeddings)", status: null, progress: null });
      return;
    }
    if (!hasBank) {
      // Derived from the scene, but kept in the same state object as the async states below.
      setSt({ key, state: 'no-bank', message: 'this scene has no semantics (geometry only): only room labels can answer', status: null, progress: null });
      return;
    }
    let live = true;
    setSt({ key, state: 'checking', message: '', status: null, progress: null });
    textModelStatus(modelsBase, embedder, allowStandIns).then(
      (status) => {
        if (!live) return;
        // Installed: load it now (from the cache, no network); otherwise wait for the user's download click.
        if (status.installed) startLoad(status, key);
        else setSt({ key, state: 'not-installed', message: '', status, progress: null });
      },
      (e: unknown) => live && setSt({ key, state: 'unavailable', message: `semantic model not installed: ${e instanceof Error ? e.message : String(e)}`, status: null, progress: null }),
    );
    return () => {
      live = false;
    };
  }, [scene, hasBank, labelsOnly, embedder, modelsBase, allowStandIns, key, startLoad]);
  const download = useCallback(() => {
    if (st.status && (st.state === 'not-installed' || st.state === 'unavailable' || st.state === 'error')) startLoad(st.status, key);
  }, [st.status, st.state, key, startLoad]);
  const query = useCallback(
    (s: QueryScene, text: string) => {
      const ready = engine.current && engine.current.key === key && st.state === 'ready' ? engine.current.q : null;
      const noEngine = st.state === 'downloading' ? 'the semantic model is still downloading' : 'semantic model not installed';
      return answerQuestion(s, text, { engine: ready, noEngine, openVocabulary: 'download it to ask in open vocabulary' });
    },
    [key, st.state],
  );
  const cur = st.key === key || !scene ? st : { ...st, state: 'checking' as const };
  return { state: scene ? cur.state : 'no-scene', message: cur.message, status: cur.status, progress: cur.progress, download, query };
}
