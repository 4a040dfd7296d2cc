import { readFileSync } from 'node:fs';
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { loadFastDepth, resizeDepth } from '../../../lib/inference/models/fastdepth';
import { shippedManifest } from '../../../lib/inference/models/manifest';
import { DirectoryModelSource } from '../../../lib/inference/models/node-model-source';
import { loadNodeOrt } from '../../../lib/inference/runtime/node-ort';

const FOX = new URL('../../../../shared/data/fox/images/0001.jpg', import.meta.url);

describe('FastDepth (the real bundled model)', () => {
  it('estimates plausible metric depth on a real photo, at the photo size', async () => {
    const ort = await loadNodeOrt();
    const source = new DirectoryModelSource({ checkHash: true });
    const depth = await loadFastDepth(ort, shippedManifest(), source);
    expect(depth.model.provider).toBe('cpu');
    const decoded = jpeg.decode(readFileSync(FOX), { useTArray: true, formatAsRGBA: true });
    // Halve the 1080 x 1920 photo by 2x2 averaging to keep the test light.
    const w = decoded.width >> 1;
    const h = decoded.height >> 1;
    const data = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let c = 0; c < 3; c++) {
          let s = 0;
          for (let dy = 0; dy < 2; dy++) for (let dx = 0; dx < 2; dx++) s += decoded.data[((2 * y + dy) * decoded.width + 2 * x + dx) * 4 + c];
          data[(y * w + x) * 3 + c] = s >> 2;
        }
      }
    }
    const raw = await depth.estimateRaw({ width: w, height: h, data });
    expect([raw.width, raw.height]).toEqual([224, 224]);
    const out = await depth.estimate({ width: w, height: h, data });
    expect([out.width, out.height]).toEqual([w, h]);
    expect(out.data.length).toBe(w * h);
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    for (const v of out.data) {
      min = Math.min(min, v);
      max = Math.max(max, v);
      sum += v;
    }
    const mean = sum / out.data.length;
    // An indoor table-top scene: depths of a fraction of a metre to a few metres, not a constant map.
    expect(min).toBeGreaterThan(0.05);
    expect(max).toBeLessThan(20);
    expect(mean).toBeGreaterThan(0.3);
    expect(mean).toBeLessThan(10);
    expect(max - min).toBeGreaterThan(0.2);
  });

  it('resizes depth bilinearly, keeping constant maps constant', () => {
    const src = { width: 2, height: 2, data: new Float32Array([1, 2, 3, 4]) };
    const up = resizeDepth(src, 4, 4);
    expect(up.data[0]).toBeCloseTo(1, 6);
    expect(up.data[15]).toBeCloseTo(4, 6);
    expect(up.data[5]).toBeCloseTo(1 + 0.25 + 0.5, 6);
    const flat = resizeDepth({ width: 3, height: 3, data: new Float32Array(9).fill(2.5) }, 7, 5);
    expect(flat.data.every((v) => Math.abs(v - 2.5) < 1e-6)).toBe(true);
    expect(() => resizeDepth(src, 0, 3)).toThrow(/positive integers/);
  });
});
