/** Progress reporting shared by the CLI (terminal bars), the browser worker (postMessage) and model downloads. */
export interface ProgressEvent {
  /** Stage name, e.g. "depth", "gaussians", "fusion", "masks", "embeddings", "bank", "index", "download:clip". */
  stage: string;
  done: number;
  total: number;
  /** Optional detail for people ("view 3/8", "12.1 MB / 40 MB"). */
  detail?: string;
}

export type ProgressCallback = (e: ProgressEvent) => void;

export const noProgress: ProgressCallback = () => {};
