/**
 * Shared by scripts/demo.mjs and scripts/browser-tests.mjs: decide whether the production build is
 * stale, run it, and start/stop `next start` on a port.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const nextBin = join(root, 'node_modules/next/dist/bin/next');

// public/ is served from disk by `next start`: changes there need no rebuild.
const SOURCE_DIRS = ['app', 'components', 'lib'];
const SOURCE_FILES = ['next.config.js', 'package.json', 'tsconfig.json', 'package-lock.json'];
const SKIP = new Set(['node_modules', '.next']);

function newestMtime(path) {
  let st;
  try {
    st = statSync(path);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(path)) {
    if (SKIP.has(name)) continue;
    newest = Math.max(newest, newestMtime(join(path, name)));
  }
  return newest;
}

/** Why a build is needed, or null when .next/BUILD_ID is newer than every source. */
export function buildStaleness() {
  const id = join(root, '.next/BUILD_ID');
  if (!existsSync(id)) return 'no production build yet (.next/BUILD_ID missing)';
  const built = statSync(id).mtimeMs;
  for (const p of [...SOURCE_DIRS, ...SOURCE_FILES]) {
    if (newestMtime(join(root, p)) > built) return `${p} changed since the last build`;
  }
  return null;
}

export function run(cmd, args, opts = {}) {
  return new Promise((resolvePromise) => {
    const child = spawn(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
    child.on('exit', (code, signal) => resolvePromise(code ?? (signal ? 1 : 0)));
  });
}

/** Copies ORT, the FastDepth model and the XR rooms into public/ (idempotent, skips unchanged files). */
export function copyAssets() {
  return run(process.execPath, [join(root, 'scripts/copy-ort.mjs')]);
}

/** copyAssets then `next build`; returns the exit code. */
export async function build() {
  const c = await copyAssets();
  if (c !== 0) return c;
  return run(process.execPath, [nextBin, 'build'], { env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
}

export function freePort() {
  return new Promise((resolvePromise, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolvePromise(port));
    });
  });
}

/** Starts `next start` and resolves once it answers HTTP; `stop()` ends it. */
export async function startServer(port, { quiet = false, host = 'localhost', timeoutMs = 60_000 } = {}) {
  const child = spawn(process.execPath, [nextBin, 'start', '-p', String(port), '-H', host], {
    cwd: root,
    stdio: quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit',
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
  });
  let exited = null;
  child.on('exit', (code) => (exited = code ?? 1));
  const url = `http://${host}:${port}`;
  const t0 = Date.now();
  for (;;) {
    if (exited !== null) throw new Error(`next start exited with code ${exited}`);
    try {
      const res = await fetch(url + '/', { signal: AbortSignal.timeout(2000) });
      if (res.status < 500) break;
    } catch {
      // not up yet
    }
    if (Date.now() - t0 > timeoutMs) {
      child.kill('SIGTERM');
      throw new Error(`next start did not answer on ${url} within ${timeoutMs / 1000} s`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const stop = () =>
    new Promise((resolvePromise) => {
      if (exited !== null) return resolvePromise();
      child.once('exit', () => resolvePromise());
      child.kill('SIGTERM');
      setTimeout(() => exited === null && child.kill('SIGKILL'), 5000).unref();
    });
  return { url, child, stop };
}
