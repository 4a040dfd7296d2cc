/**
 * Admission of uploads by a byte budget with a bounded wait queue.
 *
 * Uploads stream to disk, so what they hold is disk space and a file handle, not memory: each
 * reserves the bytes it may write (its Content-Length, or the upload limit when none is sent)
 * against a configurable in-flight total and the disk's free space. A request that does not fit
 * waits in a FIFO queue for up to `waitMs`; only when the queue is full, or the wait runs out, is it
 * refused with a `busy` ShareError (503 + Retry-After) that clients retry. A request that can never
 * fit (larger than the budget, or the disk is full with nothing in flight) is refused at once.
 */
import { ShareError } from './share-error';

export interface AdmissionOptions {
  /** Requests running at once (file handles, validation CPU). */
  maxRunning: number;
  /** Sum of the reservations of running requests. */
  maxBytes: number;
  /** Requests allowed to wait; one more is refused at once. 0 = no queue. */
  maxQueued: number;
  /** Longest wait in the queue before a 503, milliseconds. */
  waitMs: number;
  /** Seconds the 503's Retry-After tells a client to wait. */
  retryAfterS: number;
  /**
   * Extra room check (disk free space) for `bytes` more on top of `heldBytes` already reserved;
   * false means "not now". Called synchronously, so it must read a cached value.
   */
  fits?(bytes: number, heldBytes: number): boolean;
  /** Said in the refusal when `fits` fails with nothing held (waiting cannot help). */
  noRoomMessage?(bytes: number): string;
}

export interface AdmissionSlot {
  /** Gives the reservation back (idempotent) and admits waiters. */
  release(): void;
}

interface Waiter {
  bytes: number;
  grant(slot: AdmissionSlot): void;
  fail(e: unknown): void;
}

export interface AdmissionStats {
  running: number;
  queued: number;
  heldBytes: number;
}

export class Admission {
  private running = 0;
  private held = 0;
  private readonly queue: Waiter[] = [];

  constructor(readonly opts: AdmissionOptions) {
    for (const k of ['maxRunning', 'maxBytes'] as const)
      if (!(opts[k] > 0)) throw new Error(`Admission.${k} must be positive, got ${opts[k]}`);
    if (!(opts.maxQueued >= 0) || !(opts.waitMs >= 0)) throw new Error('Admission.maxQueued and waitMs must be non-negative');
  }

  stats(): AdmissionStats {
    return { running: this.running, queued: this.queue.length, heldBytes: this.held };
  }

  private canRun(bytes: number): boolean {
    return this.running < this.opts.maxRunning && this.held + bytes <= this.opts.maxBytes && (this.opts.fits?.(bytes, this.held) ?? true);
  }

  private take(bytes: number): AdmissionSlot {
    this.running++;
    this.held += bytes;
    let done = false;
    return {
      release: () => {
        if (done) return;
        done = true;
        this.running--;
        this.held -= bytes;
        this.pump();
      },
    };
  }

  /** Admits queued requests in order while the head fits (FIFO: a large head is not overtaken). */
  pump(): void {
    while (this.queue.length && this.canRun(this.queue[0].bytes)) {
      const w = this.queue.shift()!;
      w.grant(this.take(w.bytes));
    }
  }

  private busy(why: string): ShareError {
    return new ShareError('busy', `server busy (${why}); retry in ${this.opts.retryAfterS} s`, this.opts.retryAfterS);
  }

  /** A slot for `bytes`, now or after a wait; throws ShareError busy/too_large/insufficient_storage. */
  acquire(bytes: number, signal?: AbortSignal | null): Promise<AdmissionSlot> {
    if (bytes > this.opts.maxBytes)
      return Promise.reject(new ShareError('too_large', `upload reserves ${bytes} bytes; this server admits at most ${this.opts.maxBytes} in flight`));
    if (this.queue.length === 0 && this.canRun(bytes)) return Promise.resolve(this.take(bytes));
    if (this.running === 0 && this.queue.length === 0 && this.opts.fits && !this.opts.fits(bytes, 0))
      return Promise.reject(new ShareError('insufficient_storage', this.opts.noRoomMessage?.(bytes) ?? `no room for ${bytes} bytes`));
    if (this.queue.length >= this.opts.maxQueued)
      return Promise.reject(this.busy(`${this.running} uploads running, ${this.queue.length} waiting`));
    return new Promise<AdmissionSlot>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | null = null;
      const onAbort = () => leave(new ShareError('bad_request', 'upload cancelled by the client while waiting for a slot'));
      const leave = (e: unknown) => {
        const i = this.queue.indexOf(w);
        if (i >= 0) this.queue.splice(i, 1);
        cleanup();
        reject(e);
        // A large head leaving may unblock smaller requests behind it.
        this.pump();
      };
      const cleanup = () => {
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const w: Waiter = {
        bytes,
        grant: (slot) => {
          cleanup();
          resolve(slot);
        },
        fail: leave,
      };
      this.queue.push(w);
      timer = setTimeout(() => leave(this.busy(`waited ${this.opts.waitMs} ms for a slot`)), this.opts.waitMs);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Refuses every waiter (store closing). */
  drain(e: unknown): void {
    for (const w of this.queue.splice(0)) w.fail(e);
  }
}
