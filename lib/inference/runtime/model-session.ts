/**
 * One runtime layer for every model: create an ONNX Runtime session from model bytes with the best
 * available execution provider, validate it against the manifest, report which provider it got.
 *
 * Provider order: browser -> WebGPU (when navigator.gpu exists), then wasm; Node -> cpu.
 * A provider that fails to create the session (no adapter, unsupported op) is skipped, and the reason kept
 * in `fallbacks` so the UI can say why it runs on wasm.
 */
import type { ModelEntry } from '../models/manifest';
import { describeSignature } from '../models/manifest';
import type { ExecutionProvider, OrtModule, OrtSession, OrtSessionOptions, RuntimeHost } from './ort-module';
import { validateSession, ModelSignatureError } from './validate-session';

export interface LoadProgress {
  modelId: string;
  stage: 'download' | 'cache' | 'create-session' | 'ready';
  /** Bytes so far and in total (total 0 when unknown); only meaningful for 'download'. */
  loaded: number;
  total: number;
}

export type ProgressCallback = (p: LoadProgress) => void;

export interface ModelSession {
  readonly entry: ModelEntry;
  readonly session: OrtSession;
  readonly ort: OrtModule;
  /** The execution provider the session was created with. */
  readonly provider: ExecutionProvider;
  /** Providers tried before `provider`, with the reason each was skipped. */
  readonly fallbacks: readonly { provider: ExecutionProvider; reason: string }[];
}

export interface CreateSessionOptions {
  host?: RuntimeHost;
  /** Override the provider order (tests use ['wasm'] or ['cpu']). */
  providers?: ExecutionProvider[];
  onProgress?: ProgressCallback;
  /** Extra ORT session options (graph optimisation level, preferredOutputLocation...). */
  sessionOptions?: OrtSessionOptions;
}

/** Node has no `navigator.gpu`; workers and pages that have WebGPU do. */
export function detectHost(): RuntimeHost {
  const g = globalThis as { window?: unknown; importScripts?: unknown; process?: { versions?: { node?: string } } };
  if (g.process?.versions?.node && g.window === undefined && g.importScripts === undefined) return 'node';
  return 'browser';
}

export function defaultProviders(host: RuntimeHost): ExecutionProvider[] {
  if (host === 'node') return ['cpu'];
  const nav = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
  return nav?.gpu ? ['webgpu', 'wasm'] : ['wasm'];
}

function message(e: unknown): string {
  return e instanceof Error ? e.message.split('\n')[0] : String(e);
}

/**
 * Create and validate a session for `entry` from its ONNX bytes. Errors name the model: a corrupt file
 * ("could not be loaded"), or a file whose tensors differ from the manifest (ModelSignatureError).
 */
export async function createModelSession(
  ort: OrtModule,
  entry: ModelEntry,
  modelBytes: Uint8Array,
  options: CreateSessionOptions = {},
): Promise<ModelSession> {
  if (!(modelBytes instanceof Uint8Array) || modelBytes.byteLength === 0) {
    throw new Error(`Model "${entry.id}": no model bytes to load (empty file?)`);
  }
  const providers = options.providers ?? defaultProviders(options.host ?? detectHost());
  if (providers.length === 0) throw new Error(`Model "${entry.id}": no execution provider to try`);
  options.onProgress?.({ modelId: entry.id, stage: 'create-session', loaded: modelBytes.byteLength, total: modelBytes.byteLength });
  const fallbacks: { provider: ExecutionProvider; reason: string }[] = [];
  for (const provider of providers) {
    let session: OrtSession;
    try {
      session = await ort.InferenceSession.create(modelBytes, {
        logSeverityLevel: 3,
        ...options.sessionOptions,
        executionProviders: [provider],
      });
    } catch (e) {
      fallbacks.push({ provider, reason: message(e) });
      continue;
    }
    try {
      validateSession(entry, session);
    } catch (e) {
      await session.release().catch(() => undefined);
      throw e;
    }
    options.onProgress?.({ modelId: entry.id, stage: 'ready', loaded: modelBytes.byteLength, total: modelBytes.byteLength });
    return { entry, session, ort, provider, fallbacks };
  }
  const reasons = fallbacks.map((f) => `${f.provider}: ${f.reason}`).join(' | ');
  throw new Error(
    `Model "${entry.id}" could not be loaded (corrupt or not an ONNX file, or no provider can run it). ` +
      `Expected a model with inputs {${describeSignature(entry.inputs)}} outputs {${describeSignature(entry.outputs)}}; ` +
      `found ${modelBytes.byteLength} bytes that ONNX Runtime rejected: ${reasons}`,
  );
}

export { ModelSignatureError };

/** Anything that yields a model file's bytes (see lib/inference/models/model-source.ts). */
export interface ModelFileSource {
  getFile(entry: ModelEntry, file: ModelEntry['files'][number], onProgress?: ProgressCallback): Promise<Uint8Array>;
}

/** Fetch the model's ONNX file (files[0]) from `source` and create its validated session. */
export async function loadModelSession(
  ort: OrtModule,
  entry: ModelEntry,
  source: ModelFileSource,
  options: CreateSessionOptions = {},
): Promise<ModelSession> {
  const bytes = await source.getFile(entry, entry.files[0], options.onProgress);
  return createModelSession(ort, entry, bytes, options);
}
