/**
 * npm run eval -- voice [--voices en-us,en-gb,...] [--speeds 130,170] [--snr none,20,10] [--grammar scene|vocabulary|both] [--json]
 *
 * Spoken questions about the shipped sample room (public/samples/living_room, labelled from its
 * annotations, no text model), made by espeak-ng in several voices and speeds with pink noise mixed in
 * by sox at the given SNRs, run through the app's recogniser path (lib/inference/speech/spoken-question.ts:
 * voice detector, PocketSphinx wasm, grammar from the scene's labels) and answered by answerQuestion.
 * Reports word accuracy (1 − WER) and "right object" (the spoken answer names the same objects as the
 * typed question's), per grammar (scene: the scene's labels and their synonyms, what the app uses
 * without the text model; vocabulary: + the whole indoor vocabulary, as with the text model), per SNR.
 */
import { readFileSync } from 'node:fs';
import { buildSceneFromBundle } from '../../lib/web/scene-build';
import { nodeFolderFiles } from '../../lib/capture/node-files';
import { annotatedQueryScene } from '../../lib/inference/semantics/annotation-bank';
import { answerQuestion } from '../../lib/inference/semantics/answer-question';
import type { QueryScene } from '../../lib/inference/semantics/query';
import { loadSpeechModelFromDisk } from '../../lib/inference/speech/node-speech-model';
import { PocketSphinxRecognizer } from '../../lib/inference/speech/pocketsphinx-recognizer';
import { sceneLabels, SpokenQuestions } from '../../lib/inference/speech/spoken-question';
import { decodeWav } from '../../lib/inference/speech/wav';
import { EVAL_SPEEDS, EVAL_VOICES, SAMPLE_ROOM_QUESTIONS, sameObjects, wordErrors } from '../../lib/eval/voice-scoring';
import { hasSpeechTools, speak } from '../../tests/support/spoken-audio';
import { optString, UsageError, type ParsedArgs } from '../cli/args';

export const SAMPLE_ROOM = 'public/samples/living_room';

export async function sampleRoomScene(maxGaussians = 30_000): Promise<QueryScene> {
  const r = await buildSceneFromBundle(nodeFolderFiles(SAMPLE_ROOM), { maxGaussians, annotations: nodeFolderFiles(`${SAMPLE_ROOM}.groundtruth`) });
  const s = annotatedQueryScene(r.gaussians, r.semantics);
  if (!s) throw new Error(`${SAMPLE_ROOM}: no annotation bank (${r.semanticsError ?? 'no annotations'})`);
  return s;
}

export interface VoiceRun {
  grammar: 'scene' | 'vocabulary';
  snr: number | null;
  utterances: number;
  wordAccuracy: number;
  rightObject: number;
  /** Questions whose speech was not detected at all. */
  missed: number;
  decodeMs: { mean: number; max: number };
  samples: { said: string; voice: string; speed: number; heard: string; right: boolean }[];
}

export interface VoiceEvalOptions {
  questions?: readonly string[];
  voices?: readonly string[];
  speeds?: readonly number[];
  snrs?: readonly (number | null)[];
  grammars?: readonly ('scene' | 'vocabulary')[];
  scene?: QueryScene;
  log?: (s: string) => void;
}

export async function evaluateVoice(o: VoiceEvalOptions = {}): Promise<VoiceRun[]> {
  if (!hasSpeechTools()) throw new Error('voice eval needs espeak-ng and sox (apt-get install espeak-ng sox)');
  const log = o.log ?? (() => {});
  const scene = o.scene ?? (await sampleRoomScene());
  const questions = o.questions ?? SAMPLE_ROOM_QUESTIONS;
  const voices = o.voices ?? EVAL_VOICES;
  const speeds = o.speeds ?? EVAL_SPEEDS;
  const snrs = o.snrs ?? [null, 20, 10];
  const grammars = o.grammars ?? ['scene', 'vocabulary'];
  const expected = new Map<string, string[]>();
  for (const q of questions) expected.set(q, (await answerQuestion(scene, q)).instances.map((i) => i.label));
  const sq = new SpokenQuestions(await PocketSphinxRecognizer.create(await loadSpeechModelFromDisk()));
  const labels = sceneLabels(scene);
  // The audio is made once per (question, voice, speed, snr) and decoded under each grammar.
  const audio = new Map<string, { samples: Float32Array; sampleRate: number }>();
  const runs: VoiceRun[] = [];
  for (const grammar of grammars) {
    sq.useGrammar({ sceneLabels: labels, vocabulary: grammar === 'vocabulary' });
    for (const snr of snrs) {
      let errors = 0, refWords = 0, right = 0, missed = 0, n = 0, dSum = 0, dMax = 0;
      const samples: VoiceRun['samples'] = [];
      for (const voice of voices)
        for (const speed of speeds)
          for (const said of questions) {
            const key = `${said}|${voice}|${speed}|${snr}`;
            let a = audio.get(key);
            if (!a) {
              a = decodeWav(new Uint8Array(readFileSync(speak(said, { voice, speed, noise: snr === null ? undefined : { kind: 'pinknoise', snrDb: snr } }))));
              audio.set(key, a);
            }
            const r = await sq.ask(a.samples, a.sampleRate, scene);
            const e = wordErrors(said, r.transcript.text);
            errors += e.errors;
            refWords += e.refWords;
            const ok = sameObjects(expected.get(said)!, r.answer?.instances.map((i) => i.label) ?? []);
            if (ok) right++;
            if (!r.transcript.heardSpeech) missed++;
            n++;
            dSum += r.transcript.finalizeMs;
            dMax = Math.max(dMax, r.transcript.finalizeMs);
            samples.push({ said, voice, speed, heard: r.transcript.text, right: ok });
          }
      const run: VoiceRun = { grammar, snr, utterances: n, wordAccuracy: Math.max(0, 1 - errors / refWords), rightObject: right / n, missed, decodeMs: { mean: dSum / n, max: dMax }, samples };
      log(`${grammar.padEnd(10)} SNR ${snr === null ? 'clean' : `${snr} dB`.padEnd(5)}  ${n} utterances  word accuracy ${(100 * run.wordAccuracy).toFixed(1)} %  right object ${(100 * run.rightObject).toFixed(1)} %  missed ${missed}  decode ${run.decodeMs.mean.toFixed(0)} ms mean`);
      runs.push(run);
    }
  }
  return runs;
}

export async function runVoice(args: ParsedArgs, log: (s: string) => void): Promise<Record<string, unknown>> {
  const list = (k: string) => optString(args, k)?.split(',').map((s) => s.trim()).filter(Boolean);
  const speeds = list('speeds')?.map((s) => {
    const n = Number(s);
    if (!(n >= 80 && n <= 450)) throw new UsageError(`--speeds: words per minute 80..450, got "${s}"`);
    return n;
  });
  const snrs = list('snr')?.map((s) => {
    if (s === 'none' || s === 'clean') return null;
    const n = Number(s);
    if (!Number.isFinite(n)) throw new UsageError(`--snr: dB values or none, got "${s}"`);
    return n;
  });
  const g = optString(args, 'grammar', 'both')!;
  if (!['scene', 'vocabulary', 'both'].includes(g)) throw new UsageError(`--grammar must be scene, vocabulary or both, got "${g}"`);
  const runs = await evaluateVoice({ voices: list('voices'), speeds, snrs, grammars: g === 'both' ? ['scene', 'vocabulary'] : [g as 'scene'], log });
  return { runs: runs.map(({ samples, ...r }) => ({ ...r, errors: samples.filter((s) => !s.right).slice(0, 20) })) };
}
