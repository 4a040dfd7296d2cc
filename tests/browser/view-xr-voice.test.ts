/**
 * A spoken question in the headset (emulated Quest 3, iwer + @iwer/sem living_room, the shipped sample
 * scene, no semantic model downloaded): the microphone plays a WAV that espeak-ng speaks in this test
 * ("where is the lamp", with pink noise mixed in by sox; getUserMedia is answered with a stream of it), the page asks for the microphone
 * before the session (Quest Browser cannot prompt inside it), the user points the right controller at
 * the in-XR panel's mic key and pulls the trigger; the on-device recogniser (PocketSphinx wasm in a
 * worker) listens until the voice detector hears silence, the panel shows "heard: ...", the transcript
 * goes through the page's `ask`, and the sample's lamps light up (answers from the stored labels and
 * the room labels; highlighted splats).
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as THREE from 'three';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { panelToWorld } from '../../lib/web/view/xr-keyboard';
import type { XrPanelTestHook } from '../../components/view/XrQueryPanel';
import { launchBrowser, openPage, screenshotPath, type TestBrowser } from './support/browser';
import { dev, frames, press, type EmulatedDevice } from './support/xr-device';
import { speak } from '../support/spoken-audio';
import { encodeWav16 } from '../../lib/inference/speech/wav';

let tb: TestBrowser;
let wavBytes: Buffer;
beforeAll(async () => {
  const wav = speak('where is the lamp', { voice: 'en-us', speed: 150, leadS: 1, tailS: 3, rate: 48000, noise: { kind: 'pinknoise', snrDb: 20 } });
  wavBytes = readFileSync(wav);
  tb = await launchBrowser({ args: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--autoplay-policy=no-user-gesture-required'] });
  // The microphone: getUserMedia audio answers with a stream that plays the spoken question from the
  // moment it is opened (Chromium's --use-file-for-fake-audio-capture plays its file on its own clock,
  // so a question said once is long over when the emulated user, at ~1 XR frame a second, presses the key).
  await tb.context.route('**/__test-audio/question.wav', (r) => r.fulfill({ body: wavBytes, contentType: 'audio/wav' }));
  await tb.context.addInitScript(() => {
    const md = navigator.mediaDevices;
    const orig = md.getUserMedia.bind(md);
    md.getUserMedia = async (c?: MediaStreamConstraints) => {
      if (!c?.audio) return orig(c);
      const ctx = new AudioContext();
      await ctx.resume();
      const buf = await ctx.decodeAudioData(await (await fetch('/__test-audio/question.wav')).arrayBuffer());
      const src = ctx.createBufferSource();
      src.buffer = buf;
      const dst = ctx.createMediaStreamDestination();
      src.connect(dst);
      src.start();
      (window as unknown as { __micOpened: number }).__micOpened = ((window as unknown as { __micOpened?: number }).__micOpened ?? 0) + 1;
      return dst.stream;
    };
  });
});
afterAll(async () => {
  await tb?.close();
});

type Win = { __segsplatXrDevice: EmulatedDevice; __segsplatXrPanel?: XrPanelTestHook };
const panel = (page: Page) => page.evaluate(() => (window as unknown as Win).__segsplatXrPanel ?? null);
const answerSeq = async (page: Page) => Number(await page.getAttribute('[data-testid="view"]', 'data-answer-seq'));

async function aim(page: Page, id: string) {
  const p = (await panel(page))!;
  const k = p.keys.find((q) => q.id === id);
  if (!k) throw new Error(`no key ${id} on the panel (keys: ${p.keys.map((q) => q.id).join(' ')})`);
  const q = new THREE.Quaternion().setFromRotationMatrix(new THREE.Matrix4().fromArray(p.matrix));
  const c = panelToWorld(p.matrix, k.x, k.y);
  const n = [p.matrix[8], p.matrix[9], p.matrix[10]];
  const pos = [c[0] + 0.25 * n[0], c[1] + 0.25 * n[1], c[2] + 0.25 * n[2]];
  await dev(page, (d, a: number[]) => {
    d.controllers.right.position.set(a[0], a[1], a[2]);
    d.controllers.right.quaternion.set(a[3], a[4], a[5], a[6]);
  }, [...pos, q.x, q.y, q.z, q.w]);
  await page.waitForFunction((want) => (window as unknown as Win).__segsplatXrPanel?.hover.right === want, id, { timeout: 60_000, polling: 100 });
}

const t0 = Date.now();
const step = (s: string) => process.stderr.write(`view-xr-voice ${((Date.now() - t0) / 1000).toFixed(0)} s: ${s}\n`);

describe('/view: asking by voice inside the headset (emulated Quest 3, living_room, no model downloaded)', () => {
  it('"where is the lamp" spoken into the microphone, started with the mic key, lights up the lamps', async () => {
    const { page, log } = await openPage(tb, '/view?xr-emulate=quest3&room=living_room&max-splats=20000');
    await page.waitForSelector('[data-testid="view"][data-state="ready"]', { timeout: 120_000 });
    step('scene ready');
    // No semantic model: the page answers from the sample's stored labels.
    await page.waitForSelector('[data-testid="model-state"]:not([data-state="ready"])', { timeout: 60_000 });
    // Quest Browser shows no permission prompt inside an immersive session: the page offers to ask first.
    // (Not pressed here: --use-fake-ui-for-media-stream grants the permission anyway.)
    await page.waitForSelector('[data-testid="voice-status"][data-engine="on-device"] [data-testid="voice-allow"]');
    step('on the page');
    await page.waitForSelector('[data-xr-state="ready"]', { timeout: 30_000 });
    await press(page, '[data-testid="enter-ar"]');
    await page.waitForSelector('[data-xr-state="active"]', { timeout: 90_000 }).catch(async (e: Error) => {
      throw new Error(`${e.message}; xr state: ${await page.getAttribute('[data-xr-state]', 'data-xr-state')}`);
    });
    await page.waitForFunction(() => !!(window as unknown as Partial<Win>).__segsplatXrPanel, null, { timeout: 60_000 });
    step('in AR, panel up');
    await dev(page, (d) => {
      d.primaryInputMode = 'controller';
    }, null);
    await frames(page, 2);

    const seq0 = await answerSeq(page);
    await aim(page, 'mic');
    await dev(page, (d) => d.controllers.right.updateButtonValue('trigger', 1), null);
    await frames(page, 2);
    await dev(page, (d) => d.controllers.right.updateButtonValue('trigger', 0), null);
    // Listening (the level meter is on the mic key), then the detector hears the silence after the question.
    await page.waitForFunction(() => ['listening', 'thinking', 'heard'].includes((window as unknown as Win).__segsplatXrPanel?.voice ?? ''), null, { timeout: 60_000 });
    step('listening');
    await page.waitForSelector('[data-testid="voice-status"][data-phase="heard"]', { timeout: 90_000 }).catch(async (e: Error) => {
      // What the page heard, for a look (npm run transcribe -- test-results/browser/view-xr-voice-capture.wav).
      const cap = await page.evaluate(() => {
        const c = (window as unknown as { __segsplatVoiceCapture?: { rate: number; chunks: Float32Array[] } }).__segsplatVoiceCapture;
        return c ? { rate: c.rate, samples: c.chunks.flatMap((x) => Array.from(x)) } : null;
      });
      if (cap) writeFileSync(screenshotPath('view-xr-voice-capture').replace(/\.png$/, '.wav'), encodeWav16(Float32Array.from(cap.samples), cap.rate));
      throw new Error(`${e.message}; voice: ${await page.innerText('[data-testid="voice-status"]')}; speech ${await page.getAttribute('[data-testid="voice-status"]', 'data-speech')}; captured ${cap ? (cap.samples.length / cap.rate).toFixed(2) : 0} s`);
    });
    step('heard');
    const heard = (await page.getAttribute('[data-testid="voice-status"]', 'data-heard')) ?? '';
    expect(heard).toMatch(/\blamp\b/);
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid="view"]')?.getAttribute('data-answer-seq')) > n, seq0, { timeout: 90_000 });
    const rows = await page.locator('[data-testid="answer"]').evaluateAll((els) => els.map((e) => ({ label: e.getAttribute('data-label') ?? '', source: e.getAttribute('data-source') })));
    const lamps = rows.filter((r) => /lamp/i.test(r.label));
    expect(lamps.length, JSON.stringify(rows)).toBeGreaterThanOrEqual(2);
    expect(rows.every((r) => /lamp/i.test(r.label)), JSON.stringify(rows)).toBe(true);
    // The sample scene's own lamps answer (stored labels), not only the headset's room labels.
    expect(rows.some((r) => r.source === 'scene' || r.source === 'both'), JSON.stringify(rows)).toBe(true);
    expect(Number(await page.getAttribute('[data-testid="view"]', 'data-highlighted'))).toBeGreaterThan(0);
    await page.waitForFunction(() => /heard: "[^"]*lamp[^"]*" → /.test((window as unknown as Win).__segsplatXrPanel?.readout ?? ''), null, { timeout: 30_000 }).catch(async (e: Error) => {
      throw new Error(`${e.message}; readout: ${(await panel(page))?.readout}`);
    });
    // Voice state and level shown on the page too; the recogniser was loaded by the first question.
    expect(await page.getAttribute('[data-testid="voice-status"]', 'data-recogniser')).toMatch(/^PocketSphinx/);
    await frames(page, 2);
    await page.screenshot({ path: screenshotPath('view-xr-voice') });
    mkdirSync('docs/img/view', { recursive: true });
    copyFileSync(screenshotPath('view-xr-voice'), join('docs/img/view', 'view-xr-voice.png'));
    // The microphone is granted now: the page no longer offers to ask for it.
    await page.waitForSelector('[data-testid="voice-status"][data-mic="granted"]', { timeout: 30_000 });
    expect(await page.locator('[data-testid="voice-allow"]').count()).toBe(0);
    await page.close();
    expect(log.errors.filter((e) => !/status of 404/.test(e))).toEqual([]);
  }, 400_000);
});
