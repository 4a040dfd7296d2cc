/**
 * The semantic memory bank: M embeddings of dimension D plus per-entry metadata.
 * Row 0 is reserved for background/unknown (zero embedding), so a Gaussian's Uint16 semantic
 * index addresses a row directly and a splatted one-hot of index 0 contributes nothing.
 */

export interface Box3 {
  min: [number, number, number];
  max: [number, number, number];
}

export interface BankEntryMeta {
  /** Readable label (best match in the default vocabulary, or a user-supplied name). */
  label: string;
  /** Physical instance id (bank mode "instances": one entry = one object); -1 when unknown. */
  instanceId: number;
  /** Frame indices whose masks contributed. */
  sourceViews: number[];
  /** World-space axis-aligned (gravity-aligned) box of the entry's Gaussians, when known. */
  box?: Box3;
  /** Number of masks (observations) merged into the entry. */
  support: number;
  /**
   * Row 0 only: id of the CLIP pair whose space the embeddings live in (e.g. "mobileclip-s0"), so a query
   * is embedded by the same text tower. Kept in row 0's metadata so every file format persists it.
   */
  embedder?: string;
  /**
   * Row 0 only: id of the mask generator the entries come from (e.g. "graph-fh", "sam-auto:slimsam-77"). Queries use
   * it to decide whether one entry is a whole object (SAM, oracle) or possibly a part (graph segmentation).
   */
  maskSource?: string;
}

export const MAX_BANK_ENTRIES = 65535;

export class SemanticBank {
  readonly dim: number;
  /** Row-major [capacity, dim]; rows >= count are garbage. */
  embeddings: Float32Array;
  readonly meta: BankEntryMeta[] = [];

  constructor(dim: number, initialCapacity = 64) {
    if (!Number.isInteger(dim) || dim <= 0) throw new Error(`SemanticBank: dim must be a positive integer, got ${dim}`);
    this.dim = dim;
    this.embeddings = new Float32Array(Math.max(1, initialCapacity) * dim);
    this.meta.push({ label: 'background', instanceId: -1, sourceViews: [], support: 0 });
  }

  /** Rows including the reserved background row 0. */
  get count(): number {
    return this.meta.length;
  }

  /** The CLIP pair id the bank's embeddings come from ('' when unknown). */
  get embedder(): string {
    return this.meta[0].embedder ?? '';
  }

  set embedder(id: string) {
    this.meta[0] = { ...this.meta[0], embedder: id || undefined };
  }

  /** The mask generator id the entries come from ('' when unknown). */
  get maskSource(): string {
    return this.meta[0].maskSource ?? '';
  }

  set maskSource(id: string) {
    this.meta[0] = { ...this.meta[0], maskSource: id || undefined };
  }

  /**
   * Whether any entry (row >= 1) has a non-zero embedding. A bank made only of names (labels from a capture's
   * annotations, lib/inference/semantics/annotation-bank.ts) has none: a text encoder cannot score it.
   */
  hasEmbeddings(): boolean {
    const e = this.embeddings;
    for (let i = this.dim, end = this.count * this.dim; i < end; i++) if (e[i] !== 0) return true;
    return false;
  }

  /** Whether any entry (row >= 1) has a non-empty label. */
  hasLabels(): boolean {
    for (let r = 1; r < this.count; r++) if (this.meta[r].label) return true;
    return false;
  }

  /** Appends an entry and returns its index (>= 1). The embedding is copied, not normalised. */
  add(embedding: ArrayLike<number>, meta: BankEntryMeta): number {
    if (embedding.length !== this.dim)
      throw new Error(`SemanticBank.add: embedding has ${embedding.length} values, bank dim is ${this.dim}`);
    const idx = this.meta.length;
    if (idx > MAX_BANK_ENTRIES) throw new Error(`SemanticBank: more than ${MAX_BANK_ENTRIES} entries do not fit a Uint16 index`);
    if ((idx + 1) * this.dim > this.embeddings.length) {
      const grown = new Float32Array(Math.max((idx + 1) * this.dim, this.embeddings.length * 2));
      grown.set(this.embeddings);
      this.embeddings = grown;
    }
    this.embeddings.set(embedding, idx * this.dim);
    this.meta.push(meta);
    return idx;
  }

  row(index: number): Float32Array {
    if (index < 0 || index >= this.count) throw new RangeError(`SemanticBank: index ${index} outside 0..${this.count - 1}`);
    return this.embeddings.subarray(index * this.dim, (index + 1) * this.dim);
  }

  /** Replaces every entry (keeps row 0). Used when the bank is recomputed (K-means). */
  clear(): void {
    this.meta.length = 1;  // row 0 (and its embedder id) stays
    this.embeddings.fill(0);
  }
}
