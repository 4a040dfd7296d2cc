/**
 * Headset side of sharing (docs/SHARING.md): GET /api/scenes/{code} with the bearer token, streamed
 * with progress, retried on 503 and network errors and resumed with Range after a break
 * (lib/web/share-transfer.ts). Next.js strips Content-Length from route responses, so the size
 * comes from X-Scene-Bytes. Errors become sentences a person can act on.
 */
import { downloadScene, TransferCancelled, TransferError, type TransferOptions } from '../share-transfer';
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
  opts: Omit<TransferOptions, 'fetch'> & { fetch?: FetchFn; baseUrl?: string } = {},
): Promise<SharedSceneDownload> {
  const code = normalizeShareCode(rawCode);
  const token = normalizeShareToken(rawToken);
  const url = `${opts.baseUrl ?? ''}/api/scenes/${code}`;
  let d;
  try {
    d = await downloadScene(url, {
      ...opts,
      headers: { authorization: `Bearer ${token}` },
      onStatus: (res) => {
        if (res.status === 404) throw new SharedSceneError(404, `unknown or expired code ${code} (or the token does not belong to it)`);
        if (res.status === 401) throw new SharedSceneError(401, 'the server refused the token (missing or malformed)');
      },
    });
  } catch (e) {
    if (e instanceof SharedSceneError || e instanceof TransferCancelled) throw e;
    if (e instanceof TransferError)
      throw new SharedSceneError(e.status, e.status === 0 ? `could not reach the server for code ${code} (${e.message})` : `download of ${code} failed: ${e.message}`);
    throw e;
  }
  const gaussians = Number(d.headers.get('x-scene-gaussians') ?? '');
  return { code, bytes: d.bytes, format: d.headers.get('x-scene-format'), gaussians: Number.isFinite(gaussians) && gaussians > 0 ? gaussians : null };
}
