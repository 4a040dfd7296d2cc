/**
 * Scan guidance: turns the keyframe selector's recent rejections and the image brightness into the
 * few warnings the user can act on (moving too fast, too dark, tracking lost). A warning stays up for
 * holdMs after its last cause so it does not flicker frame to frame. No DOM: unit-tested in Node.
 */
import type { KeyframeDecision } from '../../capture/keyframe-selector';
import type { RgbImage } from '../../capture/frame';

export type ScanWarning = 'too-fast' | 'too-dark' | 'tracking-lost';

export const WARNING_TEXT: Record<ScanWarning, string> = {
  'too-fast': 'Moving too fast: slow down so the images stay sharp.',
  'too-dark': 'Too dark: turn on a light; dark images give poor depth and colours.',
  'tracking-lost': 'Tracking lost: point the camera at textured surfaces and move slowly until it recovers.',
};

/** Mean luma 0..255 over a sparse grid of pixels (cheap enough for every keyframe). */
export function meanLuma(img: RgbImage, samples = 1024): number {
  const n = img.width * img.height;
  if (n === 0) throw new Error('meanLuma: empty image');
  const step = Math.max(1, Math.floor(n / samples));
  let s = 0, k = 0;
  for (let p = 0; p < n; p += step, k++) s += 0.299 * img.data[3 * p] + 0.587 * img.data[3 * p + 1] + 0.114 * img.data[3 * p + 2];
  return s / k;
}

export class ScanGuidance {
  private readonly last = new Map<ScanWarning, number>();
  constructor(private readonly opts: { holdMs?: number; darkLuma?: number } = {}) {}

  /** Feed every decision of the keyframe selector (timestamp: the XR frame time, ms). */
  decision(d: KeyframeDecision, timestamp: number): void {
    if (d.accepted) return;
    if (d.reason === 'too-fast' || d.reason === 'blurry') this.last.set('too-fast', timestamp);
    else if (d.reason === 'tracking-limited') this.last.set('tracking-lost', timestamp);
  }

  /** Feed a keyframe image's brightness. */
  brightness(luma: number, timestamp: number): void {
    if (luma < (this.opts.darkLuma ?? 40)) this.last.set('too-dark', timestamp);
  }

  /** Tracking lost outright (no viewer pose this frame). */
  trackingLost(timestamp: number): void {
    this.last.set('tracking-lost', timestamp);
  }

  active(now: number): ScanWarning[] {
    const hold = this.opts.holdMs ?? 1500;
    return [...this.last.entries()].filter(([, t]) => now - t <= hold).map(([w]) => w).sort();
  }
}
