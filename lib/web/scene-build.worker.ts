/// <reference lib="webworker" />
/** Module worker: builds a demo scene off the main thread (see scene-build.ts). */
import type { ProgressEvent } from '../pipeline/progress';
import { browserImageCodec } from './browser-image-codec';
import { httpFiles } from './http-files';
import { buildSceneFromBundle, buildSceneFromFile } from './scene-build';
import { annotationsUrlFor, resultTransferables, type SceneBuildMessage, type SceneBuildRequest } from './scene-build-protocol';

const post = (msg: SceneBuildMessage, transfer: Transferable[] = []) => (self as unknown as DedicatedWorkerGlobalScope).postMessage(msg, transfer);

self.onmessage = async (e: MessageEvent<SceneBuildRequest>) => {
  const req = e.data;
  if (!req || req.type !== 'build') return;
  try {
    const opts = {
      codec: browserImageCodec,
      maxFrames: req.maxFrames,
      maxGaussians: req.maxGaussians,
      onProgress: (event: ProgressEvent) => post({ type: 'progress', event }),
    };
    const src = req.source;
    const result = typeof src === 'string' ? await buildSceneFromBundle(httpFiles(src), { ...opts, annotations: httpFiles(annotationsUrlFor(src)) }) : await buildSceneFromFile(src.name, src.bytes, opts);
    post({ type: 'done', result }, resultTransferables(result));
  } catch (err) {
    post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
};
