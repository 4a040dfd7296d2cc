/**
 * Live-scan display updates that do not grow with the scene.
 *
 * The scan's GaussianScene keeps every Gaussian (for export); the page shows at most `capacity` of them
 * in one fixed-size Spark PackedSplats. Between the two sits a display mirror:
 *
 * - Worker side, `SceneDeltaTracker` listens to the fusion (SceneFusion.changes: elements written,
 *   appended, compacted away) and keeps the displayed set dense in slots [0, count). While the display
 *   has room every Gaussian gets a slot; once full, a new or rewritten Gaussian takes the slot of the
 *   least important displayed one if it is more important (a min-heap over the slots, O(log capacity)
 *   per change). A Gaussian that leaves the scene frees its slot by moving the last slot into it.
 *   `flush()` encodes what changed since the last flush: the slots whose splat changed, already in
 *   Spark's 16-byte packed encoding, with their bank rows, and the slots whose bank row alone changed
 *   (the bank is rebuilt every step, so rows are compared per displayed slot: O(capacity), not O(scene)).
 * - Page side, `DisplaySplats` holds the packed words and bank rows of the slots and applies a delta in
 *   place, remembering which texture rows (Spark's 2048-splat rows) it dirtied so the renderer re-uploads
 *   only those.
 *
 * Per keyframe the bytes posted and the page's work are proportional to what the keyframe changed,
 * never to the scene (scripts/bench/live.ts measures both against posting the whole display set).
 * Plain TypeScript: Spark's packing function is pure and runs in Node, so tests drive the same code.
 */
import { setPackedSplat, utils } from '@sparkjsdev/spark';
import type { GaussianScene } from './gaussian-scene';
import { footprintImportance } from './display-importance';

/** What the fusion reports about its scene's structure (see SceneFusion.changes). */
export interface SceneChangeListener {
  /** Element e now holds different attributes (a better observation won, or an alternate was restored). */
  written(e: number): void;
  /** Elements [start, start + count) were appended (attributes already written). */
  appended(start: number, count: number): void;
  /** The scene is about to keep only the first `count` elements with keep[i] != 0, in order. */
  compacting(keep: Uint8Array, count: number): void;
}

/** One display update. Slots index the page's packed splats; every array is transferable. */
export interface SceneDelta {
  /** The page drops what it shows before applying (first update, or the scene was rebuilt). */
  reset: boolean;
  /** Displayed splats after applying (slots [0, count)). */
  count: number;
  /** Display slots (the page's PackedSplats size). */
  capacity: number;
  /** Gaussians in the scene (every one is kept for export; at most `capacity` are shown). */
  sceneCount: number;
  /** Slots whose splat changed, with their 4 packed words each and their bank row. */
  slots: Uint32Array;
  packed: Uint32Array;
  semantic: Uint16Array;
  /** Slots whose bank row alone changed. */
  semSlots: Uint32Array;
  semValues: Uint16Array;
}

/** Changed slots the page applies per main-thread task (DisplaySplats.apply's parts; ~1 ms of copying on a phone-class CPU). */
export const APPLY_SLICE = 16_384;

/** Spark's texture row: 2048 splats. */
export const DISPLAY_ROW = 2048;

export function deltaBytes(d: SceneDelta): number {
  return d.slots.byteLength + d.packed.byteLength + d.semantic.byteLength + d.semSlots.byteLength + d.semValues.byteLength;
}

export function deltaTransferables(d: SceneDelta): ArrayBuffer[] {
  const list = [d.slots.buffer, d.packed.buffer, d.semantic.buffer, d.semSlots.buffer, d.semValues.buffer];
  return [...new Set(list)].filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
}

/** How much a Gaussian is worth showing; higher stays. */
export type ImportanceFn = (scene: GaussianScene, i: number) => number;

/**
 * The viewer's display ranking (lib/splat/display-importance.ts) without cameras: opacity x world
 * footprint. The capture cameras' projected area is not used live: every new keyframe would re-rank
 * every Gaussian, and a Gaussian's own source view sees it at about one sample's area by construction.
 */
export const liveImportance: ImportanceFn = (s, i) => footprintImportance(s.opacities, s.scales, i);

export function packGaussian(scene: GaussianScene, i: number, out: Uint32Array, at: number): void {
  const p = scene.positions, s = scene.scales, q = scene.rotations, c = scene.colors;
  setPackedSplat(
    out, at,
    p[3 * i], p[3 * i + 1], p[3 * i + 2],
    s[3 * i], s[3 * i + 1], s[3 * i + 2],
    q[4 * i], q[4 * i + 1], q[4 * i + 2], q[4 * i + 3],
    scene.opacities[i],
    c[3 * i], c[3 * i + 1], c[3 * i + 2],
  );
}

export class SceneDeltaTracker implements SceneChangeListener {
  readonly capacity: number;
  private scene: GaussianScene;
  private readonly importance: ImportanceFn;
  count = 0;
  /** Scene element -> slot (-1: not shown). */
  private slotOf = new Int32Array(0);
  /** Slot -> scene element, its importance, the bank row the page has. */
  private readonly elemOf: Int32Array;
  private readonly imp: Float32Array;
  private readonly shownSem: Uint16Array;
  /** Min-heap of slots by importance, and each slot's place in it. */
  private readonly heap: Int32Array;
  private readonly heapPos: Int32Array;
  private readonly dirty: Uint8Array;
  private readonly dirtyList: Int32Array;
  private dirtyCount = 0;
  private resetPending = true;

  constructor(scene: GaussianScene, capacity: number, importance: ImportanceFn = liveImportance) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`SceneDeltaTracker: capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.scene = scene;
    this.importance = importance;
    this.elemOf = new Int32Array(capacity);
    this.imp = new Float32Array(capacity);
    this.shownSem = new Uint16Array(capacity);
    this.heap = new Int32Array(capacity);
    this.heapPos = new Int32Array(capacity);
    this.dirty = new Uint8Array(capacity);
    this.dirtyList = new Int32Array(capacity);
    this.attach(scene);
  }

  /** Follows a new scene (the reconstruction was rebuilt): the next delta resets the page. */
  attach(scene: GaussianScene): void {
    this.scene = scene;
    this.count = 0;
    this.slotOf = new Int32Array(Math.max(1024, scene.count)).fill(-1);
    this.dirty.fill(0);
    this.dirtyCount = 0;
    this.resetPending = true;
    if (scene.count) this.appended(0, scene.count);
  }

  /** Scene element shown in a slot (-1: none); for tests and the export path. */
  slotOfElement(e: number): number {
    return e < this.slotOf.length ? this.slotOf[e] : -1;
  }

  elementOfSlot(s: number): number {
    if (!(s >= 0 && s < this.count)) throw new Error(`SceneDeltaTracker: slot ${s} outside 0..${this.count - 1}`);
    return this.elemOf[s];
  }

  written(e: number): void {
    const s = this.slotOfElement(e);
    if (s < 0) {
      this.place(e);
      return;
    }
    this.imp[s] = this.importance(this.scene, e);
    this.siftDown(this.siftUp(this.heapPos[s]));
    this.markDirty(s);
  }

  appended(start: number, n: number): void {
    if (start + n > this.slotOf.length) {
      const grown = new Int32Array(Math.max(start + n, this.slotOf.length * 2)).fill(-1);
      grown.set(this.slotOf);
      this.slotOf = grown;
    }
    this.slotOf.fill(-1, start, start + n);
    for (let e = start; e < start + n; e++) this.place(e);
  }

  compacting(keep: Uint8Array, n: number): void {
    const slotOf = this.slotOf;
    for (let i = 0; i < n; i++) if (!keep[i] && slotOf[i] >= 0) this.removeSlot(slotOf[i]);
    let w = 0;
    for (let i = 0; i < n; i++) {
      if (!keep[i]) continue;
      const s = slotOf[i];
      slotOf[w] = s;
      if (s >= 0) this.elemOf[s] = w;
      w++;
    }
    slotOf.fill(-1, w, n);
  }

  /** Everything that changed since the last flush, encoded for the page (the arrays are new: transfer them). */
  flush(): SceneDelta {
    const scene = this.scene;
    let n = 0;
    for (let k = 0; k < this.dirtyCount; k++) {
      const s = this.dirtyList[k];
      this.dirty[s] = 0;
      if (s < this.count) this.dirtyList[n++] = s;
    }
    this.dirtyCount = 0;
    const slots = new Uint32Array(n);
    const packed = new Uint32Array(n * 4);
    const semantic = new Uint16Array(n);
    const sem = scene.semantic;
    for (let k = 0; k < n; k++) {
      const s = this.dirtyList[k];
      const e = this.elemOf[s];
      slots[k] = s;
      packGaussian(scene, e, packed, k);
      semantic[k] = this.shownSem[s] = sem[e];
      this.dirty[s] = 2; // sent this flush: skip in the bank-row pass below
    }
    let m = 0;
    for (let s = 0; s < this.count; s++) if (this.dirty[s] !== 2 && sem[this.elemOf[s]] !== this.shownSem[s]) m++;
    const semSlots = new Uint32Array(m);
    const semValues = new Uint16Array(m);
    m = 0;
    for (let s = 0; s < this.count; s++) {
      if (this.dirty[s] === 2) {
        this.dirty[s] = 0;
        continue;
      }
      const v = sem[this.elemOf[s]];
      if (v === this.shownSem[s]) continue;
      this.shownSem[s] = v;
      semSlots[m] = s;
      semValues[m++] = v;
    }
    const reset = this.resetPending;
    this.resetPending = false;
    return { reset, count: this.count, capacity: this.capacity, sceneCount: scene.count, slots, packed, semantic, semSlots, semValues };
  }

  // ---- internals ----

  private place(e: number): void {
    const w = this.importance(this.scene, e);
    if (this.count < this.capacity) {
      const s = this.count++;
      this.elemOf[s] = e;
      this.slotOf[e] = s;
      this.imp[s] = w;
      this.heap[s] = s;
      this.heapPos[s] = s;
      this.siftUp(s);
      this.markDirty(s);
      return;
    }
    const s = this.heap[0];
    if (!(w > this.imp[s])) return;
    this.slotOf[this.elemOf[s]] = -1;
    this.elemOf[s] = e;
    this.slotOf[e] = s;
    this.imp[s] = w;
    this.siftDown(0);
    this.markDirty(s);
  }

  /** Frees slot s: the last slot's splat moves into it so the shown slots stay dense. */
  private removeSlot(s: number): void {
    const last = this.count - 1;
    this.slotOf[this.elemOf[s]] = -1;
    // Take s out of the heap: the heap's last entry fills its place.
    const h = this.heapPos[s];
    const tail = this.heap[last];
    this.heap[h] = tail;
    this.heapPos[tail] = h;
    this.count = last;
    if (h < last) this.siftDown(this.siftUp(h));
    if (s !== last) {
      // Rename slot `last` to s (same importance: the heap order holds).
      const e2 = this.elemOf[last];
      this.elemOf[s] = e2;
      this.slotOf[e2] = s;
      this.imp[s] = this.imp[last];
      this.shownSem[s] = this.shownSem[last];
      const hp = this.heapPos[last];
      this.heap[hp] = s;
      this.heapPos[s] = hp;
      this.markDirty(s);
    }
  }

  private markDirty(s: number): void {
    if (this.dirty[s]) return;
    this.dirty[s] = 1;
    this.dirtyList[this.dirtyCount++] = s;
  }

  private siftUp(h: number): number {
    const heap = this.heap, pos = this.heapPos, imp = this.imp;
    const s = heap[h];
    while (h > 0) {
      const p = (h - 1) >> 1;
      if (imp[heap[p]] <= imp[s]) break;
      heap[h] = heap[p];
      pos[heap[h]] = h;
      h = p;
    }
    heap[h] = s;
    pos[s] = h;
    return h;
  }

  private siftDown(h: number): void {
    const heap = this.heap, pos = this.heapPos, imp = this.imp, n = this.count;
    const s = heap[h];
    for (;;) {
      let c = 2 * h + 1;
      if (c >= n) break;
      if (c + 1 < n && imp[heap[c + 1]] < imp[heap[c]]) c++;
      if (imp[heap[c]] >= imp[s]) break;
      heap[h] = heap[c];
      pos[heap[h]] = h;
      h = c;
    }
    heap[h] = s;
    pos[s] = h;
  }
}

/**
 * The page's copy of the displayed splats: Spark packed words (sized like Spark's texture) and bank
 * rows per slot. `apply` edits them in place and records the dirty texture rows.
 */
export class DisplaySplats {
  readonly capacity: number;
  /** 4 words per slot; length = Spark's texture size for `capacity` (whole rows). */
  readonly packed: Uint32Array;
  readonly semantic: Uint16Array;
  count = 0;
  sceneCount = 0;
  /** Grows with every apply (renderers compare it). */
  version = 0;
  /**
   * What the renderer did with this display (lib/web/spark-splats.ts, components/scan/ScanSplats.tsx
   * count it; tests assert on it): PackedSplats built over it, whole-texture uploads, texture rows
   * re-uploaded one by one.
   */
  readonly renderer = { builds: 0, wholeUploads: 0, rowsUploaded: 0 };

  /** The renderer made a PackedSplats over this display (counted: it should happen once per scan, not per step). */
  builtOver(): void {
    this.renderer.builds++;
  }
  /** Texture rows (DISPLAY_ROW slots each) written since the last takeDirtyRows. */
  private readonly dirtyRows: Uint8Array;
  private anyDirty = false;
  private semanticDirty = false;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`DisplaySplats: capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    const slots = utils.computeMaxSplats(capacity);
    this.packed = new Uint32Array(slots * 4);
    this.semantic = new Uint16Array(slots);
    this.dirtyRows = new Uint8Array(Math.ceil(slots / DISPLAY_ROW));
  }

  /**
   * Applies a delta, or the part of its changed slots [from, to) (the page applies a big delta in pieces,
   * one per task, so no task grows with the delta). The first part (from = 0) checks the delta and resets;
   * the last (to = slots.length) applies the bank-row-only changes and the new count, and bumps `version`.
   */
  apply(d: SceneDelta, from = 0, to = d.slots.length): void {
    const n = d.slots.length;
    if (!(Number.isInteger(from) && Number.isInteger(to) && 0 <= from && from <= to && to <= n)) throw new Error(`DisplaySplats: bad part [${from}, ${to}) of a ${n}-slot delta`);
    if (from === 0) {
      if (d.capacity !== this.capacity) throw new Error(`DisplaySplats: delta for ${d.capacity} slots applied to a display of ${this.capacity}`);
      if (!(Number.isInteger(d.count) && d.count >= 0 && d.count <= this.capacity)) throw new Error(`DisplaySplats: bad count ${d.count}`);
      if (d.packed.length !== n * 4 || d.semantic.length !== n || d.semValues.length !== d.semSlots.length)
        throw new Error('DisplaySplats: delta arrays disagree in length');
      if (d.reset) {
        this.count = 0;
        this.semantic.fill(0);
        this.semanticDirty = true;
      }
    }
    const P = this.packed, S = this.semantic, rows = this.dirtyRows, slots = d.slots;
    // Appended Gaussians arrive as runs of consecutive slots: each run is copied with one typed-array set.
    for (let k = from; k < to; ) {
      const s = slots[k];
      let e = k + 1;
      while (e < to && slots[e] === s + (e - k)) e++;
      const last = s + (e - k) - 1;
      if (last >= this.capacity) throw new Error(`DisplaySplats: slot ${Math.max(s, this.capacity)} outside the display's ${this.capacity}`);
      if (e - k === 1) {
        P[4 * s] = d.packed[4 * k];
        P[4 * s + 1] = d.packed[4 * k + 1];
        P[4 * s + 2] = d.packed[4 * k + 2];
        P[4 * s + 3] = d.packed[4 * k + 3];
        S[s] = d.semantic[k];
        rows[(s / DISPLAY_ROW) | 0] = 1;
      } else {
        P.set(d.packed.subarray(4 * k, 4 * e), 4 * s);
        S.set(d.semantic.subarray(k, e), s);
        rows.fill(1, (s / DISPLAY_ROW) | 0, ((last / DISPLAY_ROW) | 0) + 1);
      }
      k = e;
    }
    if (to > from) {
      this.anyDirty = true;
      this.semanticDirty = true;
    }
    if (to < n) return;
    for (let k = 0; k < d.semSlots.length; k++) {
      const s = d.semSlots[k];
      if (s >= this.capacity) throw new Error(`DisplaySplats: slot ${s} outside the display's ${this.capacity}`);
      S[s] = d.semValues[k];
    }
    if (d.semSlots.length) this.semanticDirty = true;
    this.count = d.count;
    this.sceneCount = d.sceneCount;
    this.version++;
  }

  /** Whether bank rows changed since the last call (and clears it). */
  takeSemanticDirty(): boolean {
    const d = this.semanticDirty;
    this.semanticDirty = false;
    return d;
  }

  /** Runs of dirty texture rows [row, row + rows) since the last call (and clears them). */
  takeDirtyRows(): { row: number; rows: number }[] {
    if (!this.anyDirty) return [];
    const out: { row: number; rows: number }[] = [];
    const r = this.dirtyRows;
    for (let i = 0; i < r.length; ) {
      if (!r[i]) {
        i++;
        continue;
      }
      let j = i;
      while (j < r.length && r[j]) r[j++] = 0;
      out.push({ row: i, rows: j - i });
      i = j;
    }
    this.anyDirty = false;
    return out;
  }
}
