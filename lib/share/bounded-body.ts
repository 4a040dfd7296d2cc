/**
 * Reading an upload body without trusting its size.
 *
 * Content-Length is checked first (cheap early 413), but it can be absent (chunked transfer) or
 * lie, so the stream is counted as it arrives and abandoned the moment it passes the limit. Memory
 * held is therefore at most the limit plus one chunk, whatever the client sends.
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

/** Everything in `body`, or a 413 ShareError as soon as more than maxBytes have arrived. */
export async function readBoundedBody(body: ReadableStream<Uint8Array> | Uint8Array | null | undefined, maxBytes: number): Promise<Uint8Array> {
  if (body === null || body === undefined) return new Uint8Array(0);
  if (body instanceof Uint8Array) {
    if (body.byteLength > maxBytes) throw tooLarge(`${body.byteLength} bytes`, maxBytes);
    return body;
  }
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!(value instanceof Uint8Array)) throw new ShareError('bad_request', 'request body stream yielded a non-byte chunk');
      total += value.byteLength;
      if (total > maxBytes) {
        // Stop pulling: the rest of the body is never read into memory.
        await reader.cancel('upload too large').catch(() => {});
        throw tooLarge(`more than ${maxBytes} bytes (counted while streaming)`, maxBytes);
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.byteLength;
  }
  return out;
}
