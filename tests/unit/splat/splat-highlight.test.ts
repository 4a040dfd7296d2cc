import { describe, expect, it } from 'vitest';
import {
  boxesFromAabbs,
  boxTextureData,
  checkHighlight,
  entriesFromScores,
  FLAG_TEXTURE_WIDTH,
  flagTextureData,
  highlightedCount,
  highlightMask,
  rowCounts,
  SEMANTIC_TEXTURE_WIDTH,
  semanticTextureData,
} from '../../../lib/splat/splat-highlight';
import { selectGaussians } from '../../../lib/inference/semantics/query';

/** n splats on a line x = i, y = 1, z = 0, splat i in bank row i % rows. */
function splats(n: number, rows: number) {
  const positions = new Float32Array(n * 3);
  const semantic = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    positions.set([i, 1, 0], 3 * i);
    semantic[i] = i % rows;
  }
  return { count: n, positions, semantic };
}

describe('building a highlight from an answer', () => {
  it('flags the bank rows at or above the threshold, never row 0', () => {
    const e = entriesFromScores(Float32Array.from([0.9, 0.5, 0.49, 0.8]), 0.5);
    expect(Array.from(e)).toEqual([0, 1, 0, 1]);
    expect(() => entriesFromScores(new Float32Array(3), NaN)).toThrow(/threshold/);
    expect(() => entriesFromScores(new Float32Array(65537), 0.5)).toThrow(/65536/);
  });

  it('grows room-label boxes by the margin and packs them 6 floats each', () => {
    const b = boxesFromAabbs([{ min: [0, 0, 0], max: [1, 2, 3] }, { min: [-1, 0, -1], max: [-0.5, 1, 0] }], 0.05);
    expect(Array.from(b).map((v) => +v.toFixed(4))).toEqual([-0.05, -0.05, -0.05, 1.05, 2.05, 3.05, -1.05, -0.05, -1.05, -0.45, 1.05, 0.05]);
    expect(boxesFromAabbs([]).length).toBe(0);
    expect(() => boxesFromAabbs([{ min: [0, 0, 0], max: [1, -1, 1] }])).toThrow(/box 0 .*axis y/);
    expect(() => boxesFromAabbs([{ min: [0, 0, 0], max: [1, 1, 1] }], -1)).toThrow(/margin/);
  });

  it('refuses malformed highlights', () => {
    expect(() => checkHighlight({ entries: new Uint8Array(2), boxes: new Float32Array(5) })).toThrow(/multiple of 6/);
    expect(() => checkHighlight({ entries: [1] as unknown as Uint8Array, boxes: new Float32Array(0) })).toThrow(/Uint8Array/);
  });
});

describe('CPU reference of the shader selection', () => {
  it('selects flagged rows or centres in a box, and matches the query selection for bank answers', () => {
    const g = splats(50, 7);
    const entries = entriesFromScores(Float32Array.from([0, 0.9, 0.1, 0.1, 0.7, 0.1, 0.1]), 0.5);
    const m = highlightMask({ entries, boxes: new Float32Array(0) }, g);
    // The query's own selection (a 65536-entry lookup table over the same rows) picks the same splats.
    const lut = new Uint8Array(65536);
    lut.set(entries);
    const out = new Uint32Array(g.count);
    const n = selectGaussians(g.semantic, g.count, lut, out);
    expect(Array.from(out.subarray(0, n))).toEqual(Array.from(m.keys()).filter((i) => m[i]));
    expect(n).toBe(14); // rows 1 and 4 of 0..6, 50 splats

    // A box around x 9.5..12.5 adds splats 10, 11, 12 (11 is row 4: already selected).
    const both = highlightMask({ entries, boxes: boxesFromAabbs([{ min: [9.5, 0, -1], max: [12.5, 2, 1] }], 0) }, g);
    expect(both.reduce((a, b) => a + b, 0)).toBe(16);
    expect([both[10], both[11], both[12], both[13]]).toEqual([1, 1, 1, 0]);
  });

  it('without semantics only boxes select, and a row past the entries is not flagged', () => {
    const g = splats(10, 10);
    const boxes = boxesFromAabbs([{ min: [2, 1, 0], max: [3, 1, 0] }]); // + 5 cm margin
    expect(Array.from(highlightMask({ entries: Uint8Array.from([0, 1, 1, 1, 1, 1, 1, 1, 1, 1]), boxes }, { count: 10, positions: g.positions }))).toEqual([0, 0, 1, 1, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(highlightMask({ entries: Uint8Array.from([0, 0, 0, 0, 0, 1]), boxes: new Float32Array(0) }, g))).toEqual([0, 0, 0, 0, 0, 1, 0, 0, 0, 0]);
  });

  it('counts by rows (no pass over the splats) exactly as the mask does', () => {
    const g = splats(1000, 37);
    const counts = rowCounts(g.semantic, g.count);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(1000);
    const entries = new Uint8Array(37);
    for (const r of [0, 3, 5, 36]) entries[r] = 1; // row 0 set by hand: still never counted
    const h = { entries, boxes: new Float32Array(0) };
    const ref = highlightMask(h, g).reduce((a, b) => a + b, 0);
    expect(highlightedCount(h, g, counts)).toBe(ref);
    expect(highlightedCount(h, g)).toBe(ref);
    const hb = { entries, boxes: boxesFromAabbs([{ min: [0, 0, -1], max: [100, 2, 1] }], 0) };
    expect(highlightedCount(hb, g, counts)).toBe(highlightMask(hb, g).reduce((a, b) => a + b, 0));
  });
});

describe('texture layouts', () => {
  it('lays the per-splat rows out 4096 wide for any count up to millions', () => {
    for (const n of [0, 1, 4096, 4097, 1_000_000]) {
      const sem = new Uint16Array(n);
      for (let i = 0; i < n; i++) sem[i] = (i * 7919) % 65536;
      const t = semanticTextureData(sem, n);
      expect(t.width).toBe(SEMANTIC_TEXTURE_WIDTH);
      expect(t.height).toBe(Math.max(1, Math.ceil(n / 4096)));
      expect(t.data.length).toBe(t.width * t.height);
      // The shader's addressing: x = i & 4095, y = i >> 12.
      for (const i of [0, 4095, 4096, n - 1].filter((k) => k >= 0 && k < n)) expect(t.data[(i >> 12) * t.width + (i & 4095)]).toBe(sem[i]);
    }
    expect(() => semanticTextureData(new Uint16Array(3), 4)).toThrow(/3 bank rows for 4/);
  });

  it('holds up to 65536 bank-row flags in a 256-wide texture, reusing its array', () => {
    const full = new Uint8Array(65536);
    full[65535] = 1;
    const t = flagTextureData(full);
    expect([t.width, t.height]).toEqual([FLAG_TEXTURE_WIDTH, 256]);
    expect(t.data[(65535 >> 8) * 256 + (65535 & 255)]).toBe(1);
    const small = flagTextureData(Uint8Array.from([0, 1, 0, 1]), t.data);
    expect(small.data).toBe(t.data); // no new allocation: the same texture is re-uploaded
    expect(small.data[65535]).toBe(0); // stale flags cleared
    expect(Array.from(small.data.subarray(0, 5))).toEqual([0, 1, 0, 1, 0]);
    expect(flagTextureData(new Uint8Array(300), new Uint8Array(256)).data.length).toBe(512);
  });

  it('stores each box as two RGBA texels (min, max)', () => {
    const t = boxTextureData(Float32Array.from([1, 2, 3, 4, 5, 6, -1, -2, -3, 7, 8, 9]));
    expect(t.width).toBe(4);
    expect(Array.from(t.data)).toEqual([1, 2, 3, 0, 4, 5, 6, 0, -1, -2, -3, 0, 7, 8, 9, 0]);
    expect(boxTextureData(new Float32Array(0)).width).toBe(2);
  });
});
