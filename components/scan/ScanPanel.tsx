'use client';
/** The scan's side panel: resume offers, guidance, what is missing, Finish -> download / share. */
import { useEffect, useRef, useState } from 'react';
import { WARNING_TEXT } from '@/lib/web/scan/guidance';
import type { ScanController, ScanState } from '@/lib/web/scan/scan-controller';
import { qrSvg, shareScene, type SharedScene } from '@/lib/web/scan/share-scene';
import { ImportPicker } from './ImportPicker';
import { ScanQuery } from './ScanQuery';
import { SemanticModelOffer } from './SemanticModelOffer';
import { describeThinArea, type CoverageReport } from '@/lib/pipeline/scan-coverage';
import { describeBackends } from '@/lib/gpu/stage-report';
import { describeWorldFrame, type WorldFrame } from '@/lib/align/world-frame';
import type { SceneFraming } from '@/lib/web/camera-home';

function download(bytes: Uint8Array, name: string, type: string) {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Coverage guidance: counts, and the biggest thin area worded from the latest keyframe's pose. */
function CoverageHint({ coverage, pose }: { coverage: CoverageReport; pose: number[] | null }) {
  if (coverage.views === 0) return null;
  const first = coverage.thinAreas[0];
  return (
    <p
      className="hint"
      data-testid="scan-coverage"
      data-views={coverage.views}
      data-cells-seen={coverage.cellsSeen}
      data-cells-well-seen={coverage.cellsWellSeen}
      data-thin-cells={coverage.thinCells}
      data-thin-areas={coverage.thinAreaCount}
      data-thin-x={first ? first.centre[0].toFixed(3) : undefined}
      data-thin-z={first ? first.centre[1].toFixed(3) : undefined}
      data-thin-severity={first?.severity}
    >
      Coverage: {coverage.cellsWellSeen} of {coverage.cellsSeen} floor cells ({coverage.cellSize} m) seen from ≥ {coverage.minSectors} directions
      {coverage.thinAreaCount > 0 ? `; ${coverage.thinAreaCount} thin area${coverage.thinAreaCount > 1 ? 's' : ''}` : ''}
      {coverage.capped ? ' (scan larger than the coverage grid: far parts not counted)' : ''}.
      {first && pose && (
        <>
          {' '}
          {describeThinArea(first, coverage, pose).replace(/^t/, 'T')}.
        </>
      )}
    </p>
  );
}

/** Time since `since`; stops (keeps its last reading) while `done`, e.g. once an import is reconstructed. */
function Elapsed({ since, done }: { since: number | null; done: boolean }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (done) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => {
      clearInterval(t);
      setNow(Date.now());
    };
  }, [done]);
  if (since === null) return <>–</>;
  const s = Math.max(0, Math.round((now - since) / 1000));
  return <>{`${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`}</>;
}

/** An import's world frame (how the capture was turned upright) and where the view starts (tests read the data). */
function WorldFrameNote({ world, framing }: { world: WorldFrame; framing: SceneFraming | null }) {
  const f3 = (v: readonly number[]) => v.map((x) => x.toFixed(4)).join(',');
  return (
    <p
      className="hint"
      data-testid="scan-world"
      data-up-source={world.upSource}
      data-floor-source={world.floorSource}
      data-up={f3(world.up)}
      data-floor-height={world.floorHeight.toFixed(4)}
      data-home-camera={framing?.camera ?? -1}
      data-floor-y={framing?.floorY}
      data-box-min={framing?.box ? f3(framing.box.min) : undefined}
      data-box-max={framing?.box ? f3(framing.box.max) : undefined}
    >
      World frame (stored in the saved scene): {describeWorldFrame(world)}.
    </p>
  );
}

export function ScanPanel({ controller, state }: { controller: ScanController; state: ScanState }) {
  const [busy, setBusy] = useState('');
  const [shared, setShared] = useState<SharedScene | null>(null);
  // Upload progress and "server busy, retrying (n)" while sharing; the controller cancels it.
  const [shareStatus, setShareStatus] = useState({ retry: '', progress: '' });
  const shareAbort = useRef<AbortController | null>(null);
  const [actionError, setActionError] = useState('');
  const u = state.update;

  const run = async (what: string, fn: () => Promise<void>) => {
    setBusy(what);
    setActionError('');
    try {
      await fn();
    } catch (e) {
      setActionError(e instanceof Error && e.name === 'TransferCancelled' ? `${what} cancelled` : `${what} failed: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      setBusy('');
    }
  };

  return (
    <div className="scan-panel" data-testid="scan-panel" data-keyframes={state.keyframes.length} data-gaussians={u?.delta.count ?? 0}>
      {state.resumable.length > 0 && (
        <div className="scan-resume" data-testid="scan-resume">
          {state.resumable.map((s) => (
            <p key={s.id}>
              Unfinished scan “{s.name}” with <b data-testid="resume-count">{s.keyframeIds.length}</b> stored keyframes.{' '}
              <button type="button" data-testid="resume-scan" onClick={() => void controller.resume(s.id, true)}>
                Resume scanning
              </button>{' '}
              <button type="button" data-testid="rebuild-scan" onClick={() => void controller.resume(s.id, false)}>
                Rebuild only
              </button>{' '}
              <button type="button" onClick={() => void controller.discard(s.id)}>
                Discard
              </button>
            </p>
          ))}
        </div>
      )}
      {state.blocked && (
        <p className="error" role="alert" data-testid="scan-blocked">
          {state.blocked}
        </p>
      )}
      {state.storageError && (
        <p className="error" role="alert" data-testid="scan-storage-error">
          {state.storageError}
        </p>
      )}
      {state.error && (
        <p className="error" role="alert" data-testid="scan-error">
          {state.error}
        </p>
      )}
      <ul className="scan-notes" data-testid="scan-notes">
        {state.notes.map((n, i) => (
          <li key={i}>{n}</li>
        ))}
        {u?.missing.map((m) => (
          <li key={m} data-testid="scan-missing">
            Missing: {m}
          </li>
        ))}
      </ul>
      {state.anchor === 'refused' && (
        <p className="hint" data-testid="scan-anchor">
          No XR anchor (the session refused anchors): if tracking re-localises, the scan may drift from the room.
        </p>
      )}
      <SemanticModelOffer model={state.model} onDownload={() => controller.downloadSemantics()} />
      {u?.status.world && u.status.world.upSource !== 'none' && <WorldFrameNote world={u.status.world} framing={state.framing} />}
      {u && <CoverageHint coverage={u.status.coverage} pose={state.keyframes[state.keyframes.length - 1]?.cameraToWorld ?? null} />}
      <table className="scan-stats">
        <tbody>
          <tr>
            <td>Keyframes</td>
            <td data-testid="scan-keyframes">{state.keyframes.length}</td>
          </tr>
          <tr>
            <td>Reconstructed</td>
            <td>{u ? `${u.status.reconstructed} (${u.status.queued} queued)` : '–'}</td>
          </tr>
          <tr>
            <td>Depth</td>
            <td data-testid="scan-depth-sources">
              {u && Object.keys(u.status.depthSources).length
                ? Object.entries(u.status.depthSources)
                    .map(([k, n]) => `${k} ×${n}`)
                    .join(', ')
                : '–'}
            </td>
          </tr>
          <tr>
            <td>Kernels</td>
            <td data-testid="scan-backends" title={u?.status.backends?.noGpuReason ?? u?.status.backends?.adapter ?? undefined}>
              {u ? describeBackends(u.status.backends) : '–'}
            </td>
          </tr>
          <tr>
            <td>Gaussians</td>
            <td data-testid="scan-gaussians">{u ? `${u.status.gaussians.toLocaleString('en')} / ${u.status.budget.toLocaleString('en')}` : '–'}</td>
          </tr>
          <tr>
            <td>Elapsed</td>
            <td data-testid="scan-elapsed">
              {/* No live camera (an import or a rebuild): the work is over once every keyframe is reconstructed. */}
              <Elapsed since={state.startedAt} done={state.finished || (state.source === 'none' && !!u && u.status.queued === 0 && u.status.reconstructed >= state.keyframes.length)} />
            </td>
          </tr>
        </tbody>
      </table>
      {state.warnings.length > 0 && (
        <ul className="scan-warnings" data-testid="scan-warnings">
          {state.warnings.map((w) => (
            <li key={w} data-warning={w}>
              {WARNING_TEXT[w]}
            </li>
          ))}
        </ul>
      )}
      {u && u.labels.length > 0 && (
        <ul className="scan-labels" data-testid="scan-labels">
          {u.labels.map((l) => (
            <li key={l.entry} data-position={l.position.map((v) => v.toFixed(3)).join(',')}>
              {l.label} ({l.support} views)
            </li>
          ))}
        </ul>
      )}
      <div className="scan-actions">
        {!state.finished ? (
          <button type="button" className="primary" data-testid="scan-finish" disabled={!u || u.status.gaussians === 0} onClick={() => void run('Finish', () => controller.finish())}>
            Finish scan
          </button>
        ) : (
          <>
            <button type="button" disabled={!!busy} onClick={() => void run('Download .glb', async () => download(await controller.exportScene('glb'), 'scan.glb', 'model/gltf-binary'))}>
              Download .glb
            </button>{' '}
            <button type="button" disabled={!!busy} onClick={() => void run('Download .ply', async () => download(await controller.exportScene('ply'), 'scan.ply', 'application/octet-stream'))}>
              Download .ply
            </button>{' '}
            <button
              type="button"
              data-testid="scan-share"
              disabled={!!busy}
              onClick={() =>
                void run('Share', async () => {
                  const ac = (shareAbort.current = new AbortController());
                  setShareStatus({ retry: '', progress: '' });
                  const glb = await controller.exportScene('glb');
                  setShared(
                    await shareScene(glb, location.origin, {
                      signal: ac.signal,
                      onProgress: (l, t) => setShareStatus((s) => ({ ...s, progress: `uploading ${t ? Math.round((100 * l) / t) : 0} % of ${(t / 1048576).toFixed(1)} MB` })),
                      onRetry: (e) => setShareStatus((s) => ({ ...s, retry: e.message })),
                    }),
                  );
                })
              }
            >
              Share
            </button>
          </>
        )}
        {busy && <span> {busy}…</span>}
        {busy === 'Share' && (
          <>
            <span data-testid="share-status"> {[shareStatus.retry, shareStatus.progress].filter(Boolean).join(' · ')}</span>{' '}
            <button type="button" data-testid="share-cancel" onClick={() => shareAbort.current?.abort()}>
              Cancel
            </button>
          </>
        )}
      </div>
      {actionError && (
        <p className="error" role="alert">
          {actionError}
        </p>
      )}
      {shared && (
        <div className="scan-shared" data-testid="scan-shared">
          <p>
            Code <b data-testid="share-code">{shared.code}</b> — open <a href={shared.viewUrl}>{shared.viewUrl}</a> on the headset.
          </p>
          <div style={{ width: 160, background: '#fff' }} dangerouslySetInnerHTML={{ __html: qrSvg(shared.viewUrl) }} />
        </div>
      )}
      {u && u.status.reconstructed > 0 && <ScanQuery controller={controller} semantics={u.status.semantics} answer={state.answer} />}
      <ImportPicker onImport={(c) => controller.importFrames(c.frames, c.name, { worldUp: c.worldUp })} />
    </div>
  );
}
