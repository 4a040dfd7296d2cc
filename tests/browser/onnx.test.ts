/**
 * (c) onnxruntime-web runs the real FastDepth model in the page on the WebGPU provider (software
 * SwiftShader adapter, slow: done once here) and on wasm, and both give the same depth.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchBrowser, openPage, screenshotPath, type TestBrowser } from './support/browser';

let tb: TestBrowser;
beforeAll(async () => {
  tb = await launchBrowser();
});
afterAll(async () => {
  await tb?.close();
});

it('FastDepth on wasm and WebGPU agree', async () => {
  const { page, log } = await openPage(tb, '/diagnostics');
  await page.click('[data-testid="run-depth-check"]');
  const result = page.locator('[data-testid="depth-check"]');
  await result.waitFor({ timeout: 110_000 });
  await page.screenshot({ path: screenshotPath('diagnostics-fastdepth') });
  for (const provider of ['wasm', 'webgpu']) {
    const row = page.locator(`[data-testid="run-${provider}"]`);
    expect(await row.getAttribute('data-ok'), `${provider}: ${await row.innerText()}`).toBe('true');
    const min = Number(await row.getAttribute('data-min'));
    const max = Number(await row.getAttribute('data-max'));
    // Metric indoor depth from a 224x224 picture: positive, varying, within a room's range.
    expect(min).toBeGreaterThan(0);
    expect(max).toBeGreaterThan(min);
    expect(max).toBeLessThan(30);
  }
  const diff = Number(await result.getAttribute('data-max-abs-diff'));
  expect(Number.isFinite(diff)).toBe(true);
  expect(diff).toBeLessThan(1e-3);
  await page.close();
  expect(log.errors).toEqual([]);
}, 150_000);
