/// <reference lib="webworker" />
/** Module worker of the live scan: see scan-worker-core.ts. */
import type { ScanWorkerMessage, ScanWorkerRequest } from './scan-protocol';
import { ScanWorkerCore } from './scan-worker-core';
import { deltaTransferables } from '../../splat/scene-delta';
import { lazyFastDepth } from './fastdepth-lazy';
import { browserSemanticModels, type SemanticModels } from './semantic-models';
import { HeavyStages } from '../../gpu/heavy-stages';

const post = (msg: ScanWorkerMessage, transfer: Transferable[] = []) => (self as unknown as DedicatedWorkerGlobalScope).postMessage(msg, transfer);
let core: ScanWorkerCore | null = null;
const early: MessageEvent<ScanWorkerRequest>[] = [];

async function handle(e: MessageEvent<ScanWorkerRequest>): Promise<void> {
  const req = e.data;
  try {
    if (req.type === 'init') {
      // No manifest (or no CLIP pair in it): the scan stays geometry only and says so.
      let source: SemanticModels | null = null;
      if (!req.simObjects) source = await browserSemanticModels(req.modelsBase, req.testModels).catch(() => null);
      core = new ScanWorkerCore(
        req,
        (update) => post({ type: 'update', update }, deltaTransferables(update.delta)),
        (message) => post({ type: 'error', message }),
        req.monocular ? lazyFastDepth() : undefined,
        source ? { source, onState: (model) => post({ type: 'model', model }) } : undefined,
        // WebGPU for the heavy stages when the worker has a (hardware) adapter, else the CPU kernels (the
        // reason is in every update's status.backends).
        HeavyStages.create({ gpu: (self as unknown as { navigator: Navigator }).navigator.gpu, useGpu: req.webgpu !== 'off', allowSoftware: req.webgpu === 'software' }),
      );
      for (const m of early.splice(0)) void handle(m);
      return;
    }
    if (!core) {
      // Messages that arrive while init awaits the manifest are replayed once the core exists.
      early.push(e);
      return;
    }
    if (req.type === 'download-semantics') void core.downloadSemantics();
    if (req.type === 'keyframe') core.add(req.frame, req.simInstance);
    else if (req.type === 'keyframes') core.addAll(req.frames);
    else if (req.type === 'query') {
      const result = await core.ask(req.text);
      post({ type: 'answer', requestId: req.requestId, result });
    } else if (req.type === 'export') {
      const bytes = await core.export(req.format);
      post({ type: 'file', requestId: req.requestId, format: req.format, bytes }, [bytes.buffer as ArrayBuffer]);
    }
  } catch (err) {
    post({ type: 'error', message: err instanceof Error ? err.message : String(err), requestId: req.type === 'export' || req.type === 'query' ? req.requestId : undefined });
  }
}

self.onmessage = handle;
