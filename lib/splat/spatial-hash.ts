/**
 * Multi-level spatial hash for fusion: open addressing over typed arrays (no Map: a scan holds
 * millions of entries and a Map of that size costs hundreds of MB and GC pauses).
 *
 * Cells are cubes of side `base · 2^level` metres (levels 0..15). An entry is an integer id (the
 * caller's element index); several entries share a cell through a singly linked chain. Cell
 * coordinates wrap at 16 bits, which only makes far-apart cells collide: callers check real
 * distances, so a collision costs time, never correctness.
 *
 * Entries are never removed one by one: the owner calls clear() and re-inserts after compaction.
 */

export const HASH_LEVELS = 16;
const EMPTY = -1;

export class SpatialHash {
  readonly base: number;
  private readonly sizes: Float64Array;
  /** Entries per level, so queries skip levels nothing lives on. */
  readonly levelCount = new Int32Array(HASH_LEVELS);
  private keys: Float64Array;
  private heads: Int32Array;
  private mask: number;
  private used = 0;
  /** Chain links and ids per entry slot. */
  private next: Int32Array;
  private ids: Int32Array;
  private entries = 0;

  constructor(base: number, initialCells = 1 << 12) {
    if (!(base > 0) || !Number.isFinite(base)) throw new Error(`SpatialHash: base cell size must be a positive number, got ${base}`);
    this.base = base;
    this.sizes = new Float64Array(HASH_LEVELS);
    for (let l = 0; l < HASH_LEVELS; l++) this.sizes[l] = base * Math.pow(2, l);
    let cap = 1 << 4;
    while (cap < initialCells * 2) cap <<= 1;
    this.keys = new Float64Array(cap).fill(EMPTY);
    this.heads = new Int32Array(cap);
    this.mask = cap - 1;
    this.next = new Int32Array(1024);
    this.ids = new Int32Array(1024);
  }

  get size(): number {
    return this.entries;
  }

  /** Cell side in metres at `level` (a table lookup: `2 ** level` is slow in hot loops). */
  cellSize(level: number): number {
    return this.sizes[level];
  }

  /** Smallest level whose cell side is >= `extent` metres (clamped to 0..15). */
  levelFor(extent: number): number {
    if (!(extent > this.base)) return 0;
    const l = Math.ceil(Math.log2(extent / this.base));
    return l >= HASH_LEVELS ? HASH_LEVELS - 1 : l;
  }

  clear(): void {
    this.keys.fill(EMPTY);
    this.levelCount.fill(0);
    this.used = 0;
    this.entries = 0;
  }

  /** Adds `id` to the cell (level, ix, iy, iz). */
  insert(level: number, ix: number, iy: number, iz: number, id: number): void {
    if ((this.used + 1) * 2 > this.keys.length) this.growTable();
    if (this.entries === this.ids.length) {
      const n = this.ids.length * 2;
      const nn = new Int32Array(n); nn.set(this.next); this.next = nn;
      const ni = new Int32Array(n); ni.set(this.ids); this.ids = ni;
    }
    const e = this.entries++;
    this.ids[e] = id;
    this.levelCount[level]++;
    const key = packKey(level, ix, iy, iz);
    let s = hashCell(level, ix, iy, iz) & this.mask;
    for (;;) {
      const k = this.keys[s];
      if (k === key) {
        this.next[e] = this.heads[s];
        this.heads[s] = e;
        return;
      }
      if (k === EMPTY) {
        this.keys[s] = key;
        this.next[e] = EMPTY;
        this.heads[s] = e;
        this.used++;
        return;
      }
      s = (s + 1) & this.mask;
    }
  }

  /** First entry slot of the cell's chain, or -1. Walk with nextEntry / idOf. */
  head(level: number, ix: number, iy: number, iz: number): number {
    const key = packKey(level, ix, iy, iz);
    let s = hashCell(level, ix, iy, iz) & this.mask;
    for (;;) {
      const k = this.keys[s];
      if (k === key) return this.heads[s];
      if (k === EMPTY) return EMPTY;
      s = (s + 1) & this.mask;
    }
  }

  nextEntry(entry: number): number {
    return this.next[entry];
  }

  idOf(entry: number): number {
    return this.ids[entry];
  }

  /** Bytes held by the table and chains (for the memory budget). */
  byteLength(): number {
    return this.keys.byteLength + this.heads.byteLength + this.next.byteLength + this.ids.byteLength;
  }

  private growTable(): void {
    const oldKeys = this.keys, oldHeads = this.heads;
    const cap = oldKeys.length * 2;
    this.keys = new Float64Array(cap).fill(EMPTY);
    this.heads = new Int32Array(cap);
    this.mask = cap - 1;
    for (let i = 0; i < oldKeys.length; i++) {
      const key = oldKeys[i];
      if (key === EMPTY) continue;
      let s = hashKey(key) & this.mask;
      while (this.keys[s] !== EMPTY) s = (s + 1) & this.mask;
      this.keys[s] = key;
      this.heads[s] = oldHeads[i];
    }
  }
}

// 4 bits of level and 16 bits per wrapped coordinate: 52 bits, exact in a double.
function packKey(level: number, ix: number, iy: number, iz: number): number {
  return ((level * 65536 + (ix & 0xffff)) * 65536 + (iy & 0xffff)) * 65536 + (iz & 0xffff);
}

function hashCell(level: number, ix: number, iy: number, iz: number): number {
  let h = Math.imul(ix & 0xffff, 0x9e3779b1) ^ Math.imul(iy & 0xffff, 0x85ebca77) ^ Math.imul(iz & 0xffff, 0xc2b2ae3d) ^ Math.imul(level + 1, 0x27d4eb2f);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h >>> 0;
}

function hashKey(key: number): number {
  const iz = key % 65536;
  let r = (key - iz) / 65536;
  const iy = r % 65536;
  r = (r - iy) / 65536;
  const ix = r % 65536;
  const level = (r - ix) / 65536;
  return hashCell(level, ix, iy, iz);
}
