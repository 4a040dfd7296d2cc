import { describe, expect, it } from 'vitest';
import { fromRowMajorRows, invertRigid, multiply, rigidPoseProblem, transformPoint } from '../../../lib/capture/pose';

describe('pose helpers', () => {
  const rows = [
    [0, -1, 0, 1],
    [1, 0, 0, 2],
    [0, 0, 1, 3],
    [0, 0, 0, 1],
  ];
  it('converts row-major rows to column-major elements', () => {
    const m = fromRowMajorRows(rows);
    expect(m[12]).toBe(1);
    expect(m[1]).toBe(1);
    expect(transformPoint(m, 1, 0, 0)).toEqual([1, 3, 3]);
  });
  it('inverts a rigid transform', () => {
    const m = fromRowMajorRows(rows);
    const id = multiply(m, invertRigid(m));
    for (let i = 0; i < 16; i++) expect(id[i]).toBeCloseTo(i % 5 === 0 ? 1 : 0, 12);
  });
  it('names what makes a pose unusable', () => {
    expect(rigidPoseProblem(fromRowMajorRows(rows))).toBeNull();
    const nan = fromRowMajorRows(rows);
    nan[13] = NaN;
    expect(rigidPoseProblem(nan)).toMatch(/not finite/);
    const scaled = fromRowMajorRows(rows);
    scaled[0] = 2;
    expect(rigidPoseProblem(scaled)).toMatch(/orthonormal/);
    const mirror = fromRowMajorRows([[-1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]);
    expect(rigidPoseProblem(mirror)).toMatch(/reflection/);
  });
});
