/**
 * An upload body streamed to a temporary file while its SHA-256 and size are computed, so what a
 * request holds in memory is one network chunk, whatever the file size. The size limit is enforced
 * while streaming (missing or lying Content-Length): the stream is cancelled and the file removed
 * the moment it passes the limit. The file is fsynced before `spoolUpload` resolves, so renaming it
 * into place afterwards is all it takes to make it a durable blob.
 */
import { createHash, randomBytes } from 'node:crypto';
import { open, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { tooLarge } from './bounded-body';
import { ShareError } from './share-error';

export interface SpooledUpload {
  /** Absolute path of the temp file (in the blob store's tmp/ directory, same file system). */
  file: string;
  size: number;
  /** Hex SHA-256 of the bytes. */
  sha256: string;
  /** Removes the temp file (idempotent; a rename away makes it a no-op). */
  discard(): Promise<void>;
}

async function writeAll(fh: FileHandle, data: Uint8Array): Promise<void> {
  let off = 0;
  while (off < data.byteLength) {
    const { bytesWritten } = await fh.write(data, off, data.byteLength - off);
    off += bytesWritten;
  }
}

/** A fresh spool file name in `tmpDir`. */
export function spoolFileName(tmpDir: string): string {
  return path.join(tmpDir, `up-${randomBytes(12).toString('hex')}`);
}

/**
 * Streams `body` into the new file `file` (which must not exist). Throws ShareError 413 past `maxBytes`, 400 when the
 * body breaks off (client gone, truncated) or disagrees with `declaredLength`; the file is gone then.
 */
export async function spoolUpload(
  body: ReadableStream<Uint8Array> | Uint8Array | null | undefined,
  file: string,
  maxBytes: number,
  declaredLength: number | null = null,
): Promise<SpooledUpload> {
  const fh = await open(file, 'wx', 0o600);
  const hash = createHash('sha256');
  let size = 0;
  let closed = false;
  const discard = async () => {
    if (!closed) {
      closed = true;
      await fh.close().catch(() => {});
    }
    await rm(file, { force: true }).catch(() => {});
  };
  try {
    if (body instanceof Uint8Array) {
      if (body.byteLength > maxBytes) throw tooLarge(`${body.byteLength} bytes`, maxBytes);
      hash.update(body);
      await writeAll(fh, body);
      size = body.byteLength;
    } else if (body) {
      const reader = body.getReader();
      try {
        for (;;) {
          let r: ReadableStreamReadResult<Uint8Array>;
          try {
            r = await reader.read();
          } catch (e) {
            throw new ShareError('bad_request', `upload broke off after ${size} bytes (${(e as Error)?.message ?? String(e)})`);
          }
          if (r.done) break;
          const value = r.value;
          if (!(value instanceof Uint8Array)) throw new ShareError('bad_request', 'request body stream yielded a non-byte chunk');
          size += value.byteLength;
          if (size > maxBytes) {
            // Stop pulling: the rest of the body is never read.
            await reader.cancel('upload too large').catch(() => {});
            throw tooLarge(`more than ${maxBytes} bytes (counted while streaming)`, maxBytes);
          }
          hash.update(value);
          // Awaiting the write is the backpressure: the next chunk is pulled once this one is on its way to disk.
          await writeAll(fh, value);
        }
      } finally {
        reader.releaseLock();
      }
    }
    if (declaredLength !== null && size !== declaredLength)
      throw new ShareError('bad_request', `upload is ${size} bytes but Content-Length said ${declaredLength} (truncated body)`);
    await fh.sync();
    closed = true;
    await fh.close();
    return { file, size, sha256: hash.digest('hex'), discard };
  } catch (e) {
    await discard();
    throw e;
  }
}
