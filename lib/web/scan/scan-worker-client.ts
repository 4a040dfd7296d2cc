/** Page side of the scan worker: one worker per scan, keyframes posted with their buffers transferred. */
import type { Frame } from '../../capture/frame';
import { frameTransferables, type ScanQueryResult, type ScanUpdate, type ScanWorkerInit, type ScanWorkerMessage, type ScanWorkerRequest, type SemanticModelState } from './scan-protocol';

export interface ScanWorkerHandle {
  addKeyframe(frame: Frame, simInstance?: Uint16Array): void;
  /** An import's frames, moved to the worker in one message (the page keeps no copy). */
  addKeyframes(frames: Frame[]): void;
  exportScene(format: 'glb' | 'ply'): Promise<Uint8Array>;
  ask(text: string): Promise<ScanQueryResult>;
  /** Asks the worker to download (or read from the cache) the semantic models; state comes back via onModel. */
  downloadSemantics(): void;
  terminate(): void;
}

export function startScanWorker(
  init: Omit<ScanWorkerInit, 'type'>,
  onUpdate: (u: ScanUpdate) => void,
  onError: (message: string) => void,
  onModel: (m: SemanticModelState) => void = () => {},
): ScanWorkerHandle {
  const w = new Worker(new URL('./scan.worker.ts', import.meta.url), { type: 'module', name: 'scan' });
  const pending = new Map<number, { resolve: (b: Uint8Array) => void; reject: (e: Error) => void }>();
  const asks = new Map<number, { resolve: (a: ScanQueryResult) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  w.onmessage = (e: MessageEvent<ScanWorkerMessage>) => {
    const m = e.data;
    if (m.type === 'update') onUpdate(m.update);
    else if (m.type === 'model') onModel(m.model);
    else if (m.type === 'file') {
      pending.get(m.requestId)?.resolve(m.bytes);
      pending.delete(m.requestId);
    } else if (m.type === 'answer') {
      asks.get(m.requestId)?.resolve(m.result);
      asks.delete(m.requestId);
    } else if (m.requestId !== undefined && asks.has(m.requestId)) {
      asks.get(m.requestId)!.reject(new Error(m.message));
      asks.delete(m.requestId);
    } else if (m.requestId !== undefined && pending.has(m.requestId)) {
      pending.get(m.requestId)!.reject(new Error(m.message));
      pending.delete(m.requestId);
    } else onError(m.message);
  };
  w.onerror = (e) => onError(`scan worker failed: ${e.message || 'could not start'}`);
  w.postMessage({ type: 'init', webgpu: webgpuFlag(), ...init } satisfies ScanWorkerInit);
  return {
    addKeyframe(frame, simInstance) {
      // The page keeps its copy in IndexedDB; the worker gets the buffers (copied once here, then moved).
      const copy: Frame = {
        ...frame,
        image: { ...frame.image, data: frame.image.data.slice() },
        cameraToWorld: Float64Array.from(frame.cameraToWorld),
        depth: frame.depth ? { ...frame.depth, data: frame.depth.data.slice(), confidence: frame.depth.confidence?.slice() } : undefined,
      };
      if (!copy.depth) delete copy.depth;
      const transfer = frameTransferables(copy);
      const inst = simInstance?.slice();
      if (inst) transfer.push(inst.buffer as ArrayBuffer);
      w.postMessage({ type: 'keyframe', frame: copy, simInstance: inst }, transfer);
    },
    addKeyframes(frames) {
      w.postMessage({ type: 'keyframes', frames } satisfies ScanWorkerRequest, [...new Set(frames.flatMap(frameTransferables))]);
    },
    exportScene(format) {
      const requestId = nextId++;
      return new Promise<Uint8Array>((resolve, reject) => {
        pending.set(requestId, { resolve, reject });
        w.postMessage({ type: 'export', format, requestId });
      });
    },
    ask(text) {
      const requestId = nextId++;
      return new Promise((resolve, reject) => {
        asks.set(requestId, { resolve, reject });
        w.postMessage({ type: 'query', text, requestId });
      });
    },
    downloadSemantics() {
      w.postMessage({ type: 'download-semantics' } satisfies ScanWorkerRequest);
    },
    terminate() {
      for (const p of pending.values()) p.reject(new Error('scan worker stopped'));
      for (const p of asks.values()) p.reject(new Error('scan worker stopped'));
      pending.clear();
      asks.clear();
      w.terminate();
    },
  };
}

/** The page's ?webgpu=software|off (see ScanWorkerInit.webgpu); 'auto' otherwise. */
function webgpuFlag(): ScanWorkerInit['webgpu'] {
  const v = typeof location !== 'undefined' ? new URLSearchParams(location.search).get('webgpu') : null;
  return v === 'software' || v === 'off' ? v : 'auto';
}
