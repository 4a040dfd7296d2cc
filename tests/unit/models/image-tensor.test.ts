import { describe, expect, it } from 'vitest';
import type { ImagePreprocess } from '../../../lib/inference/models/manifest';
import { imagesToTensor, resizedSize } from '../../../lib/inference/models/image-tensor';
import { syntheticImage } from '../../models/standin-fixtures';

const base: ImagePreprocess = { size: 8, resize: 'shortest-crop', interpolation: 'bicubic', rescale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1] };

describe('image preprocessing', () => {
  it('keeps a constant image constant and normalises with mean/std', () => {
    const img = syntheticImage(37, 21, [51, 102, 204]);
    const pre: ImagePreprocess = { ...base, mean: [0.1, 0.2, 0.3], std: [0.5, 0.25, 0.2] };
    const { data } = imagesToTensor([img], pre);
    const plane = 64;
    const expectC = [(0.2 - 0.1) / 0.5, (0.4 - 0.2) / 0.25, (0.8 - 0.3) / 0.2];
    for (let c = 0; c < 3; c++) for (let i = 0; i < plane; i++) expect(data[c * plane + i]).toBeCloseTo(expectC[c], 4);
  });

  it('shortest-crop keeps the centre and drops the sides', () => {
    // 30 x 10: left third red, middle third green, right third blue; the crop is the green middle.
    const img = syntheticImage(30, 10, [0, 255, 0], [
      { x: 0, y: 0, w: 10, h: 10, rgb: [255, 0, 0] },
      { x: 20, y: 0, w: 10, h: 10, rgb: [0, 0, 255] },
    ]);
    const pre: ImagePreprocess = { ...base, size: 10, interpolation: 'bilinear' };
    expect(resizedSize(30, 10, pre)).toEqual({ w: 30, h: 10 });
    const { data, infos } = imagesToTensor([img], pre);
    expect(infos[0].cropLeft).toBe(10);
    const plane = 100;
    for (let i = 0; i < plane; i++) {
      expect(data[i]).toBeCloseTo(0, 4); // red channel
      expect(data[plane + i]).toBeCloseTo(1, 4); // green channel
      expect(data[2 * plane + i]).toBeCloseTo(0, 4); // blue channel
    }
  });

  it('longest-pad resizes the long side and pads with 0 after normalising', () => {
    const img = syntheticImage(40, 20, [255, 255, 255]);
    const pre: ImagePreprocess = { ...base, size: 16, resize: 'longest-pad', interpolation: 'bilinear', mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] };
    expect(resizedSize(40, 20, pre)).toEqual({ w: 16, h: 8 });
    const { data } = imagesToTensor([img], pre);
    expect(data[0]).toBeCloseTo(1, 5); // white -> (1 - 0.5) / 0.5
    expect(data[7 * 16 + 15]).toBeCloseTo(1, 5);
    expect(data[8 * 16]).toBe(0); // padding row
    expect(data[15 * 16 + 15]).toBe(0);
  });

  it('antialiases when shrinking (a fine checkerboard becomes mid-grey)', () => {
    const w = 64;
    const img = syntheticImage(w, w, [0, 0, 0]);
    for (let y = 0; y < w; y++) for (let x = 0; x < w; x++) if ((x + y) % 2 === 0) img.data.set([255, 255, 255], (y * w + x) * 3);
    const { data } = imagesToTensor([img], { ...base, size: 8, resize: 'squash', interpolation: 'bilinear' });
    for (let i = 0; i < 64; i++) expect(data[i]).toBeCloseTo(0.5, 1);
  });

  it('rejects malformed images', () => {
    expect(() => imagesToTensor([{ width: 3, height: 3, data: new Uint8Array(5) }], base)).toThrow(/27 bytes/);
  });
});
