/**
 * Helpers for the sharing tests: small valid scenes written by lib/splat, throw-away data
 * directories, and request-body streams that count how much of them was pulled.
 */
import { expect } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GaussianScene } from '../../../lib/splat/gaussian-scene';
import { writeSceneFile } from '../../../lib/splat/scene-file';
import { defaultShareConfig, type ShareConfig } from '../../../lib/share/share-config';
import { ShareError } from '../../../lib/share/share-error';

/** A deterministic scene of `n` Gaussians on a line, with one labelled bank entry. */
export function smallScene(n: number, seed = 1): GaussianScene {
  const s = new GaussianScene({ bankDim: 8 });
  s.bank.add([seed, 0, 0, 0, 0, 0, 0, 1], { label: 'lamp', instanceId: 1, sourceViews: [0], support: 1 });
  const first = s.allocate(n);
  for (let i = first; i < first + n; i++) {
    s.positions.set([i * 0.01 + seed, 0.5, -1], i * 3);
    s.scales.set([0.01, 0.02, 0.005], i * 3);
    s.opacities[i] = 0.25 + ((i * 7 + seed) % 10) / 20;
    s.colors.set([(i % 5) / 5, ((i + seed) % 3) / 3, 0.5], i * 3);
    s.semantic[i] = i % 2;
  }
  return s;
}

export async function sceneBytes(format: 'glb' | 'compact' | 'ply', n = 32, seed = 1): Promise<Uint8Array> {
  return writeSceneFile(smallScene(n, seed), format);
}

export interface TempDir {
  dir: string;
  cleanup(): Promise<void>;
}

export async function tempDir(prefix = 'segsplat-share-'): Promise<TempDir> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export function testConfig(dataDir: string, over: Partial<ShareConfig> = {}): ShareConfig {
  return { ...defaultShareConfig(), dataDir, ...over };
}

/** A body stream of `total` bytes in `chunk`-sized pieces that records how many bytes were pulled. */
export function countingStream(total: number, chunk = 16 * 1024): { stream: ReadableStream<Uint8Array>; pulled: () => number; cancelled: () => boolean } {
  let sent = 0;
  let wasCancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    pull(c) {
      if (sent >= total) return c.close();
      const n = Math.min(chunk, total - sent);
      sent += n;
      c.enqueue(new Uint8Array(n).fill(0x41));
    },
    cancel() {
      wasCancelled = true;
    },
  }, { highWaterMark: 0 }); // pull only on demand, so `pulled` is what the reader asked for
  return { stream, pulled: () => sent, cancelled: () => wasCancelled };
}

/** A stream delivering `bytes` in pieces (as a network would). */
export function chunkedStream(bytes: Uint8Array, chunk = 1000): ReadableStream<Uint8Array> {
  let off = 0;
  return new ReadableStream<Uint8Array>({
    pull(c) {
      if (off >= bytes.byteLength) return c.close();
      c.enqueue(bytes.slice(off, off + chunk));
      off += chunk;
    },
  });
}

export async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Waits (up to 5 s) for a condition that asynchronous admission makes true; throws if it never does. */
export async function until(cond: () => boolean, what = 'condition'): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!cond()) throw new Error(`timed out waiting for ${what}`);
}

/** The ShareError a promise is refused with (fails the test when it resolves or throws anything else). */
export async function refusal(p: Promise<unknown>): Promise<ShareError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ShareError);
    return e as ShareError;
  }
  throw new Error('expected the store to refuse the upload');
}
