/**
 * Page side of the scene build: runs it in a module worker when the browser can start one, else on
 * the main thread (same code, same progress events), so /demo works everywhere.
 */
import type { ProgressCallback } from '../pipeline/progress';
import { browserImageCodec } from './browser-image-codec';
import { httpFiles } from './http-files';
import { buildSceneFromBundle, buildSceneFromFile, type SceneBuildResult } from './scene-build';
import { annotationsUrlFor, type SceneBuildMessage, type SceneBuildRequest, type SceneSource } from './scene-build-protocol';

export interface SceneBuildHandle {
  result: Promise<SceneBuildResult>;
  /** 'worker' or 'main-thread', for the UI. */
  where: 'worker' | 'main-thread';
  cancel(): void;
}

/** `source`: a capture bundle folder URL (page-relative is fine) or a file the user opened. */
export function buildScene(
  source: SceneSource,
  opts: { maxFrames?: number; maxGaussians?: number; onProgress?: ProgressCallback; useWorker?: boolean } = {},
): SceneBuildHandle {
  const src: SceneSource = typeof source === 'string' ? new URL(source, globalThis.location.href).href : source;
  let worker: Worker | null = null;
  if (opts.useWorker !== false && typeof Worker !== 'undefined') {
    try {
      worker = new Worker(new URL('./scene-build.worker.ts', import.meta.url), { type: 'module', name: 'scene-build' });
    } catch {
      worker = null;
    }
  }
  if (!worker) {
    let cancelled = false;
    const buildOpts = {
      codec: browserImageCodec,
      maxFrames: opts.maxFrames,
      maxGaussians: opts.maxGaussians,
      onProgress: (e: Parameters<ProgressCallback>[0]) => {
        if (!cancelled) opts.onProgress?.(e);
      },
    };
    const result = typeof src === 'string' ? buildSceneFromBundle(httpFiles(src), { ...buildOpts, annotations: httpFiles(annotationsUrlFor(src)) }) : buildSceneFromFile(src.name, src.bytes, buildOpts);
    return { result, where: 'main-thread', cancel: () => void (cancelled = true) };
  }
  const w = worker;
  const result = new Promise<SceneBuildResult>((resolve, reject) => {
    w.onmessage = (e: MessageEvent<SceneBuildMessage>) => {
      const m = e.data;
      if (m.type === 'progress') opts.onProgress?.(m.event);
      else if (m.type === 'done') {
        resolve(m.result);
        w.terminate();
      } else {
        reject(new Error(m.message));
        w.terminate();
      }
    };
    w.onerror = (e) => {
      reject(new Error(`scene worker failed: ${e.message || 'could not start'}`));
      w.terminate();
    };
    const req: SceneBuildRequest = { type: 'build', source: src, maxFrames: opts.maxFrames, maxGaussians: opts.maxGaussians };
    // File bytes are copied, not transferred: the caller may keep its buffer.
    w.postMessage(req);
  });
  return { result, where: 'worker', cancel: () => w.terminate() };
}
