/**
 * PocketSphinx (CMU, BSD-2-Clause) compiled to wasm by scripts/speech/build-pocketsphinx.sh, driven
 * through the small C surface in scripts/speech/pocketsphinx-glue.c. The acoustic model lives in the
 * module's in-memory file system; each grammar brings its own dictionary subset, so setting a grammar
 * re-initialises the decoder (tens of milliseconds; done once per scene, not per question).
 *
 * Audio in: 16 kHz mono int16 (see resample.ts). decode() takes a whole utterance (what the app does once
 * the voice detector hears the end of speech); start()/process()/end() decode incrementally.
 */
import createPocketSphinx, { type PocketSphinxModule } from './vendor/pocketsphinx.mjs';
import type { QuestionGrammar } from './question-grammar';
import type { SpeechModel } from './speech-model';

export const RECOGNISER_RATE = 16000;

export interface RecognizerOptions {
  /** Print PocketSphinx's log (stderr / console). */
  verbose?: boolean;
  /** Extra decoder options ("-beam", "1e-60", ...). */
  args?: string[];
}

export class PocketSphinxRecognizer {
  private grammarSet = false;
  private inUtt = false;
  private pcmPtr = 0;
  private pcmLen = 0;

  private constructor(
    private readonly m: PocketSphinxModule,
    private readonly model: SpeechModel,
    private readonly opts: RecognizerOptions,
  ) {}

  static async create(model: SpeechModel, opts: RecognizerOptions = {}): Promise<PocketSphinxRecognizer> {
    const log = opts.verbose ? (s: string) => console.error(s) : () => {};
    const m = await createPocketSphinx({ wasmBinary: model.wasm, locateFile: (p) => p, print: log, printErr: log });
    m.FS.mkdir('/am');
    for (const [name, bytes] of model.acoustic) m.FS.writeFile(`/am/${name}`, bytes);
    m._psw_verbose(opts.verbose ? 1 : 0);
    return new PocketSphinxRecognizer(m, model, opts);
  }

  get dictionary() {
    return this.model.dictionary;
  }

  /** Loads a grammar (and its words' pronunciations); the next utterance is decoded against it. */
  setGrammar(g: QuestionGrammar): void {
    if (this.inUtt) throw new Error('PocketSphinxRecognizer: cannot change the grammar during an utterance');
    this.m.FS.writeFile('/grammar.dict', this.model.dictionary.subset(g.words));
    const args = ['-hmm', '/am', '-dict', '/grammar.dict', '-samprate', String(RECOGNISER_RATE), ...(this.opts.args ?? [])];
    const rc = this.withArgs(args, (ptr, n) => this.m._psw_init(ptr, n));
    if (rc !== 0) throw new Error(`PocketSphinxRecognizer: decoder init failed (${rc}; see verbose log)`);
    const g2 = this.m.ccall('psw_set_jsgf', 'number', ['string'], [g.jsgf]) as number;
    if (g2 !== 0) throw new Error(`PocketSphinxRecognizer: the grammar was rejected (${g2})`);
    this.grammarSet = true;
  }

  start(): void {
    if (!this.grammarSet) throw new Error('PocketSphinxRecognizer: set a grammar before start()');
    if (this.m._psw_start() < 0) throw new Error('PocketSphinxRecognizer: start failed');
    this.inUtt = true;
  }

  /** Feeds 16 kHz int16 samples. */
  process(pcm: Int16Array): void {
    if (!this.inUtt) throw new Error('PocketSphinxRecognizer: process() outside an utterance (call start())');
    if (pcm.length === 0) return;
    this.copyIn(pcm);
    if (this.m._psw_process(this.pcmPtr, pcm.length) < 0) throw new Error('PocketSphinxRecognizer: decoding failed');
  }

  /** The best hypothesis so far ("" when none). */
  partial(): string {
    return this.m.ccall('psw_hyp', 'string', ['number'], [0]) as string;
  }

  /** Ends the utterance and returns the final hypothesis ("" when nothing was recognised). */
  end(): string {
    if (!this.inUtt) return '';
    this.inUtt = false;
    if (this.m._psw_end() < 0) throw new Error('PocketSphinxRecognizer: end of utterance failed');
    return this.partial().trim();
  }

  /**
   * One whole utterance, decoded at once with cepstral mean normalisation over the utterance itself
   * (-cmn batch, as the en-us model was trained); much more accurate than streaming on a first
   * utterance, whose mean would start from -cmninit.
   */
  decode(pcm: Int16Array): string {
    this.start();
    this.copyIn(pcm);
    const rc = this.m._psw_process_full(this.pcmPtr, pcm.length);
    if (rc < 0) {
      this.m._psw_end();
      this.inUtt = false;
      throw new Error('PocketSphinxRecognizer: decoding failed');
    }
    return this.end();
  }

  private copyIn(pcm: Int16Array): void {
    if (pcm.length > this.pcmLen) {
      if (this.pcmPtr) this.m._free(this.pcmPtr);
      this.pcmLen = Math.max(pcm.length, 4096);
      this.pcmPtr = this.m._malloc(this.pcmLen * 2);
    }
    this.m.HEAP16.set(pcm, this.pcmPtr >> 1);
  }

  private withArgs(args: string[], f: (ptr: number, n: number) => number): number {
    const bytes = new TextEncoder().encode(args.join('\0') + '\0');
    const ptr = this.m._malloc(bytes.length);
    this.m.HEAPU8.set(bytes, ptr);
    try {
      return f(ptr, bytes.length);
    } finally {
      this.m._free(ptr);
    }
  }
}
