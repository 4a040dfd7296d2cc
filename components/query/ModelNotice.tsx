'use client';
/**
 * The semantic model's state under the query box, shared by /view and /demo: what answers questions now
 * (stored labels, room labels), the download button with its size and progress, and where stored labels
 * come from ("labels from the sample's annotations").
 */
import type { SemanticModel } from '../view/useSemanticModel';

const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;

export function ModelNotice({ model, labelsSource, roomLabels = true }: { model: SemanticModel; labelsSource?: string | null; roomLabels?: boolean }) {
  const s = model.state;
  if (s === 'no-scene') return null;
  const size = model.status?.bytes ? ` (${mb(model.status.bytes)})` : '';
  const also = roomLabels ? '; room labels still answer' : '';
  return (
    <div className="model-state" data-testid="model-state" data-state={s}>
      {labelsSource && (
        <p className="hint" data-testid="labels-source">
          labels from {labelsSource}
        </p>
      )}
      {s === 'checking' && <p className="hint">checking the semantic model…</p>}
      {(s === 'no-bank' || s === 'labels-only') && <p className="hint">{model.message}</p>}
      {s === 'ready' && <p className="hint">semantic model ready{model.status ? `: ${model.status.pairId}${model.status.standIn ? ' (TEST STAND-IN)' : ''}` : ''}</p>}
      {(s === 'not-installed' || s === 'unavailable' || s === 'error') && (
        <>
          <p className="warn" data-testid="model-missing">
            {s === 'not-installed'
              ? `semantic model not installed${model.status ? ` (${model.status.pairId}${size})` : ''}: questions are answered from the scene's stored labels${also}; download it for open vocabulary.`
              : model.message}
          </p>
          {model.status && (
            <button type="button" onClick={model.download} data-testid="model-download">
              {s === 'not-installed' ? `Download the semantic model${size}` : 'Retry the download'}
            </button>
          )}
        </>
      )}
      {s === 'downloading' && (
        <p className="hint" data-testid="model-progress">
          downloading the semantic model… {model.progress ? `${mb(model.progress.loaded)}${model.progress.total ? ` of ${mb(model.progress.total)}` : ''}` : ''}
        </p>
      )}
    </div>
  );
}
