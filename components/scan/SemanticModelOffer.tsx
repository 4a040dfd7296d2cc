'use client';
/**
 * "Download semantic model": shown while the scan worker reports its CLIP pair missing (or failed), with
 * download progress; once ready, the next keyframes (and the ones already reconstructed) get labels.
 */
import type { SemanticModelState } from '@/lib/web/scan/scan-protocol';

const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;

export function SemanticModelOffer({ model, onDownload }: { model: SemanticModelState | null; onDownload: () => void }) {
  if (!model || model.state === 'unused' || model.state === 'checking') return null;
  const name = model.modelId ?? 'CLIP';
  return (
    <div className="scan-model" data-testid="scan-model" data-state={model.state}>
      {(model.state === 'missing' || model.state === 'failed') && (
        <p>
          {model.state === 'failed' ? `Semantic model failed: ${model.message ?? 'unknown error'}. ` : 'Labels and queries need the semantic model. '}
          <button type="button" data-testid="scan-model-download" onClick={onDownload}>
            {model.state === 'failed' ? 'Retry download' : 'Download semantic model'}
          </button>
        </p>
      )}
      {model.state === 'downloading' && (
        <p>
          Downloading {model.modelId ?? name}: {mb(model.loaded ?? 0)}
          {model.total ? ` / ${mb(model.total)}` : ''}{' '}
          {model.total ? <progress value={model.loaded ?? 0} max={model.total} /> : null}
        </p>
      )}
      {model.state === 'loading' && <p>Starting {model.modelId ?? name}…</p>}
      {model.state === 'ready' && <p>Semantic model {name} ready: labels and queries are on.</p>}
    </div>
  );
}
