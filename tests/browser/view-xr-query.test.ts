/**
 * Asking inside the headset (emulated Quest 3, iwer + @iwer/sem living_room, the shipped sample scene):
 * Quest Browser grants no dom-overlay in immersive-ar, so the question is typed on the in-XR panel. The
 * test points the right controller's ray at the panel's keys the way a user would (the panel's world pose
 * and key layout come from the page's TEST-ONLY `__segsplatXrPanel` hook, set only under the emulator),
 * pulls the trigger on L, A, M, P and Ask, and checks that the answer arrives through the page's `ask`
 * (data-answer-seq, the 2 LAMP room-label answers, highlighted splats, the panel's readout line) while the
 * scene's placement did NOT move: those selects belonged to the panel. Then a chip, a hand pinch on
 * backspace, and as a control a pinch off the panel, which does place the scene at the reticle.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as THREE from 'three';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DEVICE_LABEL_SYNONYMS } from '../../lib/inference/semantics/device-labels';
import { panelToWorld } from '../../lib/web/view/xr-keyboard';
import { launchBrowser, openPage, screenshotPath, type TestBrowser } from './support/browser';
import type { XrPanelTestHook } from '../../components/view/XrQueryPanel';
import { serveStandinModels, shareStandinScene } from './support/standin-scene';
import { dev, frames, press, type EmulatedDevice } from './support/xr-device';

const DEG = Math.PI / 180;
let tb: TestBrowser;
beforeAll(async () => {
  tb = await launchBrowser();
});
afterAll(async () => {
  await tb?.close();
});

type Win = { __segsplatXrDevice: EmulatedDevice; __segsplatXrPanel?: XrPanelTestHook };

const panel = (page: Page) => page.evaluate(() => (window as unknown as Win).__segsplatXrPanel ?? null);

const poseAttrs = (page: Page) =>
  page.locator('[data-testid="pose"]').evaluate((el) => ['data-x', 'data-z', 'data-yaw-deg'].map((k) => el.getAttribute(k)).join(' '));
const answerSeq = async (page: Page) => Number(await page.getAttribute('[data-testid="view"]', 'data-answer-seq'));
const answerLabels = (page: Page) => page.locator('[data-testid="answer"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-label')));

/**
 * Aims the right controller (or hand) at a key: its target ray (iwer: the input's own pose) starts 25 cm in
 * front of the key along the panel's normal and points straight at it (the controller takes the panel's
 * orientation, so its -z is the panel's -normal). Waits until the page reports the ray on that key.
 */
async function aim(page: Page, id: string, input: 'controllers' | 'hands' = 'controllers') {
  const p = (await panel(page))!;
  const k = p.keys.find((q) => q.id === id);
  if (!k) throw new Error(`no key ${id} on the panel (keys: ${p.keys.map((q) => q.id).join(' ')})`);
  const m = new THREE.Matrix4().fromArray(p.matrix);
  const q = new THREE.Quaternion().setFromRotationMatrix(m);
  const c = panelToWorld(p.matrix, k.x, k.y);
  const n = [p.matrix[8], p.matrix[9], p.matrix[10]];
  const pos = [c[0] + 0.25 * n[0], c[1] + 0.25 * n[1], c[2] + 0.25 * n[2]];
  await dev(page, (d, a: { p: number[]; input: 'controllers' | 'hands' }) => {
    d[a.input].right.position.set(a.p[0], a.p[1], a.p[2]);
    d[a.input].right.quaternion.set(a.p[3], a.p[4], a.p[5], a.p[6]);
  }, { p: [...pos, q.x, q.y, q.z, q.w], input });
  await page.waitForFunction((want) => (window as unknown as Win).__segsplatXrPanel?.hover.right === want, id, { timeout: 60_000, polling: 100 });
}

/** One trigger pull, seen by frames while down and after release. */
async function pull(page: Page) {
  await dev(page, (d) => d.controllers.right.updateButtonValue('trigger', 1), null);
  await frames(page, 2);
  await dev(page, (d) => d.controllers.right.updateButtonValue('trigger', 0), null);
  await frames(page, 2);
}

/** One short pinch of the right hand. */
async function pinch(page: Page) {
  await dev(page, (d) => d.hands.right.updatePinchValue(1), null);
  await frames(page, 2);
  await dev(page, (d) => d.hands.right.updatePinchValue(0), null);
  await frames(page, 2);
}

describe('/view: asking inside the headset (emulated Quest 3, living_room)', () => {
  it('types "lamp" and Ask on the in-XR panel with a controller ray; a chip asks too; a hand pinch edits; panel selects never place the scene', async () => {
    const { page, log } = await openPage(tb, '/view?xr-emulate=quest3&room=living_room&max-splats=20000');
    await page.waitForSelector('[data-testid="view"][data-state="ready"]', { timeout: 120_000 });
    await page.waitForSelector('[data-xr-state="ready"]', { timeout: 30_000 });
    await press(page, '[data-testid="enter-ar"]');
    await page.waitForSelector('[data-xr-state="active"]', { timeout: 30_000 });
    await page.waitForFunction(() => !!(window as unknown as Partial<Win>).__segsplatXrPanel, null, { timeout: 60_000 });
    // Room labels collected (chips offer the room's objects), controllers in hand, head looking 35° down at
    // the floor so the reticle exists: a select that leaked to placement WOULD move the scene.
    await page.waitForSelector('[data-testid="auto-align"]:not([disabled])', { timeout: 60_000 });
    await page.waitForFunction(() => (window as unknown as Win).__segsplatXrPanel?.keys.some((k) => k.id.startsWith('chip:') && k.label === 'lamp'), null, { timeout: 60_000 });
    await dev(page, (d, a: number) => {
      d.primaryInputMode = 'controller';
      d.quaternion.set(Math.sin(a / 2), 0, 0, Math.cos(a / 2));
      d.controllers.left.position.set(-0.3, 0.9, -0.2);
    }, -35 * DEG);
    await frames(page, 2);
    const poseBefore = await poseAttrs(page);
    const p0 = (await panel(page))!;
    // The panel is 0.6 m ahead of and 0.3 m below the eyes (iwer's head starts at y 1.6, looking -z).
    expect(p0.matrix[13]).toBeGreaterThan(1.0);
    expect(p0.matrix[14]).toBeLessThan(-0.4);

    // Type "lamp", then Ask.
    const seq0 = await answerSeq(page);
    for (const id of ['l', 'a', 'm', 'p']) {
      await aim(page, id);
      await pull(page);
    }
    expect((await panel(page))!.text).toBe('lamp');
    await aim(page, 'ask');
    await pull(page);
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid="view"]')?.getAttribute('data-answer-seq')) > n, seq0, { timeout: 90_000 });
    expect((await answerLabels(page)).filter((l) => l === 'LAMP').length).toBe(2);
    expect(Number(await page.getAttribute('[data-testid="view"]', 'data-highlighted'))).toBeGreaterThan(0);
    await page.waitForFunction(() => /^2 × lamp · nearest \d+\.\d m$/.test((window as unknown as Win).__segsplatXrPanel?.readout ?? ''), null, { timeout: 30_000 }).catch(async (e: Error) => {
      throw new Error(`${e.message}; readout: ${(await panel(page))?.readout}`);
    });
    expect((await panel(page))!.presses).toBe(5);
    // Five trigger pulls on the panel: the scene was neither placed nor dragged.
    expect(await poseAttrs(page)).toBe(poseBefore);
    expect(await page.locator('[data-testid="placed-at"]').count()).toBe(0);
    expect(await page.locator('[data-testid="place-message"]').count()).toBe(0);
    await aim(page, 'ask');
    await frames(page, 2);
    await page.screenshot({ path: screenshotPath('view-xr-keyboard') });
    mkdirSync('docs/img/view', { recursive: true });
    copyFileSync(screenshotPath('view-xr-keyboard'), join('docs/img/view', 'view-xr-keyboard.png'));

    // A chip naming another of the room's objects asks at once.
    const chip = (await panel(page))!.keys.find((k) => k.id.startsWith('chip:') && k.label !== 'lamp' && Object.values(DEVICE_LABEL_SYNONYMS).some((s) => s[0] === k.label))!;
    expect(chip, 'a room-object chip besides lamp').toBeDefined();
    const label = Object.entries(DEVICE_LABEL_SYNONYMS).find(([, s]) => s[0] === chip.label)![0];
    const seq1 = await answerSeq(page);
    await aim(page, chip.id);
    await pull(page);
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid="view"]')?.getAttribute('data-answer-seq')) > n, seq1, { timeout: 90_000 });
    const chipAnswers = await answerLabels(page);
    expect(chipAnswers.length).toBeGreaterThan(0);
    expect(chipAnswers.every((l) => l === label)).toBe(true);
    expect((await panel(page))!.text).toBe(chip.label);
    expect(await poseAttrs(page)).toBe(poseBefore);
    expect(await page.locator('[data-testid="placed-at"]').count()).toBe(0);

    // Hands: the hand's target ray points the same way; a pinch on backspace edits the text, and does not place.
    await dev(page, (d) => {
      d.primaryInputMode = 'hand';
      d.hands.left.position.set(-0.3, 0.9, -0.2);
    }, null);
    await frames(page, 2);
    await aim(page, 'backspace', 'hands');
    await pinch(page);
    expect((await panel(page))!.text).toBe(chip.label.slice(0, -1));
    expect(await poseAttrs(page)).toBe(poseBefore);
    expect(await page.locator('[data-testid="placed-at"]').count()).toBe(0);

    // Control: the same pinch with the ray off the panel (pointing at the floor) is a tap that places.
    await dev(page, (d) => {
      d.hands.right.position.set(0.3, 1.0, -0.1);
      d.hands.right.quaternion.set(-0.5, 0, 0, Math.sqrt(0.75));
    }, null);
    await page.waitForFunction(() => (window as unknown as Win).__segsplatXrPanel?.hover.right === null, null, { timeout: 60_000, polling: 100 });
    await pinch(page);
    await page.locator('[data-testid="placed-at"]').waitFor({ timeout: 30_000 });
    expect(await poseAttrs(page)).not.toBe(poseBefore);
    await page.close();
    expect(log.errors).toEqual([]);
  }, 420_000);

  it('offers the semantic-model download on the panel in AR; pressing it installs the model', async () => {
    const share = await shareStandinScene();
    try {
      // A fresh browser profile per test file: the stand-ins under this base are not cached yet.
      await serveStandinModels(tb.context, '/test-models/', true);
      const { page, log } = await openPage(tb, `/view?xr-emulate=quest3&room=living_room&code=${share.code}&max-splats=20000&models=/test-models/#token=${share.token}`);
      await page.waitForSelector('[data-testid="view"][data-state="ready"]', { timeout: 120_000 });
      await page.waitForSelector('[data-testid="model-state"][data-state="not-installed"]', { timeout: 60_000 });
      await page.waitForSelector('[data-xr-state="ready"]', { timeout: 30_000 });
      await press(page, '[data-testid="enter-ar"]');
      await page.waitForSelector('[data-xr-state="active"]', { timeout: 30_000 });
      await page.waitForFunction(() => (window as unknown as Win).__segsplatXrPanel?.keys.some((k) => k.id === 'action'), null, { timeout: 60_000 });
      const before = (await panel(page))!;
      expect(before.keys.find((k) => k.id === 'action')!.label).toMatch(/download semantic model/);
      expect(before.readout).toMatch(/semantic model not installed \(download it below\)/);
      await dev(page, (d) => {
        d.primaryInputMode = 'controller';
        d.controllers.left.position.set(-0.3, 0.9, -0.2);
      }, null);
      await frames(page, 2);
      await aim(page, 'action');
      await pull(page);
      // The page's own download ran: the model state goes to ready and the action key disappears.
      await page.waitForSelector('[data-testid="model-state"][data-state="ready"]', { timeout: 120_000 });
      await page.waitForFunction(() => !(window as unknown as Win).__segsplatXrPanel?.keys.some((k) => k.id === 'action'), null, { timeout: 60_000 });
      expect((await panel(page))!.readout).not.toMatch(/not installed/);
      expect(await page.locator('[data-testid="placed-at"]').count()).toBe(0);
      await page.close();
      expect(log.errors).toEqual([]);
    } finally {
      await share.remove();
    }
  }, 420_000);
});
