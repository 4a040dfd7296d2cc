/**
 * The speech model's files as the app ships them (public/speech/, see scripts/speech/): the PocketSphinx
 * wasm and Debian's pocketsphinx-en-us acoustic model and dictionary, gzipped. Loading is given a reader
 * (fetch in the worker, fs in Node), so both run this same code.
 */
import { gunzipSync } from 'fflate';
import { PronouncingDictionary } from './pronouncing-dictionary';

/** Acoustic model files (in public/speech/en-us/, each as NAME.gz). */
export const ACOUSTIC_MODEL_FILES = ['feat.params', 'mdef', 'means', 'noisedict', 'sendump', 'transition_matrices', 'variances'] as const;
export const DICTIONARY_FILE = 'en-us/cmudict-en-us.dict.gz';
export const RECOGNISER_WASM = 'pocketsphinx.wasm';
/** What the UI and reports call this recogniser. */
export const RECOGNISER_NAME = 'PocketSphinx 5prealpha (wasm) + CMU en-us';

export interface SpeechModel {
  wasm: Uint8Array;
  acoustic: Map<string, Uint8Array>;
  dictionary: PronouncingDictionary;
}

/** Reads a file under public/speech/ by its relative path ("en-us/mdef.gz"). */
export type ReadSpeechAsset = (path: string) => Promise<Uint8Array>;

function gunzip(name: string, bytes: Uint8Array): Uint8Array {
  if (bytes.length < 18 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) throw new Error(`speech model: ${name} is not gzip data (${bytes.length} bytes; a missing file served as HTML?)`);
  return gunzipSync(bytes);
}

export async function loadSpeechModel(read: ReadSpeechAsset, onProgress?: (done: number, total: number) => void): Promise<SpeechModel> {
  const total = ACOUSTIC_MODEL_FILES.length + 2;
  let done = 0;
  const step = <T>(v: T): T => {
    onProgress?.(++done, total);
    return v;
  };
  const [wasm, dictGz, ...files] = await Promise.all([
    read(RECOGNISER_WASM).then(step),
    read(DICTIONARY_FILE).then(step),
    ...ACOUSTIC_MODEL_FILES.map((f) => read(`en-us/${f}.gz`).then(step)),
  ]);
  if (wasm.length < 8 || wasm[0] !== 0 || wasm[1] !== 0x61 || wasm[2] !== 0x73 || wasm[3] !== 0x6d) throw new Error(`speech model: ${RECOGNISER_WASM} is not WebAssembly (${wasm.length} bytes)`);
  const acoustic = new Map<string, Uint8Array>();
  ACOUSTIC_MODEL_FILES.forEach((f, i) => acoustic.set(f, gunzip(f, files[i])));
  const dictionary = PronouncingDictionary.parse(new TextDecoder().decode(gunzip('cmudict-en-us.dict', dictGz)));
  return { wasm, acoustic, dictionary };
}
