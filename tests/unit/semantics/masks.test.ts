import { describe, expect, it } from 'vitest';
import type { DepthMap, RgbImage } from '../../../lib/capture/frame';
import type { PointPredictions, PromptableSegmenter, SamImageEmbedding } from '../../../lib/inference/sam/promptable-segmenter';
import { maskToImage, stabilityScores } from '../../../lib/inference/sam/mask-postprocess';
import { SamAutoMaskGenerator, pointGrid } from '../../../lib/inference/masks/sam-auto-masks';
import { GraphSegmentationGenerator, orderEdges, segmentGraph } from '../../../lib/inference/masks/graph-segmentation';
import { connectedComponents, removeSmallRegions } from '../../../lib/inference/masks/mask-regions';
import { maskStats } from '../../../lib/inference/masks/mask-generator';
import { mulberry32 } from '../../../lib/inference/semantics/seeded-random';

const W = 64;
const H = 48;
const GREY = [128, 128, 128];
const RED = [220, 30, 30];
const BLUE = [30, 30, 220];
const SPECK: [number, number] = [45, 30]; // red pixel inside the blue box, no grid prompt lands on it

function syntheticImage(): RgbImage {
  const data = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      let c = GREY;
      if (x >= 8 && x < 24 && y >= 8 && y < 24) c = RED;
      if (x >= 36 && x < 56 && y >= 20 && y < 40) c = BLUE;
      if (x === SPECK[0] && y === SPECK[1]) c = RED;
      data.set(c, (y * W + x) * 3);
    }
  return { width: W, height: H, data };
}

/** 4-connected flood fill of the colour under (x, y). */
function floodRegion(img: RgbImage, x: number, y: number): Uint8Array {
  const m = new Uint8Array(W * H);
  const p0 = (y * W + x) * 3;
  const same = (p: number) => img.data[p * 3] === img.data[p0] && img.data[p * 3 + 1] === img.data[p0 + 1] && img.data[p * 3 + 2] === img.data[p0 + 2];
  const stack = [y * W + x];
  m[y * W + x] = 1;
  while (stack.length) {
    const p = stack.pop()!;
    const px = p % W, py = (p - px) / W;
    for (const [dx, dy] of [[1, 0], [-1, 0], [0, 1], [0, -1]]) {
      const nx = px + dx, ny = py + dy;
      if (nx < 0 || ny < 0 || nx >= W || ny >= H) continue;
      const q = ny * W + nx;
      if (!m[q] && same(q)) {
        m[q] = 1;
        stack.push(q);
      }
    }
  }
  return m;
}

function dilate(m: Uint8Array, r: number): Uint8Array {
  let cur = m;
  for (let k = 0; k < r; k++) {
    const out = cur.slice();
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++)
        if (cur[y * W + x]) for (const [dx, dy] of [[1, 0], [-1, 0], [0, 1], [0, -1]]) {
          const nx = x + dx, ny = y + dy;
          if (nx >= 0 && ny >= 0 && nx < W && ny < H) out[ny * W + nx] = 1;
        }
    cur = out;
  }
  return cur;
}

/**
 * Fake SAM: the mask grid equals the image grid (scale 1, inputSize 64). Per prompt, 5 candidates:
 * 0 the flood-filled region (IoU 0.95), 1 a dilated duplicate (0.93), 2 the region with weak logits
 * (unstable, 0.97), 3 a random blob with low predicted IoU (0.5), 4 the region plus a 4-px ring
 * (0.9, overlaps its neighbours).
 */
class FakeSegmenter implements PromptableSegmenter {
  readonly id = 'fake-sam';
  readonly inputSize = 64;
  readonly maxPromptsPerBatch = 32;
  private images = new WeakMap<SamImageEmbedding, RgbImage>();
  async embedImage(image: RgbImage): Promise<SamImageEmbedding> {
    const e: SamImageEmbedding = { modelId: this.id, imageWidth: image.width, imageHeight: image.height, inputSize: 64, scale: 64 / Math.max(image.width, image.height), tensors: {} };
    this.images.set(e, image);
    return e;
  }
  async predictPoints(e: SamImageEmbedding, points: Float32Array, labels: Int32Array): Promise<PointPredictions> {
    const img = this.images.get(e)!;
    const n = labels.length;
    const M = 5;
    const plane = 64 * 64;
    const logits = new Float32Array(n * M * plane).fill(-8);
    const iou = new Float32Array(n * M);
    const rand = mulberry32(n);
    const put = (c: number, m: Uint8Array, inside: number, outside: number) => {
      for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) logits[c * plane + y * 64 + x] = y < H && x < W && m[y * W + x] ? inside : outside;
    };
    for (let i = 0; i < n; i++) {
      const region = floodRegion(img, Math.floor(points[2 * i]), Math.floor(points[2 * i + 1]));
      put(i * M, region, 8, -8);
      iou[i * M] = 0.95;
      put(i * M + 1, dilate(region, 1), 8, -8);
      iou[i * M + 1] = 0.93;
      put(i * M + 2, region, 0.5, -0.5);
      iou[i * M + 2] = 0.97;
      const blob = new Uint8Array(W * H).map(() => (rand() < 0.3 ? 1 : 0));
      put(i * M + 3, blob, 8, -8);
      iou[i * M + 3] = 0.5;
      put(i * M + 4, dilate(region, 4), 8, -8);
      iou[i * M + 4] = 0.9;
    }
    return {
      count: n, masksPerPrompt: M, maskWidth: 64, maskHeight: 64, validWidth: W, validHeight: H, logits, iou,
      stability: stabilityScores(logits, n * M, 64, 64, W, H),
    };
  }
}

const at = (labels: Int32Array, x: number, y: number) => labels[y * W + x];

describe('SAM automatic masks', () => {
  it('recovers the regions, fills holes, filters unstable / low-IoU candidates, and NMS drops duplicates', async () => {
    const gen = new SamAutoMaskGenerator(new FakeSegmenter(), { pointsPerSide: 16, minRegionArea: 10 });
    const ms = await gen.generate({ image: syntheticImage() });
    const s = gen.lastStats!;
    expect(s.prompts).toBe(256);
    expect(s.candidates).toBe(256 * 5);
    // Unstable (2) and low-IoU (3) candidates never pass: at most 3 of 5 per prompt.
    expect(s.afterFilters).toBe(256 * 3);
    // Duplicates (same region from many prompts, dilated copies) collapse to: 3 regions + rings that
    // overlap less than 0.7 with their region.
    expect(s.afterNms).toBeLessThan(10);
    expect(ms.count).toBe(3);
    const red = at(ms.labels, 10, 10), blue = at(ms.labels, 40, 25), bg = at(ms.labels, 1, 1);
    expect(new Set([red, blue, bg]).size).toBe(3);
    expect(Math.min(red, blue, bg)).toBeGreaterThan(0);
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const inRed = x >= 8 && x < 24 && y >= 8 && y < 24;
        const inBlue = x >= 36 && x < 56 && y >= 20 && y < 40;
        expect(at(ms.labels, x, y)).toBe(inRed ? red : inBlue ? blue : bg);
      }
    // The speck was a one-pixel hole in the blue mask: filled.
    expect(at(ms.labels, SPECK[0], SPECK[1])).toBe(blue);
    expect(Array.from(ms.boxes.subarray((red - 1) * 4, red * 4))).toEqual([8, 8, 24, 24]);
    expect(ms.areas[red - 1]).toBe(256);
    expect(ms.areas[blue - 1]).toBe(400);
    expect(ms.scores[red - 1]).toBeCloseTo(0.95, 5);
  });

  it('a looser NMS lets the dilated duplicates through; overlap resolution then leaves them no pixels', async () => {
    const strict = new SamAutoMaskGenerator(new FakeSegmenter(), { pointsPerSide: 16, minRegionArea: 10 });
    await strict.generate({ image: syntheticImage() });
    const loose = new SamAutoMaskGenerator(new FakeSegmenter(), { pointsPerSide: 16, minRegionArea: 10, nmsIouThreshold: 0.99 });
    const ms = await loose.generate({ image: syntheticImage() });
    expect(loose.lastStats!.afterNms).toBeGreaterThan(strict.lastStats!.afterNms);
    // Equal-score ties go to the larger mask (background claims the rings); duplicates end empty.
    expect(ms.count).toBe(3);
    const st = maskStats(ms.labels, W, H, ms.count);
    expect(Array.from(st.areas)).toEqual(Array.from(ms.areas));
    expect(ms.areas.reduce((a, b) => a + b, 0)).toBe(W * H);
  });

  it('overlap "smaller" puts small masks on top: the 4-px ring survives around the red box', async () => {
    const gen = new SamAutoMaskGenerator(new FakeSegmenter(), { pointsPerSide: 16, minRegionArea: 10, overlap: 'smaller' });
    const ms = await gen.generate({ image: syntheticImage() });
    const red = at(ms.labels, 10, 10);
    const ring = at(ms.labels, 6, 10);
    const bg = at(ms.labels, 1, 1);
    expect(ring).not.toBe(red);
    expect(ring).not.toBe(bg);
    expect(ring).toBeGreaterThan(0);
    // With 'score', the background (0.95) outranks the ring (0.9) and takes those pixels.
    const byScore = await new SamAutoMaskGenerator(new FakeSegmenter(), { pointsPerSide: 16, minRegionArea: 10 }).generate({ image: syntheticImage() });
    expect(at(byScore.labels, 6, 10)).toBe(at(byScore.labels, 1, 1));
  });

  it('rejects bad options and inconsistent segmenter output', async () => {
    expect(() => new SamAutoMaskGenerator(new FakeSegmenter(), { predIouThreshold: 1.5 })).toThrow(/predIouThreshold/);
    expect(() => new SamAutoMaskGenerator(new FakeSegmenter(), { pointsPerSide: 0 })).toThrow(/pointsPerSide/);
    const bad = new FakeSegmenter();
    bad.predictPoints = async (e, p, l) => ({ ...(await FakeSegmenter.prototype.predictPoints.call(bad, e, p, l)), iou: new Float32Array(1) });
    await expect(new SamAutoMaskGenerator(bad, { pointsPerSide: 2 }).generate({ image: syntheticImage() })).rejects.toThrow(/IoU predictions/);
    await expect(new SamAutoMaskGenerator(new FakeSegmenter()).generate({ image: { width: 4, height: 4, data: new Uint8Array(3) } })).rejects.toThrow(/image data/);
  });

  it('pointGrid puts prompts at cell centres', () => {
    const g = pointGrid(2, 100, 50);
    expect(Array.from(g)).toEqual([25, 12.5, 75, 12.5, 25, 37.5, 75, 37.5]);
  });
});

/**
 * SAM-like geometry: a 16x16 logit grid covering a 64x64 padded input (4x coarser than the 64x48
 * image). Logits are a smooth signed distance to a box in grid cells, so upsampling matters.
 */
class LowResSegmenter extends FakeSegmenter {
  async predictPoints(e: SamImageEmbedding, points: Float32Array, labels: Int32Array): Promise<PointPredictions> {
    const n = labels.length;
    const plane = 16 * 16;
    const logits = new Float32Array(n * plane);
    const box = [3.2, 2.6, 9.7, 7.3]; // x0, y0, x1, y1 in grid cells
    for (let i = 0; i < n; i++) {
      const gx = points[2 * i] / 4, gy = points[2 * i + 1] / 4;
      const inBox = gx > box[0] && gx < box[2] && gy > box[1] && gy < box[3];
      for (let y = 0; y < 16; y++)
        for (let x = 0; x < 16; x++) {
          const d = Math.min(x + 0.5 - box[0], box[2] - x - 0.5, y + 0.5 - box[1], box[3] - y - 0.5);
          logits[i * plane + y * 16 + x] = (inBox ? 1 : -1) * 3 * d;
        }
    }
    const iou = new Float32Array(n).fill(0.95);
    return { count: n, masksPerPrompt: 1, maskWidth: 16, maskHeight: 16, validWidth: 16, validHeight: 12, logits, iou, stability: stabilityScores(logits, n, 16, 16, 16, 12) };
  }
}

describe('SAM automatic masks on a low-resolution logit grid', () => {
  it('upsamples exactly like maskToImage (the shared postprocess)', async () => {
    const seg = new LowResSegmenter();
    const image = syntheticImage();
    const ms = await new SamAutoMaskGenerator(seg, { pointsPerSide: 8, stabilityThreshold: 0, minRegionArea: 1 }).generate({ image });
    const emb = await seg.embedImage(image);
    const pred = await seg.predictPoints(emb, Float32Array.from([24, 20]), Int32Array.from([1]));
    const ref = maskToImage(pred, emb, 0, 0);
    const id = ms.labels[20 * W + 24];
    expect(id).toBeGreaterThan(0);
    let area = 0;
    for (let i = 0; i < W * H; i++) {
      expect(ms.labels[i] === id ? 1 : 0).toBe(ref[i]);
      area += ref[i];
    }
    expect(area).toBeGreaterThan(300);
    expect(ms.count).toBe(2); // the box and its complement
  });
});

describe('small-region removal', () => {
  it('fills small holes and drops small islands, keeping the largest island if all are small', () => {
    const w = 20, h = 20;
    const m = new Uint8Array(w * h);
    for (let y = 2; y < 12; y++) for (let x = 2; x < 12; x++) m[y * w + x] = 1;
    m[5 * w + 5] = 0; // 1-px hole
    m[18 * w + 18] = 1; // 1-px island
    expect(connectedComponents(m, w, h, 1).areas.length).toBe(2);
    const area = removeSmallRegions(m, w, h, 5);
    expect(area).toBe(100);
    expect(m[5 * w + 5]).toBe(1);
    expect(m[18 * w + 18]).toBe(0);
    const tiny = new Uint8Array(w * h);
    tiny[0] = 1;
    tiny[3 * w + 3] = tiny[3 * w + 4] = 1;
    expect(removeSmallRegions(tiny, w, h, 50)).toBe(2);
    expect(tiny[3 * w + 3]).toBe(1);
  });
});

describe('graph segmentation (Felzenszwalb-Huttenlocher on colour + depth + normals)', () => {
  const GW = 80, GH = 60;
  // Left box and right box share a colour and touch; only depth separates them.
  const boxes = [
    { x0: 10, y0: 10, x1: 35, y1: 45, rgb: [200, 60, 50], z: 1.0 },
    { x0: 35, y0: 10, x1: 60, y1: 45, rgb: [200, 60, 50], z: 2.0 },
    { x0: 62, y0: 30, x1: 76, y1: 55, rgb: [40, 160, 60], z: 1.5 },
  ];
  function scene(): { image: RgbImage; depth: DepthMap } {
    const rand = mulberry32(3);
    const data = new Uint8Array(GW * GH * 3);
    const z = new Float32Array(GW * GH);
    for (let y = 0; y < GH; y++)
      for (let x = 0; x < GW; x++) {
        let rgb = [150, 150, 170];
        let d = 3;
        for (const b of boxes) if (x >= b.x0 && x < b.x1 && y >= b.y0 && y < b.y1) [rgb, d] = [b.rgb, b.z];
        for (let c = 0; c < 3; c++) data[(y * GW + x) * 3 + c] = Math.max(0, Math.min(255, rgb[c] + Math.round((rand() - 0.5) * 12)));
        z[y * GW + x] = d;
      }
    const intr = { fx: 60, fy: 60, cx: 40, cy: 30, width: GW, height: GH };
    return { image: { width: GW, height: GH, data }, depth: { width: GW, height: GH, data: z, intrinsics: intr } };
  }
  const lab = (l: Int32Array, x: number, y: number) => l[y * GW + x];

  it('recovers the boxes, separating same-coloured boxes by depth', async () => {
    const { image, depth } = scene();
    const ms = await new GraphSegmentationGenerator({ minSize: 30 }).generate({ image, depth });
    const ids = boxes.map((b) => lab(ms.labels, (b.x0 + b.x1) >> 1, (b.y0 + b.y1) >> 1));
    const bg = lab(ms.labels, 2, 2);
    expect(new Set([...ids, bg]).size).toBe(4);
    boxes.forEach((b, i) => {
      let inside = 0;
      for (let y = b.y0; y < b.y1; y++) for (let x = b.x0; x < b.x1; x++) if (lab(ms.labels, x, y) === ids[i]) inside++;
      const area = (b.x1 - b.x0) * (b.y1 - b.y0);
      expect(inside / area).toBeGreaterThan(0.95);
      // Mask area matches the box (no leaking into neighbours).
      expect(ms.areas[ids[i] - 1]).toBeLessThan(area * 1.05);
    });
    expect(ms.labels.every((l) => l >= 1 && l <= ms.count)).toBe(true);
  });

  it('without depth the touching same-coloured boxes merge (depth is what splits them)', () => {
    const { image } = scene();
    const ms = segmentGraph({ image }, { minSize: 30 });
    expect(lab(ms.labels, 20, 20)).toBe(lab(ms.labels, 50, 20));
    expect(lab(ms.labels, 20, 20)).not.toBe(lab(ms.labels, 2, 2));
  });

  it('min-size merge leaves no component below minSize', () => {
    const { image, depth } = scene();
    const ms = segmentGraph({ image, depth }, { k: 0.05, minSize: 40 });
    expect(Math.min(...ms.areas)).toBeGreaterThanOrEqual(40);
  });

  it('orders edges by weight with the counting sort', () => {
    const rand = mulberry32(4);
    const w = Float32Array.from({ length: 5000 }, () => rand() * 3);
    const order = orderEdges(w, w.length);
    expect(new Set(order).size).toBe(5000);
    for (let i = 1; i < order.length; i++) expect(w[order[i]]).toBeGreaterThanOrEqual(w[order[i - 1]] - 3 / 65535);
    expect(() => orderEdges(Float32Array.from([1, NaN]), 2)).toThrow(/weight NaN/);
  });

  it('rejects bad input', () => {
    expect(() => segmentGraph({ image: { width: 2, height: 2, data: new Uint8Array(5) } })).toThrow(/image data/);
    const { image } = scene();
    expect(() => segmentGraph({ image }, { minSize: 0 })).toThrow(/minSize/);
  });
});
