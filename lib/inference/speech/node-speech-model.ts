/**
 * Node's reader for the shipped speech model (public/speech/), for the CLI, tests and benches.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSpeechModel, type SpeechModel } from './speech-model';

export const SPEECH_ASSET_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../public/speech');

export function loadSpeechModelFromDisk(dir = SPEECH_ASSET_DIR): Promise<SpeechModel> {
  return loadSpeechModel(async (p) => {
    try {
      return new Uint8Array(await readFile(join(dir, p)));
    } catch (e) {
      throw new Error(`speech model: cannot read ${join(dir, p)} (${(e as Error).message})`);
    }
  });
}
