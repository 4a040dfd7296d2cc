/** Messages between the /scan page and lib/web/scan/scan.worker.ts. */
import type { Frame } from '../../capture/frame';
import type { FloatingLabel, ScanStatus } from '../../pipeline/scan-session';
import type { SceneDelta } from '../../splat/scene-delta';
import type { Box3 } from '../../splat/semantic-bank';
import type { SplatHighlight } from '../../splat/splat-highlight';
import type { SceneFraming } from '../camera-home';

export interface ScanWorkerInit {
  type: 'init';
  /** Scene budget (Gaussians kept). */
  budget: number;
  /** Renderer budget: display slots (the most important Gaussians are shown; the scene keeps every one). */
  maxSplats: number;
  /** Working resolution (default: the first keyframe's size). */
  width?: number;
  height?: number;
  /** Use FastDepth (loaded on first need) for keyframes without device depth before stereo can run. */
  monocular?: boolean;
  /** TEST-ONLY simulated camera: instance id -> Space Setup label of the room objects. */
  simObjects?: Record<number, string>;
  /** Base URL of the model manifest and files (default '/models/'): the CLIP pair for live semantics. */
  modelsBase?: string;
  /** TEST-ONLY (?models=/test-models/): the manifest may list stand-in models. */
  testModels?: boolean;
  /**
   * The heavy stages' WebGPU use (?webgpu=…): 'auto' (default) a hardware adapter when there is one, else
   * the CPU kernels; 'software' also a software adapter such as SwiftShader (tests on machines without a
   * GPU); 'off' the CPU kernels.
   */
  webgpu?: 'auto' | 'software' | 'off';
  /**
   * An imported capture: the keyframes are in the capture's own world (COLMAP's is arbitrary), so the first step
   * finds the app frame (y up, floor at 0) as the CLI does. Live scans leave it off and keep the XR local-floor frame.
   */
  findWorld?: boolean;
  /** With findWorld: the capture's own up (capture.json `worldUp`), in the capture frame. */
  worldUp?: [number, number, number];
}

/**
 * The real semantic models (CLIP pair + graph-segmentation masks) as the worker sees them:
 * 'checking' the model cache, 'missing' (not cached: the page offers a download), 'downloading'
 * (bytes so far / total, total 0 when unknown), 'loading' (starting the ONNX sessions), 'ready',
 * 'failed' (message says why), 'unused' (the test camera's oracle semantics are in use).
 */
export interface SemanticModelState {
  state: 'checking' | 'missing' | 'downloading' | 'loading' | 'ready' | 'failed' | 'unused';
  modelId?: string;
  loaded?: number;
  total?: number;
  message?: string;
}

export type ScanWorkerRequest =
  | ScanWorkerInit
  | { type: 'keyframe'; frame: Frame; /** TEST-ONLY: instance map of the simulated camera. */ simInstance?: Uint16Array }
  /** An import's frames in one message (queued together, so the first step sees several). */
  | { type: 'keyframes'; frames: Frame[] }
  | { type: 'export'; format: 'glb' | 'ply'; requestId: number }
  | { type: 'query'; text: string; requestId: number }
  | { type: 'download-semantics' };

/** One answer of a text query over the live scene, in the scan's world frame (the keyframes' reference space). */
export interface ScanQueryAnswer {
  label: string;
  score: number;
  centroid: [number, number, number];
  /** Gravity-aligned box of the instance's Gaussians. */
  box: Box3;
  count: number;
}

/** A text query's result: the answers (best first), why there are none, and what the renderer lights up. */
export interface ScanQueryResult {
  answers: ScanQueryAnswer[];
  reason: string | null;
  /** Bank rows over the relevancy threshold; null when nothing was found. */
  highlight: SplatHighlight | null;
}

export interface ScanUpdate {
  status: ScanStatus;
  labels: FloatingLabel[];
  /** What the display gains, loses and changes since the previous update (lib/splat/scene-delta.ts). */
  delta: SceneDelta;
  /** What the reconstruction lacks, in words for the UI. */
  missing: string[];
  /** The last step's time, the delta's encoding time and its size (the page's live-scan readout and tests). */
  timing: { stepMs: number; deltaMs: number; deltaBytes: number };
  /**
   * Imports only (findWorld): where the page's orbit view starts and what it orbits, and the floor grid
   * (lib/web/camera-home.ts frameScene over the scene and the capture cameras, in the app world). Sent with
   * the first Gaussians and whenever the queue has run dry; null otherwise (the page keeps the last one).
   */
  framing: SceneFraming | null;
}

export type ScanWorkerMessage =
  | { type: 'update'; update: ScanUpdate }
  | { type: 'file'; requestId: number; format: 'glb' | 'ply'; bytes: Uint8Array }
  | { type: 'answer'; requestId: number; result: ScanQueryResult }
  | { type: 'model'; model: SemanticModelState }
  | { type: 'error'; message: string; requestId?: number };

export function frameTransferables(f: Frame): Transferable[] {
  const list: ArrayBufferLike[] = [f.image.data.buffer];
  if (f.depth) {
    list.push(f.depth.data.buffer);
    if (f.depth.confidence) list.push(f.depth.confidence.buffer);
  }
  return [...new Set(list)].filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
}
