/**
 * Voice questions on the page, one per press: the microphone (getUserMedia audio) → an AudioWorklet that
 * hands the page mono chunks → the speech worker (on-device PocketSphinx, speech.worker.ts), which stops
 * on silence; or, where the browser has it and the user picks it, the browser's own SpeechRecognition
 * (Chrome sends the audio to its vendor's service). The transcript goes to the caller's `ask`, the same
 * function as typed text.
 *
 * One instance per page (voiceInput()), shared by the page's query box and the in-XR panel, so both show
 * the same "listening / thinking / heard" state and level. Quest Browser has no SpeechRecognition and
 * does not prompt for permissions inside an immersive session, so the page asks for the microphone
 * before the session starts (prepareMicrophone()).
 */
import type { PhraseSource } from '../../inference/speech/question-grammar';
import type { Transcript } from '../../inference/speech/transcriber';
import type { FromSpeechWorker, ToSpeechWorker } from './speech-protocol';

export type VoiceEngine = 'on-device' | 'browser';
export type VoicePhase = 'idle' | 'loading' | 'listening' | 'thinking' | 'heard' | 'error';

export interface VoiceStatus {
  phase: VoicePhase;
  /** 0..1 microphone level while listening. */
  level: number;
  /** What was heard (phase 'heard'), or the error / note. */
  text: string;
  engine: VoiceEngine;
  /** 'granted' | 'denied' | 'prompt' | 'unknown' for the microphone. */
  mic: 'granted' | 'denied' | 'prompt' | 'unknown';
  /** The on-device recogniser's name once loaded. */
  recogniser: string | null;
  /** Whether the browser has SpeechRecognition (then both engines are offered). */
  browserEngine: boolean;
}

export interface VoiceMetrics {
  /** performance.now() when the detector's end of speech was reached / the answer was asked. */
  transcript: Transcript | null;
  resultAt: number;
}

interface SpeechRecognitionLike {
  lang: string;
  interimResults: boolean;
  maxAlternatives: number;
  onresult: ((e: { results: ArrayLike<ArrayLike<{ transcript: string }>> }) => void) | null;
  onerror: ((e: { error: string }) => void) | null;
  onend: (() => void) | null;
  start(): void;
  stop(): void;
}
type SpeechCtor = new () => SpeechRecognitionLike;

export function browserSpeechRecognition(): SpeechCtor | null {
  const g = globalThis as { SpeechRecognition?: SpeechCtor; webkitSpeechRecognition?: SpeechCtor };
  return g.SpeechRecognition ?? g.webkitSpeechRecognition ?? null;
}

// The worklet copies each 128-frame render quantum out to the page; 20 ms batches keep messages few.
const WORKLET = `
class Capture extends AudioWorkletProcessor {
  constructor() { super(); this.buf = new Float32Array(Math.round(sampleRate / 50)); this.n = 0; }
  process(inputs) {
    const ch = inputs[0];
    if (ch && ch.length) {
      const a = ch[0], b = ch[1];
      for (let i = 0; i < a.length; i++) {
        this.buf[this.n++] = b ? (a[i] + b[i]) / 2 : a[i];
        if (this.n === this.buf.length) { this.port.postMessage(this.buf.slice()); this.n = 0; }
      }
    }
    return true;
  }
}
registerProcessor('segsplat-capture', Capture);
`;

type Listener = (s: VoiceStatus) => void;

export class VoiceInput {
  private worker: Worker | null = null;
  private readyPromise: Promise<void> | null = null;
  private status: VoiceStatus;
  private readonly listeners = new Set<Listener>();
  private source: PhraseSource = {};
  private id = 0;
  private stream: MediaStream | null = null;
  private graph: Promise<{ ctx: AudioContext; node: AudioNode }> | null = null;
  private src: MediaStreamAudioSourceNode | null = null;
  private sink: ((s: Float32Array) => void) | null = null;
  private ask: ((text: string) => void) | null = null;
  private browserRec: SpeechRecognitionLike | null = null;
  /** Last result, for tests and the bench (end of speech → answer). */
  last: VoiceMetrics = { transcript: null, resultAt: 0 };

  constructor() {
    const hasBrowser = !!browserSpeechRecognition();
    this.status = { phase: 'idle', level: 0, text: '', engine: 'on-device', mic: 'unknown', recogniser: null, browserEngine: hasBrowser };
  }

  get state(): VoiceStatus {
    return this.status;
  }

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    fn(this.status);
    return () => this.listeners.delete(fn);
  }

  private set(p: Partial<VoiceStatus>) {
    this.status = { ...this.status, ...p };
    for (const l of this.listeners) l(this.status);
  }

  /** What the grammar is built from: the scene's labels and the room's (set by the page when they change). */
  setScene(source: PhraseSource): void {
    this.source = source;
  }

  setEngine(engine: VoiceEngine): void {
    if (engine === 'browser' && !this.status.browserEngine) throw new Error('this browser has no SpeechRecognition');
    this.set({ engine });
  }

  /** Loads the on-device recogniser (worker + model, about 5 MB, cached by the browser). */
  prepare(): Promise<void> {
    if (this.readyPromise) return this.readyPromise;
    this.set({ phase: this.status.phase === 'idle' ? 'loading' : this.status.phase, text: 'loading the speech model…' });
    this.readyPromise = new Promise<void>((resolve, reject) => {
      const w = new Worker(new URL('./speech.worker.ts', import.meta.url), { type: 'module', name: 'speech' });
      this.worker = w;
      w.onmessage = (e: MessageEvent<FromSpeechWorker>) => {
        const m = e.data;
        if (m.type === 'ready') {
          this.set({ recogniser: m.recogniser, ...(this.status.phase === 'loading' ? { phase: 'idle', text: '' } : {}) });
          resolve();
        } else this.onWorker(m, reject);
      };
      w.onerror = (e) => {
        const msg = `speech worker failed: ${e.message || 'could not start'}`;
        this.set({ phase: 'error', text: msg });
        reject(new Error(msg));
      };
      w.postMessage({ type: 'init', base: new URL('/speech/', location.href).href } satisfies ToSpeechWorker);
    });
    this.readyPromise.catch(() => {
      this.readyPromise = null;
    });
    return this.readyPromise;
  }

  private onWorker(m: FromSpeechWorker, reject: (e: Error) => void) {
    if (m.type === 'error') {
      if (m.id === null && !this.status.recogniser) reject(new Error(m.message));
      this.stopCapture();
      this.set({ phase: 'error', text: m.message, level: 0 });
      return;
    }
    if (m.type === 'grammar') return;
    if (m.type === 'level' && m.id === this.id && this.status.phase === 'listening') this.set({ level: m.level });
    if (m.type === 'result' && m.id === this.id) {
      this.stopCapture();
      this.last = { transcript: m.transcript, resultAt: performance.now() };
      this.finishWith(m.transcript.text, m.transcript.heardSpeech ? 'not understood: try again, naming one object' : 'heard nothing: press and speak');
    }
  }

  private finishWith(text: string, emptyNote: string) {
    const t = text.trim();
    if (!t) {
      this.set({ phase: 'error', text: emptyNote, level: 0 });
      return;
    }
    this.set({ phase: 'heard', text: t, level: 0 });
    this.ask?.(t);
  }

  /**
   * Asks for the microphone now (a user gesture on the page), so that voice works inside an immersive
   * session, where Quest Browser shows no permission prompt. The stream is closed at once; the grant
   * stays with the origin.
   */
  async prepareMicrophone(): Promise<boolean> {
    try {
      const s = await navigator.mediaDevices.getUserMedia({ audio: true });
      s.getTracks().forEach((t) => t.stop());
      this.set({ mic: 'granted' });
      void this.prepare().catch(() => {});
      void this.audioGraph().then(({ ctx }) => ctx.resume()).catch(() => {});
      return true;
    } catch (e) {
      this.set({ mic: 'denied', phase: 'error', text: `microphone: ${(e as Error).message}` });
      return false;
    }
  }

  get busy(): boolean {
    return this.status.phase === 'listening' || this.status.phase === 'thinking' || this.status.phase === 'loading';
  }

  /** Starts listening; the transcript is passed to `ask`. Resolves once the microphone is open. */
  async start(ask: (text: string) => void): Promise<void> {
    if (this.status.phase === 'listening' || this.status.phase === 'thinking') return;
    this.ask = ask;
    if (this.status.engine === 'browser') return this.startBrowser();
    const id = ++this.id;
    try {
      if (!this.status.recogniser) {
        this.set({ phase: 'loading', text: 'loading the speech model…' });
        await this.prepare();
      }
      if (id !== this.id) return;
      // The audio graph exists before the microphone opens (and stays between questions), so the first
      // words are not lost while a busy main thread builds it.
      const { ctx, node } = await this.audioGraph();
      if (ctx.state !== 'running') await ctx.resume();
      // The browser's own processing off: the recogniser removes noise and normalises itself, and
      // noise suppression / gain control reshape speech in ways its acoustic model never heard.
      const stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false, channelCount: 1 } });
      this.set({ mic: 'granted' });
      if (id !== this.id) {
        stream.getTracks().forEach((t) => t.stop());
        return;
      }
      this.stream = stream;
      this.worker!.postMessage({ type: 'begin', id, sampleRate: ctx.sampleRate, source: this.source } satisfies ToSpeechWorker);
      // TEST-ONLY: under the XR emulator the captured audio is kept for the browser test to inspect.
      const keep = (globalThis as { __segsplatXrDevice?: unknown }).__segsplatXrDevice ? { rate: ctx.sampleRate, chunks: [] as Float32Array[] } : null;
      if (keep) (globalThis as { __segsplatVoiceCapture?: unknown }).__segsplatVoiceCapture = keep;
      this.sink = (samples: Float32Array) => {
        if (keep) keep.chunks.push(samples.slice());
        if (id === this.id && this.worker) this.worker.postMessage({ type: 'audio', id, samples } satisfies ToSpeechWorker, [samples.buffer]);
      };
      this.src = ctx.createMediaStreamSource(stream);
      this.src.connect(node);
      this.set({ phase: 'listening', text: 'listening…', level: 0 });
    } catch (e) {
      this.stopCapture();
      const name = (e as Error).name;
      const denied = name === 'NotAllowedError' || name === 'SecurityError';
      this.set({ phase: 'error', text: denied ? 'microphone blocked: allow it for this site (before entering the headset view)' : `voice failed: ${(e as Error).message}`, level: 0, ...(denied ? { mic: 'denied' as const } : {}) });
    }
  }

  /** Stops listening now (key released): what was said so far is decoded. */
  stop(): void {
    if (this.status.engine === 'browser') {
      this.browserRec?.stop();
      return;
    }
    if (this.status.phase !== 'listening') return;
    this.stopCapture();
    this.set({ phase: 'thinking', text: 'thinking…', level: 0 });
    this.worker?.postMessage({ type: 'end', id: this.id } satisfies ToSpeechWorker);
  }

  private stopCapture() {
    this.sink = null;
    this.src?.disconnect();
    this.src = null;
    this.stream?.getTracks().forEach((t) => t.stop());
    this.stream = null;
    if (this.status.phase === 'listening') this.set({ phase: 'thinking', text: 'thinking…', level: 0 });
  }

  /** The AudioContext and the capture node, made once (the context may start suspended until a gesture). */
  private audioGraph(): Promise<{ ctx: AudioContext; node: AudioNode }> {
    this.graph ??= (async () => {
      const ctx = new AudioContext();
      const node = await captureNode(ctx, (s) => this.sink?.(s));
      return { ctx, node };
    })();
    this.graph.catch(() => {
      this.graph = null;
    });
    return this.graph;
  }

  private startBrowser() {
    const Speech = browserSpeechRecognition();
    if (!Speech) return;
    const r = new Speech();
    r.lang = navigator.language || 'en-US';
    r.interimResults = false;
    r.maxAlternatives = 1;
    let got = false;
    r.onresult = (e) => {
      got = true;
      this.finishWith(e.results[0]?.[0]?.transcript ?? '', 'heard nothing: press and speak');
    };
    r.onerror = (e) => this.set({ phase: 'error', text: `browser voice failed (${e.error}): try the on-device recogniser`, level: 0 });
    r.onend = () => {
      if (!got && this.status.phase === 'listening') this.set({ phase: 'idle', text: '', level: 0 });
    };
    this.browserRec = r;
    this.set({ phase: 'listening', text: 'listening (browser)…', level: 0 });
    r.start();
  }
}

async function captureNode(ctx: AudioContext, send: (s: Float32Array) => void): Promise<AudioNode> {
  if (ctx.audioWorklet) {
    const url = URL.createObjectURL(new Blob([WORKLET], { type: 'text/javascript' }));
    try {
      await ctx.audioWorklet.addModule(url);
      const node = new AudioWorkletNode(ctx, 'segsplat-capture', { numberOfInputs: 1, numberOfOutputs: 0 });
      node.port.onmessage = (e: MessageEvent<Float32Array>) => send(e.data);
      return node;
    } catch {
      // fall through to the ScriptProcessor below (older engines, blocked blob: modules)
    } finally {
      URL.revokeObjectURL(url);
    }
  }
  const sp = ctx.createScriptProcessor(1024, 1, 1);
  sp.onaudioprocess = (e) => send(new Float32Array(e.inputBuffer.getChannelData(0)));
  sp.connect(ctx.destination);
  return sp;
}

let shared: VoiceInput | null = null;
/** The page's one voice input. */
export function voiceInput(): VoiceInput {
  shared ??= new VoiceInput();
  return shared;
}
