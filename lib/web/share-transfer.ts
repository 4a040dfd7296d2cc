/**
 * Client side of scene sharing under load (docs/SHARING.md): upload and download with retries.
 *
 * A 503 (server busy: its upload queue is full) and a network error are retried with exponential
 * backoff, honouring Retry-After, with jitter so clients refused together do not come back
 * together. Every retry is reported (`onRetry`, with the "server busy, retrying (n)" message the
 * pages show), progress is reported for both directions, and an AbortSignal cancels at any point,
 * including during a backoff wait. A download that breaks off resumes with a Range request
 * (If-Range on the ETag) instead of starting over.
 *
 * Plain TypeScript: browsers (XMLHttpRequest for upload progress), Node (fetch: the bench) alike.
 */

export interface RetryPolicy {
  /** Attempts in all, the first included (default 8). */
  maxAttempts: number;
  /** First backoff without Retry-After, milliseconds; doubles each time (default 500). */
  baseDelayMs: number;
  /** Longest single wait, milliseconds (default 15 s). */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 500, maxDelayMs: 15_000 };

export interface RetryEvent {
  /** 1 for the first retry. */
  attempt: number;
  delayMs: number;
  /** 'busy' = HTTP 503; 'network' = no answer (connection refused, reset, offline). */
  reason: 'busy' | 'network';
  /** What to show: "server busy, retrying (n)" or "connection lost, retrying (n)". */
  message: string;
}

export interface TransferOptions {
  signal?: AbortSignal;
  onProgress?: (loaded: number, total: number) => void;
  onRetry?: (e: RetryEvent) => void;
  retry?: Partial<RetryPolicy>;
  /** Injectable for tests and Node (default globalThis.fetch). */
  fetch?: (url: string, init?: RequestInit) => Promise<Response>;
  /** Jitter source in [0, 1) (default Math.random). */
  random?: () => number;
}

/** The transfer was cancelled through its AbortSignal. */
export class TransferCancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'TransferCancelled';
  }
}

/** The server answered with a final (not retried) status, or retries ran out. */
export class TransferError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The parsed JSON error body ({ error, message }) when there was one. */
    readonly body: { error?: string; message?: string } | null = null,
  ) {
    super(message);
    this.name = 'TransferError';
  }
}

export function retryMessage(reason: RetryEvent['reason'], attempt: number): string {
  return `${reason === 'busy' ? 'server busy' : 'connection lost'}, retrying (${attempt})`;
}

/** Retry-After as milliseconds (delta-seconds or an HTTP date), or null. */
export function parseRetryAfter(v: string | null, now = Date.now()): number | null {
  if (v === null) return null;
  if (/^\s*\d+\s*$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  return Number.isFinite(t) ? Math.max(0, t - now) : null;
}

/** Backoff before retry `attempt` (1-based): Retry-After (+ up to 50 % jitter) or exponential with full jitter. */
export function backoffMs(attempt: number, retryAfterMs: number | null, p: RetryPolicy, random: () => number = Math.random): number {
  if (retryAfterMs !== null) return Math.min(p.maxDelayMs, retryAfterMs * (1 + 0.5 * random()));
  const cap = Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** (attempt - 1));
  return cap * (0.5 + 0.5 * random());
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new TransferCancelled());
    const onAbort = () => {
      clearTimeout(timer);
      reject(new TransferCancelled());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** What one attempt returns: a final answer, or a retryable one. */
type Attempt<T> = { done: T } | { retry: 'busy' | 'network'; retryAfterMs: number | null; detail: string };

async function withRetries<T>(opts: TransferOptions, attempt: () => Promise<Attempt<T>>): Promise<T> {
  const p: RetryPolicy = { ...DEFAULT_RETRY, ...opts.retry };
  for (let n = 1; ; n++) {
    if (opts.signal?.aborted) throw new TransferCancelled();
    const r = await attempt();
    if ('done' in r) return r.done;
    if (n >= p.maxAttempts)
      throw new TransferError(r.retry === 'busy' ? 503 : 0, `${r.retry === 'busy' ? 'server busy' : 'could not reach the server'} after ${n} attempts (${r.detail})`);
    const delayMs = backoffMs(n, r.retryAfterMs, p, opts.random);
    opts.onRetry?.({ attempt: n, delayMs, reason: r.retry, message: retryMessage(r.retry, n) });
    await sleep(delayMs, opts.signal);
  }
}

function isAbort(e: unknown, signal?: AbortSignal): boolean {
  return !!signal?.aborted || (e as { name?: string })?.name === 'AbortError';
}

interface RawAnswer {
  status: number;
  header(name: string): string | null;
  text: string;
}

/** One POST of `body` with upload progress: XMLHttpRequest in browsers, fetch elsewhere. */
function postOnce(url: string, body: Uint8Array, headers: Record<string, string>, opts: TransferOptions): Promise<RawAnswer> {
  if (typeof XMLHttpRequest !== 'undefined' && !opts.fetch) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', url);
      for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
      xhr.upload.onprogress = (e) => opts.onProgress?.(e.loaded, e.lengthComputable ? e.total : body.byteLength);
      xhr.onload = () => resolve({ status: xhr.status, header: (n) => xhr.getResponseHeader(n), text: xhr.responseText });
      xhr.onerror = () => reject(new TypeError('network error'));
      xhr.onabort = () => reject(new TransferCancelled());
      const onAbort = () => xhr.abort();
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      xhr.onloadend = () => opts.signal?.removeEventListener('abort', onAbort);
      xhr.send(body as unknown as XMLHttpRequestBodyInit);
    });
  }
  const f = opts.fetch ?? ((u: string, i?: RequestInit) => fetch(u, i));
  return f(url, { method: 'POST', headers, body: body as unknown as BodyInit, signal: opts.signal }).then(async (res) => {
    const text = await res.text();
    opts.onProgress?.(body.byteLength, body.byteLength);
    return { status: res.status, header: (n) => res.headers.get(n), text };
  });
}

function parseJson(text: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export interface UploadReceipt {
  id: string;
  code: string;
  token: string;
  expiresAt: string;
}

/** POST /api/scenes with retries; resolves with the 201's receipt, throws TransferError otherwise. */
export async function uploadScene(
  bytes: Uint8Array,
  opts: TransferOptions & { baseUrl?: string; token?: string | null; contentType?: string } = {},
): Promise<UploadReceipt> {
  const headers: Record<string, string> = { 'content-type': opts.contentType ?? 'model/gltf-binary' };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const url = `${opts.baseUrl ?? ''}/api/scenes`;
  return withRetries<UploadReceipt>(opts, async () => {
    let a: RawAnswer;
    opts.onProgress?.(0, bytes.byteLength);
    try {
      a = await postOnce(url, bytes, headers, opts);
    } catch (e) {
      if (e instanceof TransferCancelled || isAbort(e, opts.signal)) throw new TransferCancelled();
      return { retry: 'network', retryAfterMs: null, detail: (e as Error).message };
    }
    const body = parseJson(a.text);
    if (a.status === 503) return { retry: 'busy', retryAfterMs: parseRetryAfter(a.header('retry-after')), detail: String(body?.message ?? 'HTTP 503') };
    if (a.status !== 201)
      throw new TransferError(a.status, `sharing failed (HTTP ${a.status}): ${String(body?.message ?? body?.error ?? 'no message')}`, body as TransferError['body']);
    const code = String(body?.code ?? ''), token = String(body?.token ?? '');
    if (!code || !token) throw new TransferError(a.status, 'sharing failed: the server answered without a code or token');
    return { done: { id: String(body?.id ?? ''), code, token, expiresAt: String(body?.expiresAt ?? '') } };
  });
}

export interface DownloadResult {
  bytes: Uint8Array;
  /** The final response's headers (of the last part, for a resumed download). */
  headers: Headers;
  /** Times the body broke off and was resumed with a Range request. */
  resumed: number;
}

/**
 * GET `url` with retries; a body that breaks off is resumed from where it stopped (Range + If-Range).
 * `onStatus` may throw for a final status (404, 401: the caller's own wording); other non-2xx
 * statuses become a TransferError. The size comes from X-Scene-Bytes (Next strips Content-Length).
 */
export async function downloadScene(
  url: string,
  opts: TransferOptions & { headers?: Record<string, string>; onStatus?: (res: Response) => Promise<void> | void } = {},
): Promise<DownloadResult> {
  const f = opts.fetch ?? ((u: string, i?: RequestInit) => fetch(u, i));
  let chunks: Uint8Array[] = [];
  let loaded = 0;
  let total = 0;
  let etag: string | null = null;
  let resumed = 0;
  return withRetries<DownloadResult>(opts, async () => {
    if (loaded > 0 && !etag) {
      chunks = []; // nothing to resume against: start over
      loaded = 0;
    }
    const headers: Record<string, string> = { ...opts.headers };
    if (loaded > 0 && etag) {
      headers.range = `bytes=${loaded}-`;
      headers['if-range'] = etag;
    }
    let res: Response;
    try {
      res = await f(url, { headers, signal: opts.signal, cache: 'no-store' });
    } catch (e) {
      if (isAbort(e, opts.signal)) throw new TransferCancelled();
      return { retry: 'network', retryAfterMs: null, detail: (e as Error).message };
    }
    if (res.status === 503) {
      await res.body?.cancel().catch(() => {});
      return { retry: 'busy', retryAfterMs: parseRetryAfter(res.headers.get('retry-after')), detail: 'HTTP 503' };
    }
    await opts.onStatus?.(res);
    if (res.status !== 200 && res.status !== 206) {
      const body = parseJson(await res.text().catch(() => ''));
      throw new TransferError(res.status, `download failed: HTTP ${res.status}${body?.message ? ` (${String(body.message)})` : ''}`, body as TransferError['body']);
    }
    if (res.status === 200 && loaded > 0) {
      // The server sent the whole file (no range support, or the file changed): start over.
      chunks = [];
      loaded = 0;
    }
    const announced = Number(res.headers.get('x-scene-bytes') ?? res.headers.get('content-length') ?? '');
    if (Number.isFinite(announced) && announced > 0) total = announced;
    etag = res.headers.get('etag');
    opts.onProgress?.(loaded, total);
    if (res.body) {
      const reader = res.body.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          chunks.push(value);
          loaded += value.byteLength;
          if (total && loaded > total) throw new TransferError(res.status, `download is longer than the announced ${total} bytes`);
          opts.onProgress?.(loaded, total);
        }
      } catch (e) {
        if (e instanceof TransferError) throw e;
        if (isAbort(e, opts.signal)) throw new TransferCancelled();
        if (etag) resumed++;
        return { retry: 'network', retryAfterMs: null, detail: `body broke off at ${loaded} bytes (${(e as Error).message})` };
      }
    } else {
      const b = new Uint8Array(await res.arrayBuffer());
      chunks.push(b);
      loaded += b.byteLength;
    }
    if (total && loaded !== total) {
      if (etag) resumed++;
      return { retry: 'network', retryAfterMs: null, detail: `body stopped at ${loaded} of ${total} bytes` };
    }
    const bytes = chunks.length === 1 ? chunks[0] : new Uint8Array(loaded);
    if (chunks.length !== 1) {
      let o = 0;
      for (const c of chunks) {
        bytes.set(c, o);
        o += c.byteLength;
      }
    }
    return { done: { bytes, headers: res.headers, resumed } };
  });
}
