/**
 * Figures for novel-view evaluation: per-pixel error heat maps and side-by-side panels
 * (photo | render | error). Images are interleaved RGB, floats 0..1 or bytes 0..255.
 */

export interface Panel {
  width: number;
  height: number;
  /** Interleaved RGB: Float32Array 0..1 or Uint8Array 0..255. */
  rgb: Float32Array | Uint8Array;
}

const toByte = (v: number, float: boolean): number => {
  const x = float ? v * 255 : v;
  return x <= 0 ? 0 : x >= 255 ? 255 : Math.round(x);
};

/** A colour ramp black -> blue -> red -> yellow -> white for t in 0..1 (perceptually ordered, prints in grey). */
export function heatColor(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0));
  const stops: [number, number, number, number][] = [
    [0, 0, 0, 0],
    [0.25, 30, 40, 160],
    [0.5, 200, 40, 60],
    [0.75, 250, 200, 40],
    [1, 255, 255, 255],
  ];
  for (let i = 1; i < stops.length; i++) {
    if (x <= stops[i][0]) {
      const [t0, r0, g0, b0] = stops[i - 1], [t1, r1, g1, b1] = stops[i];
      const a = (x - t0) / (t1 - t0);
      return [Math.round(r0 + a * (r1 - r0)), Math.round(g0 + a * (g1 - g0)), Math.round(b0 + a * (b1 - b0))];
    }
  }
  return [255, 255, 255];
}

/**
 * Heat map of the per-pixel RMS error over channels between two images (both 0..1 floats), with
 * `maxError` (default 0.5) mapped to white. Output RGB bytes.
 */
export function errorHeatmap(a: Float32Array, b: Float32Array, width: number, height: number, maxError = 0.5): Uint8Array {
  const n = width * height;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) throw new Error(`errorHeatmap: bad size ${width}x${height}`);
  if (a.length !== 3 * n || b.length !== 3 * n) throw new Error(`errorHeatmap: images must hold ${3 * n} values (got ${a.length} and ${b.length})`);
  if (!(maxError > 0)) throw new Error(`errorHeatmap: maxError must be positive, got ${maxError}`);
  const out = new Uint8Array(3 * n);
  for (let i = 0; i < n; i++) {
    const dr = a[3 * i] - b[3 * i], dg = a[3 * i + 1] - b[3 * i + 1], db = a[3 * i + 2] - b[3 * i + 2];
    const e = Math.sqrt((dr * dr + dg * dg + db * db) / 3);
    const c = heatColor(e / maxError);
    out[3 * i] = c[0];
    out[3 * i + 1] = c[1];
    out[3 * i + 2] = c[2];
  }
  return out;
}

/** Panels of equal height placed left to right with `gap` pixels of `gapColor` between them. RGB bytes. */
export function sideBySide(panels: Panel[], gap = 4, gapColor: [number, number, number] = [255, 255, 255]): { width: number; height: number; data: Uint8Array } {
  if (!panels.length) throw new Error('sideBySide: no panels');
  const H = panels[0].height;
  for (const p of panels) {
    if (p.height !== H) throw new Error(`sideBySide: panels differ in height (${p.height} vs ${H})`);
    if (p.rgb.length !== p.width * p.height * 3) throw new Error(`sideBySide: a ${p.width}x${p.height} panel holds ${p.rgb.length} values`);
  }
  const W = panels.reduce((s, p) => s + p.width, 0) + gap * (panels.length - 1);
  const data = new Uint8Array(W * H * 3);
  for (let i = 0; i < W * H; i++) data.set(gapColor, i * 3);
  let x0 = 0;
  for (const p of panels) {
    const float = p.rgb instanceof Float32Array;
    for (let y = 0; y < H; y++)
      for (let x = 0; x < p.width; x++) {
        const s = (y * p.width + x) * 3, d = (y * W + x0 + x) * 3;
        data[d] = toByte(p.rgb[s], float);
        data[d + 1] = toByte(p.rgb[s + 1], float);
        data[d + 2] = toByte(p.rgb[s + 2], float);
      }
    x0 += p.width + gap;
  }
  return { width: W, height: H, data };
}
