import { describe, expect, it } from 'vitest';
import { SpatialHash } from '../../../lib/splat/spatial-hash';

function chain(h: SpatialHash, level: number, x: number, y: number, z: number): number[] {
  const out: number[] = [];
  for (let e = h.head(level, x, y, z); e !== -1; e = h.nextEntry(e)) out.push(h.idOf(e));
  return out.sort((a, b) => a - b);
}

describe('SpatialHash', () => {
  it('finds every id in its cell across table growth, and nothing in empty cells', () => {
    const h = new SpatialHash(0.01, 4);
    const want = new Map<string, number[]>();
    let id = 0;
    for (let x = -20; x < 20; x += 3)
      for (let y = -5; y < 5; y++)
        for (let lv = 0; lv < 3; lv++) {
          const n = 1 + ((x + y + lv) & 3);
          for (let k = 0; k < n; k++) {
            h.insert(lv, x, y, 7, id);
            const key = `${lv}:${x}:${y}`;
            want.set(key, [...(want.get(key) ?? []), id++]);
          }
        }
    expect(h.size).toBe(id);
    for (const [key, ids] of want) {
      const [lv, x, y] = key.split(':').map(Number);
      expect(chain(h, lv, x, y, 7)).toEqual(ids);
    }
    expect(h.head(0, 1000, 0, 7)).toBe(-1);
    expect(h.head(5, -20, -5, 7)).toBe(-1);
    expect(h.levelCount[0] + h.levelCount[1] + h.levelCount[2]).toBe(id);
    h.clear();
    expect(h.size).toBe(0);
    expect(h.head(0, -20, -5, 7)).toBe(-1);
  });

  it('wraps coordinates at 16 bits: far cells share a chain (callers check distances)', () => {
    const h = new SpatialHash(1);
    h.insert(2, 5, 0, 0, 1);
    h.insert(2, 5 + 65536, 0, 0, 2);
    expect(chain(h, 2, 5, 0, 0)).toEqual([1, 2]);
    expect(chain(h, 3, 5, 0, 0)).toEqual([]);
  });

  it('chooses the smallest level whose cell covers an extent', () => {
    const h = new SpatialHash(0.001);
    expect(h.levelFor(0.0005)).toBe(0);
    expect(h.levelFor(0.001)).toBe(0);
    expect(h.levelFor(0.0011)).toBe(1);
    expect(h.cellSize(h.levelFor(0.05))).toBeGreaterThanOrEqual(0.05);
    expect(h.cellSize(h.levelFor(0.05)) / 2).toBeLessThan(0.05);
    expect(h.levelFor(1e9)).toBe(15);
    expect(() => new SpatialHash(0)).toThrow(/base cell size/);
  });
});
