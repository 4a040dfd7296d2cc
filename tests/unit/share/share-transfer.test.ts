/** The clients' retry, progress, cancel and resume logic (lib/web/share-transfer.ts) against scripted servers. */
import { describe, expect, it } from 'vitest';
import { backoffMs, DEFAULT_RETRY, downloadScene, parseRetryAfter, TransferCancelled, TransferError, uploadScene, type RetryEvent } from '../../../lib/web/share-transfer';

type Answer = Response | Error;
function scripted(answers: Answer[]) {
  const calls: { url: string; init?: RequestInit }[] = [];
  const fetch = async (url: string, init?: RequestInit) => {
    calls.push({ url, init });
    const a = answers[Math.min(calls.length - 1, answers.length - 1)];
    if (a instanceof Error) throw a;
    return a.clone();
  };
  return { fetch, calls };
}
const busy = (retryAfter = '0') => new Response('{"error":"busy","message":"queue full"}', { status: 503, headers: { 'retry-after': retryAfter } });
const receipt = () => new Response(JSON.stringify({ id: 'i', code: 'H5P5NG', token: 'T'.repeat(43), expiresAt: 'x' }), { status: 201 });

describe('backoff', () => {
  it('honours Retry-After (plus up to 50 % jitter) and otherwise backs off exponentially, capped', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(new Date(Date.now() + 3000).toUTCString())).toBeGreaterThan(1000);
    expect(parseRetryAfter(null)).toBeNull();
    expect(backoffMs(1, 2000, DEFAULT_RETRY, () => 0)).toBe(2000);
    expect(backoffMs(1, 2000, DEFAULT_RETRY, () => 0.999)).toBeCloseTo(2999, 0);
    expect(backoffMs(1, null, DEFAULT_RETRY, () => 0.999)).toBeCloseTo(500, 0);
    expect(backoffMs(3, null, DEFAULT_RETRY, () => 0.999)).toBeCloseTo(1999, 0);
    expect(backoffMs(20, null, DEFAULT_RETRY, () => 0.999)).toBeLessThanOrEqual(DEFAULT_RETRY.maxDelayMs);
  });
});

describe('uploadScene', () => {
  it('retries 503 and network errors, reporting "server busy, retrying (n)", then returns the receipt', async () => {
    const s = scripted([busy(), new TypeError('fetch failed'), busy(), receipt()]);
    const retries: RetryEvent[] = [];
    const progress: number[] = [];
    const r = await uploadScene(new Uint8Array(100), { fetch: s.fetch, onRetry: (e) => retries.push(e), onProgress: (l) => progress.push(l), retry: { baseDelayMs: 1 } });
    expect(r.code).toBe('H5P5NG');
    expect(s.calls).toHaveLength(4);
    expect(retries.map((e) => e.message)).toEqual(['server busy, retrying (1)', 'connection lost, retrying (2)', 'server busy, retrying (3)']);
    expect(progress.at(-1)).toBe(100);
  });

  it('does not retry a final refusal (400) and keeps its message; gives up after maxAttempts', async () => {
    const bad = scripted([new Response('{"error":"invalid_scene","message":"glb: truncated"}', { status: 400 })]);
    const e = await uploadScene(new Uint8Array(1), { fetch: bad.fetch }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TransferError);
    expect((e as TransferError).status).toBe(400);
    expect((e as Error).message).toMatch(/HTTP 400.*glb: truncated/);
    expect(bad.calls).toHaveLength(1);
    const always = scripted([busy()]);
    await expect(uploadScene(new Uint8Array(1), { fetch: always.fetch, retry: { maxAttempts: 3 } })).rejects.toThrow(/server busy after 3 attempts/);
    expect(always.calls).toHaveLength(3);
  });

  it('cancels during a backoff wait', async () => {
    const s = scripted([busy('30')]);
    const ac = new AbortController();
    const t0 = Date.now();
    const p = uploadScene(new Uint8Array(1), { fetch: s.fetch, signal: ac.signal, onRetry: () => setTimeout(() => ac.abort(), 10) });
    await expect(p).rejects.toBeInstanceOf(TransferCancelled);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(s.calls).toHaveLength(1);
  });
});

describe('downloadScene', () => {
  const bytes = new Uint8Array(3000).map((_, i) => (i * 7) & 255);
  const head = { 'x-scene-bytes': '3000', etag: '"abc"' };

  it('resumes a body that breaks off with Range + If-Range and assembles the exact bytes', async () => {
    let sent = 0;
    const broken = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent === 0) {
          c.enqueue(bytes.slice(0, 1200));
          sent = 1200;
        } else c.error(new TypeError('network connection lost'));
      },
    });
    const calls: Record<string, string>[] = [];
    const fetch = async (_u: string, init?: RequestInit) => {
      calls.push(Object.fromEntries(new Headers(init?.headers).entries()));
      if (calls.length === 1) return new Response(broken, { status: 200, headers: head });
      if (calls.length === 2) return busy();
      return new Response(bytes.slice(1200), { status: 206, headers: { ...head, 'content-range': 'bytes 1200-2999/3000' } });
    };
    const retries: string[] = [];
    const progress: [number, number][] = [];
    const d = await downloadScene('/api/scenes/X', { fetch, headers: { authorization: 'Bearer t' }, onRetry: (e) => retries.push(e.message), onProgress: (l, t) => progress.push([l, t]), retry: { baseDelayMs: 1 } });
    expect(d.bytes).toEqual(bytes);
    expect(d.resumed).toBe(1);
    expect(calls[1]).toMatchObject({ range: 'bytes=1200-', 'if-range': '"abc"', authorization: 'Bearer t' });
    expect(calls[2].range).toBe('bytes=1200-');
    expect(retries).toEqual(['connection lost, retrying (1)', 'server busy, retrying (2)']);
    expect(progress.at(-1)).toEqual([3000, 3000]);
  });

  it('starts over when the server answers a resume with the whole file (200)', async () => {
    const fetch = async (_u: string, init?: RequestInit) =>
      new Headers(init?.headers).get('range') ? new Response(bytes, { status: 200, headers: head }) : new Response(bytes.slice(0, 10), { status: 200, headers: head });
    const d = await downloadScene('/x', { fetch, retry: { baseDelayMs: 1 } });
    expect(d.bytes).toEqual(bytes);
  });
});
