/**
 * An upload's declared size, not trusted: Content-Length is checked first (cheap early 413), but it
 * can be absent (chunked transfer) or lie, so upload-spool.ts also counts the stream as it arrives.
 */
import { ShareError } from './share-error';

/**
 * The declared body length, or null when absent. A malformed value is a 400: a proxy and this
 * server disagreeing about where a body ends is how request smuggling starts.
 */
export function parseContentLength(raw: string | null | undefined): number | null {
  if (raw === null || raw === undefined) return null;
  const s = raw.trim();
  if (!/^[0-9]{1,16}$/.test(s)) throw new ShareError('bad_request', `malformed Content-Length "${raw.slice(0, 40)}"`);
  const n = Number(s);
  if (!Number.isSafeInteger(n)) throw new ShareError('bad_request', `Content-Length ${s} is out of range`);
  return n;
}

export function tooLarge(got: string, maxBytes: number): ShareError {
  return new ShareError('too_large', `upload is ${got}; the limit is ${maxBytes} bytes`);
}

export function checkDeclaredLength(declared: number | null, maxBytes: number): void {
  if (declared !== null && declared > maxBytes) throw tooLarge(`${declared} bytes (Content-Length)`, maxBytes);
}
