/**
 * Driving the emulated Quest 3 (iwer) from a browser test: the page exposes the device as
 * window.__segsplatXrDevice under ?xr-emulate (lib/web/xr-emulation.ts). Software rendering gives
 * about one XR frame a second, so tests wait for frames, never for time.
 */
import type { Page } from 'playwright-core';

/** The parts of iwer's XRDevice the tests touch (structural: the page's object is iwer's). */
export interface Vec {
  set(x: number, y: number, z: number, w?: number): void;
}
export interface Tracked {
  position: Vec;
  quaternion: Vec;
}
export interface EmulatedDevice {
  position: Vec;
  quaternion: Vec;
  primaryInputMode: 'controller' | 'hand';
  controllers: Record<'left' | 'right', Tracked & { updateButtonValue(id: string, v: number): void; getButtonValue(id: string): number; updateAxes(id: string, x: number, y: number): void }>;
  hands: Record<'left' | 'right', Tracked & { updatePinchValue(v: number): void; pinchValue: number }>;
}
type Win = { __segsplatXrDevice: EmulatedDevice };

/** Runs `fn(device, arg)` in the page (fn is serialised: it may use only its arguments). */
export const dev = <A, R>(page: Page, fn: (d: EmulatedDevice, a: A) => R, arg: A): Promise<R> =>
  page.evaluate(({ src, a }) => new Function('d', 'a', `return (${src})(d, a)`)((window as unknown as Win).__segsplatXrDevice, a) as R, { src: fn.toString(), a: arg });

/** iwer's time of the last XR frame (its private device state, found by the symbol's name). */
const frameTime = (page: Page) =>
  page.evaluate(() => {
    const d = (window as unknown as Win).__segsplatXrDevice as unknown as Record<symbol, { lastFrameTime: number }>;
    const sym = Object.getOwnPropertySymbols(d).find((s) => s.description === '@iwer/xr-device')!;
    return d[sym].lastFrameTime;
  });

/** Waits until `n` more XR frames have started (each one runs the page's frame callbacks). */
export async function frames(page: Page, n = 2): Promise<void> {
  for (let i = 0; i < n; i++) {
    const t = await frameTime(page);
    await page.waitForFunction(
      (t0) => {
        const d = (window as unknown as Win).__segsplatXrDevice as unknown as Record<symbol, { lastFrameTime: number }>;
        const sym = Object.getOwnPropertySymbols(d).find((s) => s.description === '@iwer/xr-device')!;
        return d[sym].lastFrameTime > t0;
      },
      t,
      { timeout: 60_000, polling: 50 },
    );
  }
}

/** Clicks through the DOM: in the emulated session iwer's canvas lies over the page and takes pointer events. */
export const press = (page: Page, sel: string) => page.locator(sel).evaluate((el) => (el as HTMLElement).click());
