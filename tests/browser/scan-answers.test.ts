/**
 * /scan answers in 3D, in the emulated Quest 3 session with the TEST-ONLY simulated camera: after a
 * short walk the query box's answer is drawn in the anchored scan frame (markers exposed on the page
 * root as data-marker-count / data-markers, world coordinates) at the room object it names, the rows
 * show distances from the user, a nonsense query says "not found", and the scan-start XR anchor is
 * created (the emulator supports anchors). A resumed test scan has labels again. Without the test
 * camera: the semantic-model offer when the real models are missing, and the download of the TEST
 * STAND-IN models (?models=/test-models/) with progress until ready.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page, Route } from 'playwright-core';
import { loadRoom } from '../../lib/sim/room';
import { readSemRoom } from '../../scripts/samples';
import { INDOOR_VOCABULARY } from '../../lib/inference/semantics/indoor-vocabulary';
import { ensureStandins, STANDIN_DIR } from '../models/make-standins';
import { launchBrowser, openPage, screenshotPath, type TestBrowser } from './support/browser';

let tb: TestBrowser;
beforeAll(async () => {
  await ensureStandins();
  tb = await launchBrowser();
  // Stand-in models under /test-models/ (manifest URLs rewritten there), as tests/browser/view-query.test.ts serves them.
  await tb.context.route((url) => url.pathname.startsWith('/test-models/'), async (route: Route) => {
    const path = new URL(route.request().url()).pathname.slice('/test-models/'.length);
    if (path === 'manifest.json') {
      const text = readFileSync(join(STANDIN_DIR, 'manifest.json'), 'utf8').replace(/standin:\/\//g, '/test-models/');
      return route.fulfill({ status: 200, contentType: 'application/json', body: text });
    }
    if (path.includes('..')) return route.fulfill({ status: 404, body: '' });
    try {
      return route.fulfill({ status: 200, contentType: 'application/octet-stream', body: readFileSync(join(STANDIN_DIR, path)) });
    } catch {
      return route.fulfill({ status: 404, body: '' });
    }
  });
}, 120_000);
afterAll(async () => {
  await tb?.close();
});

const EMU = 'xr-emulate=quest3&room=living_room';
const room = loadRoom(readSemRoom('living_room'));
/** The vocabulary entry a Space Setup label falls under (LAMP -> lamp, STORAGE -> cabinet). */
const vocabName = (label: string) => {
  const t = label.toLowerCase().replace(/_/g, ' ');
  return INDOOR_VOCABULARY.find((e) => e.name === t || e.synonyms.includes(t))?.name ?? t;
};
const distToBox = (p: number[], min: ArrayLike<number>, max: ArrayLike<number>) => Math.hypot(...p.map((v, k) => Math.max(min[k] - v, 0, v - max[k])));

type Win = {
  __segsplatScan: { state: { keyframes: unknown[] }; flushed(): Promise<unknown> };
  __segsplatXrDevice: { position: { set(x: number, y: number, z: number): void }; quaternion: { set(x: number, y: number, z: number, w: number): void } };
};
const yawQuat = (deg: number) => [0, Math.sin((deg * Math.PI) / 360), 0, Math.cos((deg * Math.PI) / 360)];
const path = [0, 1, 2, 3, 4, 5].map((k) => ({ p: [-0.3 + 0.15 * k, 1.5, 0.2], yaw: -10 + 6 * k }));

const rootAttr = async (page: Page, name: string) => page.getAttribute('[data-testid="scan"]', name);

/** Submits with the keyboard: the emulator's canvas covers the page during the session. Waits for the answer. */
async function ask(page: Page, text: string) {
  const before = Number(await rootAttr(page, 'data-answer-seq'));
  await page.fill('[data-testid="query-input"]', text);
  await page.press('[data-testid="query-input"]', 'Enter');
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid="scan"]')?.getAttribute('data-answer-seq')) > n, before, { timeout: 60_000 });
}

/** Waits until the canvas drew a marker per answer; returns their world positions. */
async function markers(page: Page): Promise<number[][]> {
  await page.waitForFunction(() => {
    const r = document.querySelector('[data-testid="scan"]');
    return Number(r?.getAttribute('data-answer-count')) > 0 && r?.getAttribute('data-marker-count') === r?.getAttribute('data-answer-count');
  }, undefined, { timeout: 30_000 });
  return JSON.parse((await rootAttr(page, 'data-markers')) ?? '[]') as number[][];
}

/** Each marker lies within 0.3 m of a room object of the asked kind. */
function expectAtObjects(ms: number[][], label: string) {
  const objects = room.objects.filter((o) => vocabName(o.label) === label);
  expect(objects.length).toBeGreaterThan(0);
  for (const m of ms) expect(Math.min(...objects.map((o) => distToBox(m, o.aabbMin, o.aabbMax)))).toBeLessThan(0.3);
}

describe('/scan answers in 3D (emulated session, test camera)', () => {
  it('draws markers at the asked object with distances, "not found" for nonsense, anchors the scan, and a resumed scan has labels', async () => {
    const { page, log } = await openPage(tb, `/scan?${EMU}&test-camera=sim&max-splats=20000`);
    await page.waitForSelector('[data-testid="scan"][data-scan-ready="yes"]', { timeout: 60_000 });
    const setPose = (k: number) =>
      page.evaluate(
        ([p, q]) => {
          const d = (window as unknown as Win).__segsplatXrDevice;
          d.position.set(p[0], p[1], p[2]);
          d.quaternion.set(q[0], q[1], q[2], q[3]);
        },
        [path[k].p, yawQuat(path[k].yaw)],
      );
    const keyframeCount = (n: number) => page.waitForFunction((n) => (window as unknown as Win).__segsplatScan.state.keyframes.length >= n, n, { timeout: 30_000 });
    await setPose(0);
    await page.waitForSelector('[data-xr-state="ready"]', { timeout: 30_000 });
    await page.click('[data-testid="enter-ar"]');
    await page.waitForSelector('[data-xr-state="active"]', { timeout: 30_000 });
    await keyframeCount(1);
    // The scan-start anchor: the emulator grants anchors, so it is created under the first keyframe.
    await page.waitForSelector('[data-testid="scan"][data-anchor="anchored"]', { timeout: 30_000 });
    for (let k = 1; k < path.length; k++) {
      await setPose(k);
      await keyframeCount(k + 1);
    }
    await page.waitForSelector('[data-testid="scan-labels"] li', { timeout: 90_000 });
    const label = (await page.locator('[data-testid="scan-labels"] li').first().innerText()).replace(/\s*\(.*$/, '');

    await ask(page, label);
    const ms = await markers(page);
    expect(ms.length).toBe(Number(await rootAttr(page, 'data-answer-count')));
    expectAtObjects(ms, label);
    // Rows show the distance from the user (the emulated head, at the last walked pose).
    const head = path[path.length - 1].p;
    const shown = await page.locator('[data-testid="answer-distance"]').allInnerTexts();
    expect(shown.length).toBe(ms.length);
    shown.forEach((t, i) => {
      const d = Number(/([\d.]+) m away/.exec(t)?.[1]);
      expect(Math.abs(d - Math.hypot(ms[i][0] - head[0], ms[i][1] - head[1], ms[i][2] - head[2]))).toBeLessThan(0.1);
    });
    await page.screenshot({ path: screenshotPath('scan-answers') });
    mkdirSync('docs/img/scan', { recursive: true });
    copyFileSync(screenshotPath('scan-answers'), 'docs/img/scan/scan-answers.png');

    await ask(page, 'zebra crossing');
    expect(await page.locator('[data-testid="not-found"]').innerText()).toMatch(/not found: "zebra crossing"/);
    expect(await rootAttr(page, 'data-answer-count')).toBe('0');
    expect(await rootAttr(page, 'data-marker-count')).toBe('0');

    // Resume after a reload: the test camera re-renders the instance maps, so labels come back.
    await page.evaluate(() => (window as unknown as Win).__segsplatScan.flushed());
    await page.reload({ waitUntil: 'load' });
    await page.waitForSelector('[data-testid="scan-resume"]', { timeout: 60_000 });
    await page.click('[data-testid="resume-scan"]');
    await page.waitForSelector('[data-testid="scan-labels"] li', { timeout: 120_000 });
    await ask(page, label);
    expectAtObjects(await markers(page), label);
    await page.close();
    expect(log.errors).toEqual([]);
  }, 360_000);
});

/** A one-frame capture without depth (FastDepth reconstructs it), as a file set for the import picker. */
function oneFrameCapture(): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'scan-answers-'));
  const sample = JSON.parse(readFileSync('public/samples/living_room/capture.json', 'utf8'));
  const f = { ...sample.frames[0], image: 'f0000.png' };
  delete f.depth;
  writeFileSync(join(dir, 'capture.json'), JSON.stringify({ ...sample, frames: [f] }));
  copyFileSync('public/samples/living_room/images/f0000.png', join(dir, 'f0000.png'));
  return [join(dir, 'capture.json'), join(dir, 'f0000.png')];
}

async function importOne(page: Page) {
  await page.waitForSelector('[data-testid="scan"][data-scan-ready="yes"]', { timeout: 60_000 });
  await page.setInputFiles('[data-testid="scan-import"] input[type=file]', oneFrameCapture());
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="scan-panel"]')?.getAttribute('data-gaussians')) > 0, undefined, { timeout: 90_000 });
}

describe('/scan semantic model offer', () => {
  it('offers the download and says why queries cannot be answered when the real models are missing', async () => {
    const { page, log } = await openPage(tb, '/scan');
    await importOne(page);
    const offer = page.locator('[data-testid="scan-model"][data-state="missing"]');
    await offer.waitFor({ timeout: 30_000 });
    expect(await offer.innerText()).toMatch(/Labels and queries need the semantic model/);
    expect(await page.locator('[data-testid="scan-model-download"]').innerText()).toBe('Download semantic model');
    expect((await page.locator('[data-testid="scan-missing"]').allInnerTexts()).join('\n')).toMatch(/semantic models \(CLIP\) are not downloaded/);
    await ask(page, 'lamp');
    expect(await page.locator('[data-testid="not-found"]').innerText()).toMatch(/geometry only/);
    expect(await rootAttr(page, 'data-marker-count')).toBe('0');
    await page.close();
    expect(log.errors).toEqual([]);
  });

  it('downloads the (stand-in) models with progress, then turns semantics on', async () => {
    const { page, log } = await openPage(tb, '/scan?models=/test-models/');
    await importOne(page);
    await page.waitForSelector('[data-testid="scan-model"][data-state="missing"]', { timeout: 30_000 });
    // Every state and progress line the offer shows, in order.
    await page.evaluate(() => {
      const seen: string[] = [];
      Object.assign(window, { __modelSeen: seen });
      const note = () => {
        const el = document.querySelector('[data-testid="scan-model"]');
        const s = el ? `${el.getAttribute('data-state')}|${(el as HTMLElement).innerText}` : 'none';
        if (seen[seen.length - 1] !== s) seen.push(s);
      };
      new MutationObserver(note).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    });
    await page.click('[data-testid="scan-model-download"]');
    await page.waitForSelector('[data-testid="scan-model"][data-state="ready"]', { timeout: 90_000 });
    const seen = (await page.evaluate(() => (window as unknown as { __modelSeen: string[] }).__modelSeen)) as string[];
    const downloading = seen.filter((s) => s.startsWith('downloading|'));
    expect(downloading.length).toBeGreaterThan(0);
    expect(downloading.some((s) => /Downloading standin-[\w-]+: [\d.]+ MB/.test(s))).toBe(true);
    expect(seen.indexOf(downloading[0])).toBeLessThan(seen.findIndex((s) => s.startsWith('ready|')));
    expect(await page.locator('[data-testid="scan-model"]').innerText()).toMatch(/ready: labels and queries are on/);
    // The stored keyframe is rebuilt with semantics: the "not downloaded" notice goes away.
    await page.waitForFunction(() => ![...document.querySelectorAll('[data-testid="scan-missing"]')].some((e) => /semantic models/.test(e.textContent ?? '')), undefined, { timeout: 90_000 });
    await page.close();
    expect(log.errors).toEqual([]);
  }, 240_000);
});
