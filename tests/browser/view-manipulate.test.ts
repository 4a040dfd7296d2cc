/**
 * /view in the emulated Quest 3 (iwer + @iwer/sem living_room, the shipped sample scene): moving and
 * turning the placed scene with hands and controllers, driven through iwer's XRDevice (the page's
 * TEST-ONLY `__segsplatXrDevice` hook) the way a user would:
 * - hands: a short still pinch places the scene at the reticle; a pinch-drag moves it by the hand's
 *   displacement and does NOT re-place it at the reticle on release;
 * - controllers: squeeze-drag moves it by the controller's displacement; squeezing both and swinging
 *   one controller around the other turns it by the swing; the thumbstick turns it about its centre.
 * Frames are counted on the emulator (iwer's lastFrameTime), never waited for by the clock: a press
 * must be seen by at least one frame before it is released, and software rendering is ~1 fps.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { composePose2D, invertPose2D, transformPlan, type Pose2D } from '../../lib/align/pose-2d';
import { launchBrowser, openPage, screenshotPath, type TestBrowser } from './support/browser';
import { dev, frames, press, type EmulatedDevice } from './support/xr-device';

const DEG = Math.PI / 180;
let tb: TestBrowser;
beforeAll(async () => {
  tb = await launchBrowser();
});
afterAll(async () => {
  await tb?.close();
});

function saveDocShot(name: string) {
  mkdirSync('docs/img/view', { recursive: true });
  copyFileSync(screenshotPath(name), join('docs/img/view', `${name}.png`));
}

type Win = { __segsplatXrDevice: EmulatedDevice };

async function readPose(page: Page): Promise<Pose2D> {
  const el = page.locator('[data-testid="pose"]');
  const [x, z, yawDeg] = await Promise.all(['data-x', 'data-z', 'data-yaw-deg'].map(async (k) => Number(await el.getAttribute(k))));
  return { x, z, yaw: yawDeg * DEG };
}

/** Waits until the committed pose differs from `before` (the manipulator commits on release). */
async function poseChanged(page: Page, before: Pose2D) {
  await page.waitForFunction(
    (b) => {
      const el = document.querySelector('[data-testid="pose"]');
      return !!el && (el.getAttribute('data-x') !== b.x || el.getAttribute('data-z') !== b.z || el.getAttribute('data-yaw-deg') !== b.yaw);
    },
    { x: before.x.toFixed(4), z: before.z.toFixed(4), yaw: (before.yaw / DEG).toFixed(3) },
    { timeout: 60_000 },
  );
}

function expectNear(got: Pose2D, want: Pose2D, cm = 1, deg = 0.2) {
  expect(Math.hypot(got.x - want.x, got.z - want.z) * 100, `pose ${JSON.stringify(got)} vs ${JSON.stringify(want)}`).toBeLessThan(cm);
  const dy = Math.abs(Math.atan2(Math.sin(got.yaw - want.yaw), Math.cos(got.yaw - want.yaw))) / DEG;
  expect(dy, `yaw ${got.yaw / DEG}° vs ${want.yaw / DEG}°`).toBeLessThan(deg);
}

describe('/view: move and turn the placed scene by hand (emulated Quest 3, living_room)', () => {
  it('hands: tap places, pinch-drag moves without re-placing; controllers: squeeze-drag, two-hand turn, thumbstick', async () => {
    const { page, log } = await openPage(tb, '/view?xr-emulate=quest3&room=living_room&max-splats=20000');
    await page.waitForSelector('[data-testid="view"][data-state="ready"]', { timeout: 120_000 });
    await page.waitForSelector('[data-xr-state="ready"]', { timeout: 30_000 });
    await press(page, '[data-testid="enter-ar"]');
    await page.waitForSelector('[data-xr-state="active"]', { timeout: 30_000 });
    await page.waitForFunction(() => !!(window as unknown as Partial<Win>).__segsplatXrDevice, null, { timeout: 30_000 });
    // Look 35° down at the floor so the viewer's centre ray (the reticle) meets it.
    await dev(page, (d, a: number) => d.quaternion.set(Math.sin(a / 2), 0, 0, Math.cos(a / 2)), -35 * DEG);
    expect(await dev(page, (d) => d.primaryInputMode, null)).toBe('hand');
    const identity = await readPose(page);
    expectNear(identity, { x: 0, z: 0, yaw: 0 }, 0.01, 0.001);

    // 1. Hands: a short pinch without motion places the scene at the reticle.
    await dev(page, (d) => d.hands.right.position.set(0.2, 1.2, -0.35), null);
    const placedAt = page.locator('[data-testid="placed-at"]');
    for (let i = 0; i < 15 && !(await placedAt.count()); i++) {
      await dev(page, (d) => d.hands.right.updatePinchValue(1), null);
      await frames(page, 2);
      await dev(page, (d) => d.hands.right.updatePinchValue(0), null);
      await frames(page, 2);
    }
    await placedAt.waitFor({ timeout: 10_000 });
    const hit = await Promise.all(['data-x', 'data-z'].map(async (k) => Number(await placedAt.getAttribute(k))));
    const placed = await readPose(page);
    expect(Math.hypot(placed.x, placed.z)).toBeGreaterThan(0.05);
    expect(placed.yaw).toBe(0); // placing keeps the yaw
    // The scene's floor-plan centre (local) is what went onto the hit point.
    const centre = transformPlan(invertPose2D(placed), new Float32Array(hit));
    await page.screenshot({ path: screenshotPath('view-xr-hand-placed') });

    // 2. Hands: pinch, drag 0.3 m right and 0.2 m away, release: moved by exactly that, not re-placed
    // (re-placing would put the centre back on the reticle, i.e. undo the drag).
    await dev(page, (d) => d.hands.right.updatePinchValue(1), null);
    await frames(page, 2);
    for (const k of [1, 2, 3]) {
      await dev(page, (d, t: number) => d.hands.right.position.set(0.2 + 0.1 * t, 1.2 + 0.02 * t, -0.35 - (0.2 / 3) * t), k);
      await frames(page, 1);
    }
    await frames(page, 1);
    await dev(page, (d) => d.hands.right.updatePinchValue(0), null);
    await frames(page, 2);
    await poseChanged(page, placed);
    await frames(page, 2);
    const dragged = await readPose(page);
    expectNear(dragged, { x: placed.x + 0.3, z: placed.z - 0.2, yaw: placed.yaw });
    expect(Number(await placedAt.getAttribute('data-x'))).toBeCloseTo(hit[0], 4);
    await page.screenshot({ path: screenshotPath('view-xr-hand-dragged') });
    saveDocShot('view-xr-hand-dragged');

    // 3. Controllers: squeeze the right grip, move 0.25 m left and 0.15 m closer, let go.
    await dev(page, (d) => {
      d.primaryInputMode = 'controller';
      d.controllers.right.position.set(0.25, 1.1, -0.4);
      d.controllers.left.position.set(-0.25, 1.1, -0.4);
    }, null);
    await frames(page, 2);
    await dev(page, (d) => d.controllers.right.updateButtonValue('squeeze', 1), null);
    await frames(page, 2);
    await dev(page, (d) => d.controllers.right.position.set(0.0, 1.3, -0.25), null);
    await frames(page, 2);
    await dev(page, (d) => d.controllers.right.updateButtonValue('squeeze', 0), null);
    await poseChanged(page, dragged);
    await frames(page, 2);
    const squeezed = await readPose(page);
    expectNear(squeezed, { x: dragged.x - 0.25, z: dragged.z + 0.15, yaw: dragged.yaw });
    await page.screenshot({ path: screenshotPath('view-xr-controller-moved') });

    // 4. Both grips: the right controller swings 30° back (+z) around the left: the scene turns by the
    // turn of the vector between the grips (about -30°: clockwise from above) and moves with their midpoint.
    const L = [-0.3, -0.5], R0 = [0.3, -0.5];
    const R1 = [L[0] + 0.6 * Math.cos(30 * DEG), L[1] + 0.6 * Math.sin(30 * DEG)];
    await dev(page, (d, p: number[]) => {
      d.controllers.left.position.set(p[0], 1.2, p[1]);
      d.controllers.right.position.set(p[2], 1.2, p[3]);
    }, [...L, ...R0]);
    await frames(page, 2);
    await dev(page, (d) => {
      d.controllers.left.updateButtonValue('squeeze', 1);
      d.controllers.right.updateButtonValue('squeeze', 1);
    }, null);
    await frames(page, 2);
    await dev(page, (d, p: number[]) => d.controllers.right.position.set(p[0], 1.25, p[1]), R1);
    await frames(page, 2);
    await dev(page, (d) => {
      d.controllers.left.updateButtonValue('squeeze', 0);
      d.controllers.right.updateButtonValue('squeeze', 0);
    }, null);
    await poseChanged(page, squeezed);
    await frames(page, 2);
    const turned = await readPose(page);
    // The grips sit a few cm off the controllers' origins (iwer's Quest profile, mirrored left/right),
    // so the vector between the grips is not quite the one between the origins set above.
    const off = await page.evaluate(() => {
      const d = (window as unknown as Win).__segsplatXrDevice as unknown as { controllers: Record<string, { inputSource: { gripSpace: Record<symbol, { offsetMatrix: number[] }> } }> };
      return ['left', 'right'].map((h) => {
        const g = d.controllers[h].inputSource.gripSpace;
        const m = g[Object.getOwnPropertySymbols(g).find((k) => k.description === '@iwer/xr-space')!].offsetMatrix;
        return [m[12], m[14]];
      });
    });
    const gl = [L[0] + off[0][0], L[1] + off[0][1]], g0 = [R0[0] + off[1][0], R0[1] + off[1][1]], g1 = [R1[0] + off[1][0], R1[1] + off[1][1]];
    const m0 = [(gl[0] + g0[0]) / 2, (gl[1] + g0[1]) / 2], m1 = [(gl[0] + g1[0]) / 2, (gl[1] + g1[1]) / 2];
    const a = Math.atan2(-(g1[1] - gl[1]), g1[0] - gl[0]) - Math.atan2(-(g0[1] - gl[1]), g0[0] - gl[0]);
    expect(a / DEG).toBeCloseTo(-30, 0);
    const c = Math.cos(a), s = Math.sin(a);
    const motion = { x: m1[0] - (c * m0[0] + s * m0[1]), z: m1[1] - (-s * m0[0] + c * m0[1]), yaw: a };
    expectNear(turned, composePose2D(motion, squeezed));
    await page.screenshot({ path: screenshotPath('view-xr-two-hand-turn') });
    saveDocShot('view-xr-two-hand-turn');

    // 5. Thumbstick right: turns clockwise (negative yaw) about the scene's floor-plan centre.
    await dev(page, (d) => d.controllers.right.updateAxes('thumbstick', 1, 0), null);
    await frames(page, 3);
    await dev(page, (d) => d.controllers.right.updateAxes('thumbstick', 0, 0), null);
    await poseChanged(page, turned);
    await frames(page, 2);
    const stick = await readPose(page);
    const dyaw = Math.atan2(Math.sin(stick.yaw - turned.yaw), Math.cos(stick.yaw - turned.yaw)) / DEG;
    expect(dyaw).toBeLessThan(-0.5);
    // At most 45°/s for the (clamped) 0.1 s of each of the few frames it was deflected.
    expect(dyaw).toBeGreaterThan(-45);
    const cBefore = transformPlan(turned, centre), cAfter = transformPlan(stick, centre);
    expect(Math.hypot(cAfter[0] - cBefore[0], cAfter[1] - cBefore[1]) * 100).toBeLessThan(1);

    // Every pose set by hand is anchored like one set by the buttons.
    await page.waitForSelector('[data-testid="anchor-state"][data-anchored="1"]', { timeout: 30_000 });
    await page.close();
    // Input profiles are served locally (public/xr-input-profiles): no fetch may fail, none may leave the site.
    expect(log.errors).toEqual([]);
  }, 420_000);
});
