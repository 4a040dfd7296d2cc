/** Checks that an answer lights up splats: a settled canvas shot, and how the picture changed against one before. */
import type { Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { shootElement } from './browser';
import { meanAbsDiff } from './pixels';

const CANVAS = '[data-testid="scene-canvas"] canvas';
/** The canvas once two shots 0.8 s apart agree (Spark regenerates, sorts and redraws on demand after a change). */
export async function settledCanvas(page: Page): Promise<Buffer> {
  let last = await shootElement(page, CANVAS);
  for (let i = 0; i < 20; i++) {
    await page.waitForTimeout(800);
    const next = await shootElement(page, CANVAS);
    if (meanAbsDiff(last, next) < 0.3) return next;
    last = next;
  }
  return last;
}

/**
 * Luma of `after` against `before`: the mean over the pixels that show the scene in `before` (brighter than
 * the dark clear colour and grid), and how many pixels got brighter without being an answer marker's
 * (yellow #ffd23f outline and leader, grey-white label): dimmed splats only get darker, so those are
 * the tinted ones (purple table splats mixed with the warm tint: about (80..128, 48..80, 64..96)).
 */
export function lumaChange(before: Buffer, after: Buffer) {
  const a = PNG.sync.read(before), b = PNG.sync.read(after);
  const luma = (d: Buffer, i: number) => 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2];
  const marker = (d: Buffer, i: number) => {
    const r = d[i], g = d[i + 1], bl = d[i + 2];
    return (r > 150 && g > 120 && bl < 0.75 * r) || (Math.max(r, g, bl) - Math.min(r, g, bl) < 24 && Math.min(r, g, bl) > 120);
  };
  let n = 0, sumA = 0, sumB = 0, brighter = 0;
  for (let i = 0; i < a.data.length; i += 4) {
    const la = luma(a.data, i), lb = luma(b.data, i);
    if (lb > la + 15 && !marker(b.data, i)) brighter++;
    if (la < 60) continue;
    n++;
    sumA += la;
    sumB += lb;
  }
  return { scenePixels: n / (a.data.length / 4), meanBefore: sumA / n, meanAfter: sumB / n, brighterPixels: brighter };
}

