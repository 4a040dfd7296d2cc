/**
 * Spoken questions, from the end of speech to the answer (the delay a user waits), on the shipped
 * sample room with questions spoken by espeak-ng: the voice detector's hangover (0.6 s of silence it
 * waits for), decoding the utterance, answering from the stored labels. Baseline in the same run:
 * streaming decoding (audio fed to the decoder as it arrives, only the end of the utterance left when
 * speech stops), the faster-to-finish path the app does not take because it hears worse on a first
 * question (docs/VIEW.md, Voice). Also the one-off costs: loading the model, building a grammar and
 * re-initialising the decoder for a scene (scene labels vs the whole indoor vocabulary).
 *
 *   npx tsx scripts/bench.ts --only speech [--quick]
 */
import { readFileSync } from 'node:fs';
import { answerQuestion } from '../../lib/inference/semantics/answer-question';
import { loadSpeechModelFromDisk } from '../../lib/inference/speech/node-speech-model';
import { PocketSphinxRecognizer } from '../../lib/inference/speech/pocketsphinx-recognizer';
import { buildQuestionGrammar } from '../../lib/inference/speech/question-grammar';
import { Resampler16k } from '../../lib/inference/speech/resample';
import { sceneLabels, SpokenQuestions } from '../../lib/inference/speech/spoken-question';
import { decodeWav } from '../../lib/inference/speech/wav';
import { SAMPLE_ROOM_QUESTIONS } from '../../lib/eval/voice-scoring';
import { sampleRoomScene } from '../eval/voice';
import { hasSpeechTools, speak } from '../../tests/support/spoken-audio';
import { timeIt, type BenchTable } from './table';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export async function run({ quick }: { quick: boolean }): Promise<BenchTable[]> {
  if (!hasSpeechTools()) throw new Error('speech bench needs espeak-ng and sox');
  const t0 = performance.now();
  const model = await loadSpeechModelFromDisk();
  const loadMs = performance.now() - t0;
  const t1 = performance.now();
  const rec = await PocketSphinxRecognizer.create(model);
  const createMs = performance.now() - t1;
  const scene = await sampleRoomScene();
  const labels = sceneLabels(scene);
  const gScene = buildQuestionGrammar({ sceneLabels: labels, vocabulary: false }, model.dictionary);
  const gVocab = buildQuestionGrammar({ sceneLabels: labels, vocabulary: true }, model.dictionary);
  const tScene = await timeIt(() => rec.setGrammar(buildQuestionGrammar({ sceneLabels: labels, vocabulary: false }, model.dictionary)), 3);
  const tVocab = await timeIt(() => rec.setGrammar(buildQuestionGrammar({ sceneLabels: labels, vocabulary: true }, model.dictionary)), 3);

  const sq = new SpokenQuestions(rec);
  sq.useGrammar({ sceneLabels: labels, vocabulary: false });
  const questions = quick ? SAMPLE_ROOM_QUESTIONS.slice(0, 3) : SAMPLE_ROOM_QUESTIONS;
  const voices = quick ? ['en-us'] : ['en-us', 'en-gb'];
  const batch = { hang: [] as number[], dec: [] as number[], ans: [] as number[], tot: [] as number[], rtf: [] as number[] };
  const stream = { fin: [] as number[], tot: [] as number[] };
  for (const voice of voices)
    for (const q of questions) {
      const a = decodeWav(new Uint8Array(readFileSync(speak(q, { voice, speed: 150, noise: { kind: 'pinknoise', snrDb: 20 } }))));
      await sq.ask(a.samples, a.sampleRate, scene); // warm (wasm tier-up, caches)
      const r = await sq.ask(a.samples, a.sampleRate, scene);
      const t = r.transcript;
      if (!t.heardSpeech) continue;
      batch.hang.push(r.latencyMs.hangover);
      batch.dec.push(r.latencyMs.decode);
      batch.ans.push(r.latencyMs.answer);
      batch.tot.push(r.latencyMs.total);
      batch.rtf.push(r.latencyMs.decode / 1000 / (t.speechEndS - t.speechStartS + 0.55));
      // Streaming baseline: the same audio up to where the detector stopped, fed in 20 ms chunks while
      // "speaking"; only end() is left after the end of speech.
      const pcm = new Resampler16k(a.sampleRate).push(a.samples).subarray(0, Math.round(t.audioS * 16000));
      rec.start();
      for (let i = 0; i < pcm.length; i += 320) rec.process(pcm.subarray(i, i + 320));
      const e0 = performance.now();
      const text = rec.end();
      const finMs = performance.now() - e0;
      const a0 = performance.now();
      if (text) await answerQuestion(scene, text);
      const ansMs = performance.now() - a0;
      stream.fin.push(finMs);
      stream.tot.push(r.latencyMs.hangover + finMs + ansMs);
    }
  const m = (xs: number[]) => median(xs);
  return [
    {
      title: `Speech: end of speech → answer (median of ${batch.tot.length} questions, ${voices.join(' + ')} at 150 wpm, 20 dB pink noise, sample room, stored labels)`,
      columns: ['path', 'hangover ms', 'decode after speech ms', 'answer ms', 'total ms', 'vs streaming'],
      rows: [
        ['utterance decode (the app)', m(batch.hang), m(batch.dec), m(batch.ans), m(batch.tot), m(batch.tot) / m(stream.tot)],
        ['streaming decode (baseline)', m(batch.hang), m(stream.fin), m(batch.ans), m(stream.tot), 1],
      ],
      notes: [
        `Decoding runs at ${m(batch.rtf).toFixed(2)} × real time (median, decode ms / ms of audio decoded). The hangover is the detector's 0.6 s of silence before it stops (audio time: the user waits it in real time).`,
        'Streaming leaves less work after the end of speech but misses first questions (utterance-wide normalisation is what the en-us model was trained with); the app decodes the utterance.',
      ],
    },
    {
      title: 'Speech: one-off costs',
      columns: ['step', 'ms', 'detail'],
      rows: [
        ['load + gunzip model and dictionary (disk)', loadMs, `${model.dictionary.size} dictionary words`],
        ['create the wasm recogniser', createMs, 'instantiate, write the acoustic model to its file system'],
        ['grammar + decoder init, scene labels', tScene.wallMs, `${gScene.phrases.length} phrases, ${gScene.words.length} words`],
        ['grammar + decoder init, + indoor vocabulary', tVocab.wallMs, `${gVocab.phrases.length} phrases, ${gVocab.words.length} words; ratio ${(tVocab.wallMs / tScene.wallMs).toFixed(2)} vs scene labels`],
      ],
    },
  ];
}
