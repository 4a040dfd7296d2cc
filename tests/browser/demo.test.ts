/**
 * (d) /demo loads the bundled sample capture (public/samples/living_room), lists every frame of
 * capture.json with a thumbnail, and renders its Gaussians in a non-blank 3D canvas; with no model
 * downloaded, "where is the lamp?" is answered from the labels of the sample's own annotations and
 * lights up the lamps.
 */
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BASE_URL, launchBrowser, openPage, screenshotPath, shootElement, type TestBrowser } from './support/browser';
import { lumaChange, settledCanvas } from './support/highlight';
import { meanAbsDiff, pixelStats } from './support/pixels';

interface GtObject { id: number; label: string; aabb: { min: number[]; max: number[] } }
interface GtFrame { id: string; visible: { id: number; pixels: number }[] }
const gt = JSON.parse(readFileSync('public/samples/living_room.groundtruth/instances.json', 'utf8')) as { objects: GtObject[]; frames: GtFrame[] };
const distToBox = (p: number[], b: { min: number[]; max: number[] }) => Math.hypot(...p.map((v, k) => Math.max(b.min[k] - v, 0, v - b.max[k])));

let tb: TestBrowser;
beforeAll(async () => {
  tb = await launchBrowser();
});
afterAll(async () => {
  await tb?.close();
});

it('shows the sample capture frames and renders its splats', async () => {
  const capture = (await (await fetch(`${BASE_URL}/samples/living_room/capture.json`)).json()) as { frames: { id: string }[] };
  expect(capture.frames.length).toBeGreaterThan(0);
  const { page, log } = await openPage(tb, '/demo?max-splats=20000');
  await page.waitForSelector('[data-testid="demo"][data-state="ready"]', { timeout: 90_000 });

  expect(await page.locator('[data-testid="frame-thumb"]').count()).toBe(capture.frames.length);
  expect(await page.locator('[data-testid="frame-count"]').innerText()).toBe(`${capture.frames.length} frames`);
  const ids = await page.locator('[data-testid="frame-thumb"] span').allInnerTexts();
  expect(ids).toEqual(capture.frames.map((f) => f.id));
  const splats = Number(await page.locator('[data-testid="scene-canvas"]').getAttribute('data-splats'));
  expect(splats).toBeGreaterThan(1000);
  expect(splats).toBeLessThanOrEqual(20000);

  // Thumbnails are real pictures, not empty canvases.
  const thumb = pixelStats(await shootElement(page, '[data-testid="frame-thumb"] canvas'));
  expect(thumb.variance).toBeGreaterThan(50);

  // Spark draws nothing until its first sort arrives from its worker: poll the canvas.
  const canvas = '[data-testid="scene-canvas"] canvas';
  let before = await shootElement(page, canvas);
  let stats = pixelStats(before);
  for (let i = 0; i < 20 && !(stats.distinctColours > 300 && stats.nonBackground > 0.3); i++) {
    await page.waitForTimeout(500);
    before = await shootElement(page, canvas);
    stats = pixelStats(before);
  }
  await page.screenshot({ path: screenshotPath('demo') });
  expect(stats.distinctColours).toBeGreaterThan(300);
  expect(stats.nonBackground).toBeGreaterThan(0.3);

  // Selecting another frame shows its details and moves the camera (the picture changes).
  const last = capture.frames.length - 1;
  await page.locator('[data-testid="frame-thumb"]').nth(last).click();
  await page.waitForFunction((id) => document.querySelector('[data-testid="frame-details"]')?.textContent?.includes(id), capture.frames[last].id);
  await page.waitForTimeout(1500);
  const after = await shootElement(page, canvas);
  await page.screenshot({ path: screenshotPath('demo-last-frame') });
  expect(pixelStats(after).distinctColours).toBeGreaterThan(300);
  expect(meanAbsDiff(before, after)).toBeGreaterThan(5);
  await page.close();
  expect(log.errors).toEqual([]);
});

async function ask(page: Page, text: string) {
  const before = Number(await page.getAttribute('[data-testid="demo"]', 'data-answer-seq'));
  await page.fill('[data-testid="query-input"]', text);
  await page.click('[data-testid="query-ask"]');
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid="demo"]')?.getAttribute('data-answer-seq')) > n, before, { timeout: 60_000 });
}

it('answers "where is the lamp?" from the sample\'s annotation labels with no model, and highlights the lamps', async () => {
  const { page, log } = await openPage(tb, '/demo?max-splats=60000');
  await page.waitForSelector('[data-testid="demo"][data-state="ready"]', { timeout: 90_000 });
  expect(await page.innerText('[data-testid="labels-source"]')).toBe("labels from the sample's annotations");
  expect(await page.getAttribute('[data-testid="model-state"]', 'data-state')).toBe('labels-only');
  // Look through the frame that sees the lamps best, so the tint is on screen.
  const lampIds = new Set(gt.objects.filter((o) => o.label === 'LAMP').map((o) => o.id));
  const lampPixels = gt.frames.map((f) => f.visible.filter((v) => lampIds.has(v.id)).reduce((s, v) => s + v.pixels, 0));
  const best = lampPixels.indexOf(Math.max(...lampPixels));
  await page.locator('[data-testid="frame-thumb"]').nth(best).click();
  const plain = await settledCanvas(page);

  await ask(page, 'where is the lamp?');
  const found = await page.locator('[data-testid="answer"]').evaluateAll((els) =>
    els.map((e) => ({ label: e.getAttribute('data-label'), text: e.textContent, c: ['data-x', 'data-y', 'data-z'].map((k) => Number(e.getAttribute(k))) })),
  );
  const lamps = gt.objects.filter((o) => lampIds.has(o.id));
  expect(found.length).toBe(lamps.length);
  for (const a of found) {
    expect(a.label).toBe('lamp');
    expect(a.text).toMatch(/from stored labels/);
    expect(Math.min(...lamps.map((o) => distToBox(a.c, o.aabb)))).toBeLessThan(0.15);
  }
  // Each lamp answered once.
  const nearest = found.map((a) => lamps.map((o) => distToBox(a.c, o.aabb)).reduce((bi, d, i, ds) => (d < ds[bi] ? i : bi), 0));
  expect(new Set(nearest).size).toBe(lamps.length);
  expect(await page.innerText('[data-testid="answer-note"]')).toMatch(/^from stored labels/);
  expect(Number(await page.getAttribute('[data-testid="demo"]', 'data-highlighted'))).toBeGreaterThan(100);
  const lit = await settledCanvas(page);
  const change = lumaChange(plain, lit);
  console.log(`demo lamp highlight (frame ${gt.frames[best].id}): ${JSON.stringify(change)}`);
  expect(change.meanAfter).toBeLessThan(0.75 * change.meanBefore);
  expect(change.brighterPixels).toBeGreaterThan(100);
  await page.screenshot({ path: screenshotPath('demo-lamp') });
  mkdirSync('docs/img', { recursive: true });
  copyFileSync(screenshotPath('demo-lamp'), 'docs/img/demo-lamp.png');

  // Synonyms: a sofa is the couch; an unknown word is not found, with the reason.
  await ask(page, 'find the sofa');
  expect(await page.locator('[data-testid="answer"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-label')))).toEqual(['couch']);
  await ask(page, 'where is the giraffe?');
  expect(await page.locator('[data-testid="answer"]').count()).toBe(0);
  expect(await page.innerText('[data-testid="not-found"]')).toMatch(/not found: "where is the giraffe\?".*no stored label or synonym matches/);
  await page.close();
  expect(log.errors).toEqual([]);
}, 180_000);
