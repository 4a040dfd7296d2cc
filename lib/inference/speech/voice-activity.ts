/**
 * Voice activity detection for stop-on-silence, and the level meter: 10 ms frames of 16 kHz audio,
 * energy against an adaptive noise floor. Speech starts after `startMs` of frames `marginDb` above the
 * floor (and above an absolute `minDb`, so a silent line never "speaks"); it ends after `hangoverMs`
 * below. The floor follows quiet frames quickly and loud ones slowly, so steady noise (a fan, a hum)
 * raises it and is not taken for speech. Time is in samples of the 16 kHz stream.
 */
export interface VoiceActivityOptions {
  marginDb?: number;
  minDb?: number;
  startMs?: number;
  hangoverMs?: number;
  /** No speech at all after this long: give up (ms). */
  noSpeechTimeoutMs?: number;
  /** An utterance is cut after this long (ms). */
  maxSpeechMs?: number;
}

export type VoiceState = 'waiting' | 'speech' | 'ended' | 'timeout';

export interface VoiceFrame {
  /** 0..1 level for a meter (dBFS -60..0 mapped linearly). */
  level: number;
  state: VoiceState;
}

const FRAME = 160;

export class VoiceActivity {
  readonly options: Required<VoiceActivityOptions>;
  private floorDb = -60;
  private floorSet = false;
  private frames = 0;
  private run = 0;
  private quiet = 0;
  private pending = new Int16Array(FRAME);
  private pendingN = 0;
  state: VoiceState = 'waiting';
  /** Sample index (16 kHz) where speech started / last speech frame ended; -1 before. */
  speechStart = -1;
  speechEnd = -1;
  level = 0;

  constructor(opts: VoiceActivityOptions = {}) {
    this.options = {
      marginDb: opts.marginDb ?? 12,
      minDb: opts.minDb ?? -50,
      startMs: opts.startMs ?? 60,
      hangoverMs: opts.hangoverMs ?? 600,
      noSpeechTimeoutMs: opts.noSpeechTimeoutMs ?? 8000,
      maxSpeechMs: opts.maxSpeechMs ?? 10000,
    };
  }

  /** Feeds 16 kHz samples; returns the state after them and the latest level. */
  push(pcm: Int16Array): VoiceFrame {
    let i = 0;
    while (i < pcm.length && this.state !== 'ended' && this.state !== 'timeout') {
      const n = Math.min(FRAME - this.pendingN, pcm.length - i);
      this.pending.set(pcm.subarray(i, i + n), this.pendingN);
      this.pendingN += n;
      i += n;
      if (this.pendingN === FRAME) {
        this.frame(this.pending);
        this.pendingN = 0;
      }
    }
    return { level: this.level, state: this.state };
  }

  private frame(f: Int16Array): void {
    let s = 0;
    for (let k = 0; k < FRAME; k++) s += f[k] * f[k];
    const db = 10 * Math.log10(s / FRAME / (32768 * 32768) + 1e-10);
    this.level = Math.max(0, Math.min(1, (db + 60) / 60));
    const o = this.options;
    const msPerFrame = 10;
    // The floor starts at the first frame with any signal: capture often opens with digital zeros,
    // and a floor taken from them would make the room's steady noise look like speech.
    if (!this.floorSet && db > -90) {
      this.floorDb = Math.max(-70, db);
      this.floorSet = true;
    }
    const loud = db > this.floorDb + o.marginDb && db > o.minDb;
    // Floor: fast down, slow up (about 3 dB/s), never below -70 dBFS.
    if (db < this.floorDb) this.floorDb = Math.max(-70, 0.7 * this.floorDb + 0.3 * db);
    else if (!loud || this.state === 'waiting') this.floorDb += Math.min(db - this.floorDb, 0.03);
    const at = this.frames * FRAME;
    this.frames++;
    if (this.state === 'waiting') {
      this.run = loud ? this.run + 1 : 0;
      if (this.run * msPerFrame >= o.startMs) {
        this.state = 'speech';
        this.speechStart = at - (this.run - 1) * FRAME;
        this.speechEnd = at + FRAME;
        this.quiet = 0;
      } else if (this.frames * msPerFrame >= o.noSpeechTimeoutMs) this.state = 'timeout';
    } else if (this.state === 'speech') {
      if (loud) {
        this.quiet = 0;
        this.speechEnd = at + FRAME;
      } else if (++this.quiet * msPerFrame >= o.hangoverMs) this.state = 'ended';
      if ((at - this.speechStart) / 16 >= o.maxSpeechMs) this.state = 'ended';
    }
  }
}
