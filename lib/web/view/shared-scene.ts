/**
 * Headset side of sharing (docs/SHARING.md): GET /api/scenes/{code} with the bearer token, streamed
 * with progress. Next.js strips Content-Length from route responses, so the size comes from
 * X-Scene-Bytes. Errors become sentences a person can act on.
 */
import { normalizeShareCode, normalizeShareToken } from './view-params';

export interface SharedSceneDownload {
  code: string;
  bytes: Uint8Array;
  format: string | null;
  gaussians: number | null;
}

export type FetchFn = (url: string, init?: RequestInit) => Promise<Response>;

export class SharedSceneError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'SharedSceneError';
  }
}

export async function fetchSharedScene(
  rawCode: string,
  rawToken: string,
  opts: { fetch?: FetchFn; onProgress?: (loaded: number, total: number) => void; signal?: AbortSignal; baseUrl?: string } = {},
): Promise<SharedSceneDownload> {
  const code = normalizeShareCode(rawCode);
  const token = normalizeShareToken(rawToken);
  const f = opts.fetch ?? ((u: string, i?: RequestInit) => fetch(u, i));
  const url = `${opts.baseUrl ?? ''}/api/scenes/${code}`;
  let res: Response;
  try {
    res = await f(url, { headers: { authorization: `Bearer ${token}` }, signal: opts.signal, cache: 'no-store' });
  } catch (e) {
    throw new SharedSceneError(0, `could not reach the server for code ${code} (${(e as Error).message})`);
  }
  if (res.status === 404) throw new SharedSceneError(404, `unknown or expired code ${code} (or the token does not belong to it)`);
  if (res.status === 401) throw new SharedSceneError(401, 'the server refused the token (missing or malformed)');
  if (!res.ok) {
    let detail = '';
    try {
      detail = ((await res.json()) as { message?: string }).message ?? '';
    } catch {
      // not JSON: the status says enough
    }
    throw new SharedSceneError(res.status, `download of ${code} failed: HTTP ${res.status}${detail ? ` (${detail})` : ''}`);
  }
  const header = Number(res.headers.get('x-scene-bytes') ?? res.headers.get('content-length') ?? '');
  const total = Number.isFinite(header) && header > 0 ? header : 0;
  const gaussians = Number(res.headers.get('x-scene-gaussians') ?? '');
  const meta = { code, format: res.headers.get('x-scene-format'), gaussians: Number.isFinite(gaussians) && gaussians > 0 ? gaussians : null };
  if (!res.body) {
    const bytes = new Uint8Array(await res.arrayBuffer());
    opts.onProgress?.(bytes.byteLength, total || bytes.byteLength);
    return { ...meta, bytes };
  }
  // Preallocate when the size is known (and sane), else collect chunks.
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  opts.onProgress?.(0, total);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.byteLength;
    if (total && loaded > total) {
      await reader.cancel().catch(() => undefined);
      throw new SharedSceneError(res.status, `download of ${code} is longer than the announced ${total} bytes`);
    }
    opts.onProgress?.(loaded, total);
  }
  if (total && loaded !== total) throw new SharedSceneError(res.status, `download of ${code} stopped at ${loaded} of ${total} bytes`);
  const bytes = new Uint8Array(loaded);
  let o = 0;
  for (const c of chunks) {
    bytes.set(c, o);
    o += c.byteLength;
  }
  return { ...meta, bytes };
}
