/**
 * Chromium for the browser tests: Debian's /usr/bin/chromium (never a downloaded browser) through
 * playwright-core, with the flags from platform.md (software WebGL2 via SwiftShader, WebGPU's
 * SwiftShader adapter, no background network), in a throwaway profile.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { chromium, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';

export const BASE_URL = process.env.SEGSPLAT_BASE_URL ?? '';

export const SCREENSHOT_DIR = join(process.cwd(), 'test-results', 'browser');

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--use-gl=swiftshader',
  '--enable-unsafe-swiftshader',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/**
 * GPU compositing on SwiftShader (ANGLE), as a device composites: WebGL canvases reach the compositor as
 * textures. Under the default flags compositing is software only, and every frame's commit reads each
 * WebGL canvas back on the page's main thread (GLES2::ReadPixels), waiting there for SwiftShader to
 * finish the whole frame: seconds per frame once splats are drawn (docs/SCAN.md "Main thread").
 */
export const GPU_COMPOSITING_ARGS = ['--use-angle=swiftshader', '--ignore-gpu-blocklist'];

export function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('chromium not found on PATH (install Debian\'s chromium package or set CHROMIUM_PATH); tests never download a browser');
  }
}

export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * `args`: extra Chromium flags for one test file (e.g. a fake microphone fed from a WAV file).
 * `gpuCompositing`: GPU_COMPOSITING_ARGS instead of `--use-gl=swiftshader`.
 */
export async function launchBrowser(opts: { args?: string[]; gpuCompositing?: boolean } = {}): Promise<TestBrowser> {
  if (!BASE_URL) throw new Error('SEGSPLAT_BASE_URL is not set: run the browser tests with `npm run test:browser`');
  const profile = mkdtempSync(join(tmpdir(), 'segsplat-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: true,
    args: [...(opts.gpuCompositing ? [...CHROMIUM_ARGS.filter((a) => a !== '--use-gl=swiftshader'), ...GPU_COMPOSITING_ARGS] : CHROMIUM_ARGS), ...(opts.args ?? [])],
    viewport: { width: 1024, height: 640 },
  });
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Console messages that are documented, harmless and outside our control. Everything else at
 * level "error" (and every uncaught page error) fails a test.
 */
export const BENIGN_CONSOLE: RegExp[] = [
  // SwiftShader / ANGLE performance notes (software GL in CI only).
  /GPU stall due to ReadPixels/,
  /Automatic fallback to software WebGL has been deprecated/,
  // onnxruntime-web's WebGPU EP on a SwiftShader adapter (no shader-f16 etc.).
  /powerPreference option is currently ignored/,
];

export interface PageLog {
  errors: string[];
  console: string[];
}

/** Opens a page that records page errors and non-benign console errors. */
export async function openPage(tb: TestBrowser, path: string): Promise<{ page: Page; log: PageLog }> {
  const page = await tb.context.newPage();
  const log: PageLog = { errors: [], console: [] };
  page.on('pageerror', (e) => log.errors.push(`pageerror: ${e.message}`));
  page.on('console', (m: ConsoleMessage) => {
    const text = `${m.type()}: ${m.text()}`;
    log.console.push(text);
    if (m.type() === 'error' && !BENIGN_CONSOLE.some((re) => re.test(m.text()))) log.errors.push(text);
  });
  page.on('requestfailed', (r) => {
    // Aborted navigations/fetches on page close are not failures.
    if (r.failure()?.errorText !== 'net::ERR_ABORTED') log.errors.push(`requestfailed: ${r.url()} ${r.failure()?.errorText}`);
  });
  await page.goto(BASE_URL + path, { waitUntil: 'load' });
  return { page, log };
}

export function screenshotPath(name: string): string {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return join(SCREENSHOT_DIR, `${name}.png`);
}

/**
 * Screenshot of an element's box via a page clip. Locator.screenshot() waits for the element to be
 * "stable" across animation frames, which takes ~20 s when software WebGL renders at ~1 fps.
 */
export async function shootElement(page: Page, selector: string, path?: string): Promise<Buffer> {
  const box = await page.locator(selector).first().boundingBox();
  if (!box) throw new Error(`shootElement: ${selector} is not visible`);
  return page.screenshot({ clip: box, path });
}
