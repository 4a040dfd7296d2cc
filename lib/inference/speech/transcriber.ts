/**
 * One spoken question, start to finish, the same in the browser worker, the CLI and the tests: audio
 * chunks at the capture rate → 16 kHz int16 → voice activity (level meter, stop on silence) while the
 * audio is kept; at the end the spoken part (with a margin, so no onset is clipped) is decoded in one go
 * (see PocketSphinxRecognizer.decode: utterance-wide normalisation is far more accurate than streaming
 * for a first question). The caller stops on `state: 'ended'` (silence after speech), on 'timeout'
 * (nothing said) or when the user lets go.
 */
import { PocketSphinxRecognizer } from './pocketsphinx-recognizer';
import type { QuestionGrammar } from './question-grammar';
import { Resampler16k } from './resample';
import { VoiceActivity, type VoiceActivityOptions, type VoiceState } from './voice-activity';

export interface Transcript {
  /** What was recognised, lower case ("" when nothing). */
  text: string;
  /** Whether the voice detector heard speech at all. */
  heardSpeech: boolean;
  /** Seconds of audio from the start of listening to the start / end of speech (-1 when none). */
  speechStartS: number;
  speechEndS: number;
  /** Seconds of audio fed. */
  audioS: number;
  /** Milliseconds decoding took once listening stopped. */
  finalizeMs: number;
  /** How listening stopped. */
  stoppedBy: 'silence' | 'timeout' | 'caller';
}

export interface ChunkResult {
  level: number;
  state: VoiceState;
}

/** Audio kept around the detected speech (16 kHz samples): onsets below the detector's threshold. */
const MARGIN_BEFORE = 16000 * 0.3;
const MARGIN_AFTER = 16000 * 0.25;

export class Transcriber {
  private resampler: Resampler16k | null = null;
  private vad: VoiceActivity | null = null;
  private fed = 0;
  private buf = new Int16Array(16000 * 4);

  constructor(
    readonly recognizer: PocketSphinxRecognizer,
    private readonly vadOptions: VoiceActivityOptions = {},
  ) {}

  setGrammar(g: QuestionGrammar): void {
    this.recognizer.setGrammar(g);
  }

  /** Starts listening to audio at `sampleRate` Hz. */
  begin(sampleRate: number): void {
    this.resampler = new Resampler16k(sampleRate);
    this.vad = new VoiceActivity(this.vadOptions);
    this.fed = 0;
  }

  get listening(): boolean {
    return this.vad !== null;
  }

  /** One chunk of capture-rate mono audio. */
  push(samples: Float32Array): ChunkResult {
    if (!this.resampler || !this.vad) throw new Error('Transcriber: push() before begin()');
    const pcm = this.resampler.push(samples);
    if (this.vad.state === 'ended' || this.vad.state === 'timeout') return { level: this.vad.level, state: this.vad.state };
    const f = this.vad.push(pcm);
    if (this.fed + pcm.length > this.buf.length) {
      const b = new Int16Array(Math.max(this.buf.length * 2, this.fed + pcm.length));
      b.set(this.buf.subarray(0, this.fed));
      this.buf = b;
    }
    this.buf.set(pcm, this.fed);
    this.fed += pcm.length;
    return f;
  }

  /** Ends the utterance and returns the transcript. */
  finish(): Transcript {
    const vad = this.vad;
    if (!vad) throw new Error('Transcriber: finish() before begin()');
    this.vad = null;
    this.resampler = null;
    const heard = vad.speechStart >= 0;
    const t0 = performance.now();
    let text = '';
    if (heard) {
      const a = Math.max(0, vad.speechStart - MARGIN_BEFORE);
      const b = Math.min(this.fed, vad.speechEnd + MARGIN_AFTER);
      text = this.recognizer.decode(this.buf.subarray(a, b));
    }
    const finalizeMs = performance.now() - t0;
    return {
      text,
      heardSpeech: heard,
      speechStartS: heard ? vad.speechStart / 16000 : -1,
      speechEndS: heard ? vad.speechEnd / 16000 : -1,
      audioS: this.fed / 16000,
      finalizeMs,
      stoppedBy: vad.state === 'ended' ? 'silence' : vad.state === 'timeout' ? 'timeout' : 'caller',
    };
  }

  /** A whole recording, fed in `chunkMs` chunks as a microphone would, stopping where the detector stops. */
  transcribe(samples: Float32Array, sampleRate: number, chunkMs = 20): Transcript {
    this.begin(sampleRate);
    const n = Math.max(1, Math.round((sampleRate * chunkMs) / 1000));
    for (let i = 0; i < samples.length; i += n) {
      const r = this.push(samples.subarray(i, Math.min(samples.length, i + n)));
      if (r.state === 'ended' || r.state === 'timeout') break;
    }
    return this.finish();
  }
}
