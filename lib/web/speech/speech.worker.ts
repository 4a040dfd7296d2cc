/// <reference lib="webworker" />
/**
 * The on-device recogniser in a worker: loads the shipped model (public/speech/) once, builds the
 * question grammar for the scene it is given (cached by its phrase list), runs the voice detector on the
 * audio the page streams and decodes when speech ends or the page says stop. Same code as the CLI
 * (lib/inference/speech/).
 */
import { PocketSphinxRecognizer } from '../../inference/speech/pocketsphinx-recognizer';
import { buildQuestionGrammar } from '../../inference/speech/question-grammar';
import { loadSpeechModel, RECOGNISER_NAME } from '../../inference/speech/speech-model';
import { Transcriber } from '../../inference/speech/transcriber';
import type { FromSpeechWorker, ToSpeechWorker } from './speech-protocol';

const post = (m: FromSpeechWorker) => (self as unknown as DedicatedWorkerGlobalScope).postMessage(m);

let ready: Promise<Transcriber> | null = null;
let grammarKey = '';
let current = -1;

async function init(base: string): Promise<Transcriber> {
  const t0 = performance.now();
  const model = await loadSpeechModel(async (p) => {
    const r = await fetch(new URL(p, base));
    if (!r.ok) throw new Error(`speech model: ${p}: HTTP ${r.status}`);
    return new Uint8Array(await r.arrayBuffer());
  });
  const rec = await PocketSphinxRecognizer.create(model);
  post({ type: 'ready', recogniser: RECOGNISER_NAME, loadMs: performance.now() - t0 });
  return new Transcriber(rec);
}

function finish(tr: Transcriber, id: number) {
  if (!tr.listening || id !== current) return;
  current = -1;
  post({ type: 'result', id, transcript: tr.finish() });
}

self.onmessage = async (e: MessageEvent<ToSpeechWorker>) => {
  const m = e.data;
  const id = 'id' in m ? m.id : null;
  try {
    if (m.type === 'init') {
      ready ??= init(m.base);
      await ready;
      return;
    }
    if (!ready) throw new Error('speech worker: not initialised');
    const tr = await ready;
    if (m.type === 'begin') {
      const t0 = performance.now();
      const g = buildQuestionGrammar(m.source, tr.recognizer.dictionary);
      const key = g.jsgf;
      if (key !== grammarKey) {
        tr.setGrammar(g);
        grammarKey = key;
        post({ type: 'grammar', phrases: g.phrases.length, skipped: g.skipped, ms: performance.now() - t0 });
      }
      if (tr.listening) tr.finish();
      tr.begin(m.sampleRate);
      current = m.id;
    } else if (m.type === 'audio') {
      if (m.id !== current || !tr.listening) return;
      const r = tr.push(m.samples);
      post({ type: 'level', id: m.id, level: r.level, state: r.state });
      if (r.state === 'ended' || r.state === 'timeout') finish(tr, m.id);
    } else if (m.type === 'end') {
      finish(tr, m.id);
    }
  } catch (err) {
    post({ type: 'error', id, message: (err as Error).message });
  }
};
