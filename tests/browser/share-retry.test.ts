/**
 * Sharing under load, from the headset's side: /view opening a code while the server answers 503
 * first shows "server busy, retrying (n)" and then the scene; Cancel stops a download that keeps
 * being refused. (/scan's Share button gets the same check in scan.test.ts.)
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BASE_URL, launchBrowser, openPage, type TestBrowser } from './support/browser';
import { answerBusyFirst } from './support/busy-route';
import { press } from './support/xr-device';
import { sceneBytes } from '../unit/share/share-fixtures';

let tb: TestBrowser;
let shared: { code: string; token: string };
beforeAll(async () => {
  tb = await launchBrowser();
  const res = await fetch(`${BASE_URL}/api/scenes`, { method: 'POST', headers: { 'content-type': 'model/gltf-binary' }, body: Buffer.from(await sceneBytes('glb', 2000, 7)) });
  expect(res.status).toBe(201);
  shared = (await res.json()) as { code: string; token: string };
});
afterAll(async () => {
  if (shared) await fetch(`${BASE_URL}/api/scenes/${shared.code}`, { method: 'DELETE', headers: { authorization: `Bearer ${shared.token}` } }).catch(() => {});
  await tb?.close();
});

const isScene = (code: string) => (url: URL, method: string) => url.pathname === `/api/scenes/${code}` && (method === '' || method === 'GET');

it('retries a download the server refuses with 503, showing "server busy, retrying (n)", then opens the scene', async () => {
  const { page, log } = await openPage(tb, '/view');
  const busy = await answerBusyFirst(page, isScene(shared.code), 2, 1);
  await page.goto(`${BASE_URL}/view?code=${shared.code}#token=${shared.token}`);
  await page.waitForFunction(() => /server busy, retrying \(1\)/.test(document.querySelector('[data-testid="progress"]')?.textContent ?? ''), undefined, { timeout: 30_000 });
  await page.waitForFunction(() => /server busy, retrying \(2\)/.test(document.querySelector('[data-testid="progress"]')?.textContent ?? ''), undefined, { timeout: 30_000 });
  await page.waitForSelector('[data-testid="view"][data-state="ready"]', { timeout: 60_000 });
  expect(await page.locator('[data-testid="scene-summary"]').innerText()).toMatch(/2,000 Gaussians/);
  expect(busy.refused()).toBe(2);
  expect(busy.passed()).toBe(1);
  await page.close();
  expect(log.errors.filter((e) => !/503/.test(e))).toEqual([]);
});

it('Cancel stops a download that keeps being refused', async () => {
  const { page } = await openPage(tb, '/view');
  const busy = await answerBusyFirst(page, isScene(shared.code), 1000, 30);
  await page.goto(`${BASE_URL}/view?code=${shared.code}#token=${shared.token}`);
  await page.waitForFunction(() => /server busy, retrying \(1\)/.test(document.querySelector('[data-testid="progress"]')?.textContent ?? ''), undefined, { timeout: 30_000 });
  // A DOM click: the button sits over the canvas area, which the page's pointer handling owns.
  await press(page, '[data-testid="share-cancel"]');
  await page.waitForSelector('[data-testid="progress"]', { state: 'detached', timeout: 10_000 });
  await page.waitForTimeout(500);
  expect(busy.refused()).toBe(1); // no further attempt after the cancel
  await page.close();
});
