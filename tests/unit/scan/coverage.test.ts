import { describe, expect, it } from 'vitest';
import { ScanSession, YawCoverage, coverageHint } from '../../../lib/pipeline/scan-session';
import type { Frame } from '../../../lib/capture/frame';

/** Camera-to-world turned `deg` about +y (positive = towards the left), at `pos`, optionally pitched down. */
function pose(deg: number, pos: [number, number, number] = [0, 1.5, 0], pitchDownDeg = 0): Float64Array {
  const a = (deg * Math.PI) / 180, p = (-pitchDownDeg * Math.PI) / 180;
  const c = Math.cos(a), s = Math.sin(a), cp = Math.cos(p), sp = Math.sin(p);
  // R = Ry(a) * Rx(p), column-major.
  const col0 = [c, 0, -s];
  const col1 = [s * sp, cp, c * sp];
  const col2 = [s * cp, -sp, c * cp];
  return Float64Array.from([...col0, 0, ...col1, 0, ...col2, 0, ...pos, 1]);
}

const frame = (id: string, deg: number): Frame => ({
  id,
  timestamp: 0,
  image: { width: 8, height: 8, data: new Uint8Array(8 * 8 * 3) },
  intrinsics: { fx: 8, fy: 8, cx: 4, cy: 4, width: 8, height: 8 },
  cameraToWorld: pose(deg),
});

describe('YawCoverage', () => {
  it('counts headings relative to the first keyframe, left positive', () => {
    const c = new YawCoverage(12, 1);
    expect(c.report()).toMatchObject({ uncovered: [], directions: [] });
    c.add(pose(30)); // the start heading, whatever it is in world terms
    c.add(pose(120)); // 90° to the left of it
    const r = c.report();
    expect(r.counts[0]).toBe(1);
    expect(r.counts[3]).toBe(1);
    expect(r.counts.reduce((a, b) => a + b, 0)).toBe(2);
    expect(r.directions).toEqual(['behind', 'right']);
    expect(coverageHint(r)).toBe('look around: behind, right not covered');
  });

  it('reports nothing once every direction was seen, and honours minKeyframes', () => {
    const c = new YawCoverage(12, 2);
    for (let d = 0; d < 360; d += 30) c.add(pose(d));
    expect(c.report().uncovered.length).toBe(12); // each sector seen once, twice needed
    for (let d = 0; d < 360; d += 30) c.add(pose(d + 5));
    const r = c.report();
    expect(r.uncovered).toEqual([]);
    expect(coverageHint(r)).toBeNull();
  });

  it('ignores cameras looking straight down and rejects bad poses', () => {
    const c = new YawCoverage();
    c.add(pose(0, [0, 1.5, 0], 89));
    expect(c.report().counts.every((n) => n === 0)).toBe(true);
    expect(() => c.add([1, 2, 3])).toThrow(/16 values/);
    expect(() => c.add(pose(Number.NaN))).toThrow(/non-finite/);
    expect(() => new YawCoverage(3)).toThrow(/sectors/);
    expect(() => new YawCoverage(12, 0)).toThrow(/minKeyframes/);
  });
});

describe('ScanSession coverage', () => {
  it('reports the directions its keyframes have not looked at', () => {
    const s = new ScanSession({ budget: 100 });
    s.add(frame('a', 0));
    s.add(frame('b', -90)); // to the right
    const cov = s.status().coverage;
    expect(cov.directions).toEqual(['left', 'behind']);
    s.add(frame('c', 90));
    s.add(frame('d', 180));
    expect(s.status().coverage.directions).toEqual([]);
  });
});
