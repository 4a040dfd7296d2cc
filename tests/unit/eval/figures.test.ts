import { describe, expect, it } from 'vitest';
import { errorHeatmap, heatColor, sideBySide } from '../../../lib/eval/image-panels';
import { barChartSvg } from '../../../lib/eval/svg-chart';

describe('error heat map and panels', () => {
  it('maps zero error to black and maxError (or more) to white, monotonically brighter', () => {
    const a = new Float32Array([0, 0, 0, 0.5, 0.5, 0.5, 1, 1, 1, 0.25, 0.25, 0.25]);
    const b = new Float32Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const h = errorHeatmap(a, b, 4, 1, 0.5);
    expect([...h.slice(0, 3)]).toEqual([0, 0, 0]);
    expect([...h.slice(3, 6)]).toEqual([255, 255, 255]);
    expect([...h.slice(6, 9)]).toEqual([255, 255, 255]);
    const lum = (i: number) => h[3 * i] + h[3 * i + 1] + h[3 * i + 2];
    expect(lum(3)).toBeGreaterThan(lum(0));
    expect(lum(1)).toBeGreaterThan(lum(3));
    for (let t = 0; t < 1; t += 0.05) {
      const s0 = heatColor(t).reduce((x, y) => x + y), s1 = heatColor(t + 0.05).reduce((x, y) => x + y);
      expect(s1).toBeGreaterThanOrEqual(s0 - 60); // ordered ramp (hue changes allow small dips)
    }
    expect(() => errorHeatmap(a, b, 3, 1)).toThrow(/must hold/);
  });
  it('places panels left to right with a gap', () => {
    const p1 = { width: 2, height: 1, rgb: new Float32Array([1, 0, 0, 1, 0, 0]) };
    const p2 = { width: 1, height: 1, rgb: new Uint8Array([0, 0, 255]) };
    const s = sideBySide([p1, p2], 1, [9, 9, 9]);
    expect(s.width).toBe(4);
    expect([...s.data]).toEqual([255, 0, 0, 255, 0, 0, 9, 9, 9, 0, 0, 255]);
    expect(() => sideBySide([p1, { width: 1, height: 2, rgb: new Uint8Array(6) }])).toThrow(/height/);
  });
});

describe('barChartSvg', () => {
  it('draws one bar per measured value with its label, skips nulls, escapes text', () => {
    const svg = barChartSvg({ title: 'A < B', categories: ['x', 'y'], series: [{ name: 's1', values: [1.5, null] }, { name: 's2', values: [2, 3] }], references: [{ value: 2.5, label: 'target' }] });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('A &lt; B');
    expect((svg.match(/<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="[\d.]+" fill="[^"]+"><title>/g) ?? []).length).toBe(3);
    expect(svg).toContain('>1.50<');
    expect(svg).toContain('target');
    expect(() => barChartSvg({ title: 't', categories: ['a'], series: [{ name: 's', values: [1, 2] }] })).toThrow(/2 values for 1 categories/);
  });
});
