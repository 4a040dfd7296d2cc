/**
 * /scan in the emulated Quest 3 session with the TEST-ONLY simulated camera (?test-camera=sim): the
 * test walks the emulated headset along a short path and checks that the keyframes carry the
 * emulator's poses and projection-derived intrinsics, that Gaussians and a label appear, that a
 * reload offers to resume with every stored keyframe, and that without the test camera the refused
 * camera-access is explained.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser, openPage, screenshotPath, type TestBrowser } from './support/browser';
import { answerBusyFirst } from './support/busy-route';

let tb: TestBrowser;
beforeAll(async () => {
  tb = await launchBrowser();
});
afterAll(async () => {
  await tb?.close();
});

const EMU = 'xr-emulate=quest3&room=living_room';

interface KeyframeInfo {
  id: string;
  cameraToWorld: number[];
  intrinsics: { fx: number; fy: number; cx: number; cy: number; width: number; height: number };
  projection?: number[];
  viewport?: { x: number; y: number; width: number; height: number };
  hasDepth: boolean;
}

async function enter(page: Page) {
  await page.waitForSelector('[data-xr-state="ready"]', { timeout: 30_000 });
  await page.click('[data-testid="enter-ar"]');
  await page.waitForSelector('[data-xr-state="active"]', { timeout: 30_000 });
}

const keyframes = (page: Page) =>
  page.evaluate(() => (window as unknown as { __segsplatScan: { state: { keyframes: unknown[] } } }).__segsplatScan.state.keyframes) as Promise<KeyframeInfo[]>;

/** Yaw-only quaternion (x, y, z, w) and its rotation matrix columns. */
const yawQuat = (deg: number) => [0, Math.sin((deg * Math.PI) / 360), 0, Math.cos((deg * Math.PI) / 360)];

describe('/scan with the emulated session and the test camera', () => {
  it('captures posed keyframes, builds Gaussians and labels, and offers to resume after a reload', async () => {
    const { page, log } = await openPage(tb, `/scan?${EMU}&test-camera=sim&max-splats=20000`);
    await page.waitForSelector('[data-testid="scan"][data-scan-ready="yes"]', { timeout: 60_000 });

    // A short walk: 0.15 m steps along x with a slow turn, one pose per step held until a keyframe lands.
    // The headset is at the first pose before the session starts (the first frame is a keyframe).
    const path = [0, 1, 2, 3, 4, 5].map((k) => ({ p: [-0.3 + 0.15 * k, 1.5, 0.2], yaw: -10 + 6 * k }));
    const setPose = (k: number) =>
      page.evaluate(
        ([p, q]) => {
          const d = (window as unknown as { __segsplatXrDevice: { position: { set(x: number, y: number, z: number): void }; quaternion: { set(x: number, y: number, z: number, w: number): void } } }).__segsplatXrDevice;
          d.position.set(p[0], p[1], p[2]);
          d.quaternion.set(q[0], q[1], q[2], q[3]);
        },
        [path[k].p, yawQuat(path[k].yaw)],
      );
    const keyframeCount = (n: number) =>
      page.waitForFunction((n) => (window as unknown as { __segsplatScan: { state: { keyframes: unknown[] } } }).__segsplatScan.state.keyframes.length >= n, n, { timeout: 30_000 });
    await setPose(0);
    await enter(page);
    await keyframeCount(1);
    for (let k = 1; k < path.length; k++) {
      await setPose(k);
      await keyframeCount(k + 1);
    }
    const kfs = await keyframes(page);
    expect(kfs.length).toBeGreaterThanOrEqual(path.length);
    const ipd = await page.evaluate(() => (window as unknown as { __segsplatXrDevice: { ipd: number } }).__segsplatXrDevice.ipd);

    // Every keyframe was taken at one of the walked poses: the left eye sits ipd/2 from the head
    // centre, looking where the headset looks.
    for (const kf of kfs) {
      const m = kf.cameraToWorld;
      const dists = path.map(({ p }) => Math.hypot(m[12] - p[0], m[13] - p[1], m[14] - p[2]));
      const k = dists.indexOf(Math.min(...dists));
      expect(dists[k]).toBeCloseTo(ipd / 2, 3);
      // Forward (-z column) of a yaw-only head: (-sin yaw, 0, -cos yaw).
      const yaw = (path[k].yaw * Math.PI) / 180;
      expect(-m[8]).toBeCloseTo(-Math.sin(yaw), 4);
      expect(-m[9]).toBeCloseTo(0, 4);
      expect(-m[10]).toBeCloseTo(-Math.cos(yaw), 4);
      // Intrinsics from the emulated projection and viewport, rescaled to the image.
      const P = kf.projection!, vp = kf.viewport!, K = kf.intrinsics;
      const sx = K.width / vp.width, sy = K.height / vp.height;
      expect(K.fx).toBeCloseTo((vp.width / 2) * P[0] * sx, 6);
      expect(K.fy).toBeCloseTo((vp.height / 2) * P[5] * sy, 6);
      expect(K.cx).toBeCloseTo(((1 - P[8]) * vp.width) / 2 * sx, 6);
      expect(K.cy).toBeCloseTo(((1 + P[9]) * vp.height) / 2 * sy, 6);
      expect(Math.abs(K.width / K.height - vp.width / vp.height)).toBeLessThan(0.02);
      expect(kf.hasDepth).toBe(true);
    }

    // The worker's scene grows and labels float over what was seen.
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="scan-panel"]')?.getAttribute('data-gaussians')) > 0, undefined, { timeout: 90_000 });
    // No ?webgpu flag: the only adapter is SwiftShader, so the CPU kernels ran and the panel says why.
    // (Device depth is conditioned first, so that stage is listed too: every stage ran on the CPU.)
    const kernels = await page.locator('[data-testid="scan-backends"]').innerText();
    expect(kernels).toMatch(/(^|, )Gaussians: CPU[,\s]/);
    expect(kernels).toMatch(/\[the only WebGPU adapter is a software one \(.+\), slower than the CPU kernels\]$/);
    expect(kernels).not.toMatch(/: WebGPU/);
    await page.waitForSelector('[data-testid="scan-labels"] li', { timeout: 90_000 });
    const labels = await page.locator('[data-testid="scan-labels"] li').allInnerTexts();
    expect(labels.length).toBeGreaterThan(0);
    await page.screenshot({ path: screenshotPath('scan-live') });

    // The query box answers from the live bank.
    const asked = labels[0].replace(/\s*\(.*$/, '');
    // The emulator's canvas covers the page during the session: submit with the keyboard.
    await page.fill('[data-testid="query-input"]', asked);
    await page.press('[data-testid="query-input"]', 'Enter');
    await page.waitForSelector('[data-testid="answer"]', { timeout: 30_000 });
    expect((await page.locator('[data-testid="answer"]').allInnerTexts()).join('\n')).toContain(asked);

    // Everything taken is in IndexedDB: a reload offers to resume with all of it.
    await page.evaluate(() => (window as unknown as { __segsplatScan: { flushed(): Promise<unknown> } }).__segsplatScan.flushed());
    const taken = (await keyframes(page)).length;
    await page.reload({ waitUntil: 'load' });
    await page.waitForSelector('[data-testid="scan-resume"]', { timeout: 60_000 });
    expect(Number(await page.locator('[data-testid="resume-count"]').first().innerText())).toBe(taken);
    await page.click('[data-testid="resume-scan"]');
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid="scan-keyframes"]')?.textContent) === n, taken, { timeout: 30_000 });
    const resumed = await keyframes(page);
    expect(resumed.map((k) => k.id)).toEqual(kfs.slice(0, taken).map((k) => k.id));
    // (+ 0 folds -0 into 0: the page's snapshot went through JSON.)
    for (let i = 0; i < taken; i++) expect(resumed[i].cameraToWorld.map((v) => v + 0)).toEqual(kfs[i].cameraToWorld.map((v) => v + 0));
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="scan-panel"]')?.getAttribute('data-gaussians')) > 0, undefined, { timeout: 90_000 });

    // Finish -> Share: a code and the QR of the /view link.
    await page.click('[data-testid="scan-finish"]');
    await page.click('[data-testid="scan-share"]');
    const code = await page.locator('[data-testid="share-code"]').innerText({ timeout: 60_000 });
    expect(code).toMatch(/^[A-Z0-9]{6}$/);
    expect(await page.locator('[data-testid="scan-shared"] a').getAttribute('href')).toMatch(new RegExp(`/view\\?code=${code}#token=`));
    expect(await page.locator('[data-testid="scan-shared"] svg').count()).toBe(1);
    await page.close();
    expect(log.errors).toEqual([]);
  });

  it('explains that scanning is impossible when camera access is refused', async () => {
    const { page, log } = await openPage(tb, `/scan?${EMU}`);
    await enter(page);
    const text = await page.locator('[data-testid="scan-blocked"]').innerText({ timeout: 30_000 });
    expect(text).toMatch(/refused WebXR camera access/);
    expect(text).toMatch(/import/i);
    await page.close();
    expect(log.errors).toEqual([]);
  });
});

describe('/scan import without WebXR', () => {
  it('imports a one-frame capture without depth and reconstructs it with FastDepth', async () => {
    const { mkdtempSync, readFileSync, writeFileSync, copyFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'scan-import-'));
    const sample = JSON.parse(readFileSync('public/samples/living_room/capture.json', 'utf8'));
    const f = { ...sample.frames[0], image: 'f0000.png' };
    delete f.depth;
    writeFileSync(join(dir, 'capture.json'), JSON.stringify({ ...sample, frames: [f] }));
    copyFileSync('public/samples/living_room/images/f0000.png', join(dir, 'f0000.png'));
    // ?webgpu=software: Chromium's only adapter here is SwiftShader, which the scan skips by default.
    const { page, log } = await openPage(tb, '/scan?webgpu=software');
    await page.waitForSelector('[data-testid="scan"][data-scan-ready="yes"]', { timeout: 60_000 });
    await page.setInputFiles('[data-testid="scan-import"] input[type=file]', [join(dir, 'capture.json'), join(dir, 'f0000.png')]);
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="scan-panel"]')?.getAttribute('data-gaussians')) > 0, undefined, { timeout: 90_000 });
    expect(await page.locator('[data-testid="scan-keyframes"]').innerText()).toBe('1');
    expect(await page.locator('[data-testid="scan-depth-sources"]').innerText()).toMatch(/monocular ×1/);
    // The heavy stages are WebGPU by default: the worker found Chromium's adapter (SwiftShader, allowed by
    // the flag) and built the Gaussians on it; the update's status.backends says so and the panel shows it.
    // Depth conditioning, colour-guided (snap or drop) as the pipeline runs it, is on WebGPU too when it ran.
    const kernels = await page.locator('[data-testid="scan-backends"]').innerText();
    expect(kernels).toMatch(/(^|, )Gaussians: WebGPU[,\s]/);
    if (kernels.includes('depth conditioning')) expect(kernels).toMatch(/(^|, )depth conditioning: WebGPU[,\s]/);
    expect(await page.locator('[data-testid="scan-missing"]').allInnerTexts()).toEqual([expect.stringMatching(/semantic models .* geometry only/)]);
    // Finish -> Share against a server that answers 503 first: the button retries, says so, then shows the code.
    const busy = await answerBusyFirst(page, (url, method) => url.pathname === '/api/scenes' && (method === '' || method === 'POST'), 1, 1);
    await page.click('[data-testid="scan-finish"]');
    await page.click('[data-testid="scan-share"]');
    await page.waitForFunction(() => /server busy, retrying \(1\)/.test(document.querySelector('[data-testid="share-status"]')?.textContent ?? ''), undefined, { timeout: 60_000 });
    const code = await page.locator('[data-testid="share-code"]').innerText({ timeout: 60_000 });
    expect(code).toMatch(/^[A-Z0-9]{6}$/);
    expect(busy.refused()).toBe(1);
    expect(busy.passed()).toBe(1);
    await page.close();
    // The refused POST's console line is the expected 503.
    expect(log.errors.filter((e) => !/status of 503/.test(e))).toEqual([]);
  });
});
