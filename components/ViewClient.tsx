'use client';
/** /view: headset/desktop viewer. Orbit view of a capture's Gaussians outside XR, "Enter AR" on a headset. */
import { useState } from 'react';
import { readScenePageParams } from '@/lib/web/page-params';
import { ProgressBar } from './ProgressBar';
import { SceneCanvas } from './SceneCanvas';
import { XrButton } from './XrButton';
import { useSceneBuild } from './useSceneBuild';
import { useXrSession } from './useXrSession';

export default function ViewClient() {
  const [{ params, paramError }] = useState(() => {
    try {
      return { params: readScenePageParams(window.location.search), paramError: null };
    } catch (e) {
      return { params: null, paramError: (e as Error).message };
    }
  });
  const xr = useXrSession();
  const [file, setFile] = useState<{ name: string; bytes: Uint8Array } | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const build = useSceneBuild(file ?? params?.capture ?? null, { maxGaussians: params?.maxSplats });
  const onFile = (f: File | undefined) => {
    if (!f) return;
    setFileError(null);
    f.arrayBuffer().then(
      (buf) => setFile({ name: f.name, bytes: new Uint8Array(buf) }),
      (e: unknown) => setFileError(`${f.name}: ${e instanceof Error ? e.message : String(e)}`),
    );
  };
  const error = paramError ?? fileError ?? build.error;
  return (
    <div className="scene-page view" data-testid="view" data-state={error ? 'error' : build.result ? 'ready' : 'loading'}>
      <section className="viewer">
        <SceneCanvas result={build.result} xrStore={xr.store} inXr={xr.state === 'active'} showFrusta={false} />
        {!build.result && !error && <ProgressBar event={build.progress} label={`Loading ${file?.name ?? params?.capture ?? ''}`} />}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </section>
      <aside className="side">
        <XrButton label="Enter AR" {...xr} onEnter={xr.enter} onExit={xr.exit} />
        {build.result && (
          <p data-testid="scene-summary">
            {build.result.capture.name}: {build.result.capture.frames.length} frames, {build.result.gaussians.count.toLocaleString('en')} Gaussians
          </p>
        )}
        <label className="file-open">
          Open a scene (.ply, .glb) or a capture (.zip):{' '}
          <input type="file" accept=".ply,.glb,.zip" data-testid="open-file" onChange={(e) => onFile(e.target.files?.[0])} />
        </label>
        {xr.grantedFeatures.length > 0 && <p className="hint">Session features: {xr.grantedFeatures.join(', ')}</p>}
        <p className="hint">Outside XR: drag to orbit. In the headset, the scene is placed where it was captured (local-floor origin).</p>
      </aside>
    </div>
  );
}
