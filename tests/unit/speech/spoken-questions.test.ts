/**
 * The real recogniser (PocketSphinx wasm + Debian's en-us model, as shipped in public/speech/) on real
 * audio made here: questions spoken by espeak-ng in two voices with pink noise mixed in by sox at
 * 20 dB SNR, answered on the shipped sample room (labelled from its annotations, no text model). The
 * rates over the full grid are in docs/RESULTS.md (npm run eval -- voice); this checks the path works
 * and stays good: most questions find the right objects, "where is the lamp" finds the two lamps,
 * silence and noise alone are no question.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSpeechModelFromDisk } from '../../../lib/inference/speech/node-speech-model';
import { PocketSphinxRecognizer } from '../../../lib/inference/speech/pocketsphinx-recognizer';
import { sceneLabels, SpokenQuestions } from '../../../lib/inference/speech/spoken-question';
import { decodeWav, encodeWav16 } from '../../../lib/inference/speech/wav';
import type { QueryScene } from '../../../lib/inference/semantics/query';
import { evaluateVoice, sampleRoomScene } from '../../../scripts/eval/voice';
import { hasSpeechTools, speak } from '../../support/spoken-audio';

// CI installs espeak-ng and sox (.ci/run); elsewhere the test says why it cannot run.
const tools = hasSpeechTools();
if (!tools && process.env.CI) throw new Error('espeak-ng and sox are needed for the voice tests (apt-get install espeak-ng sox)');

describe.skipIf(!tools)('spoken questions on the sample room (espeak-ng audio, PocketSphinx wasm)', () => {
  let scene: QueryScene;
  let sq: SpokenQuestions;
  beforeAll(async () => {
    scene = await sampleRoomScene();
    sq = new SpokenQuestions(await PocketSphinxRecognizer.create(await loadSpeechModelFromDisk()));
    sq.useGrammar({ sceneLabels: sceneLabels(scene), vocabulary: false });
  }, 120_000);

  it('"where is the lamp" (en-us, 150 wpm, 20 dB pink noise) is heard and finds the two lamps; stop on silence', async () => {
    const a = decodeWav(new Uint8Array(readFileSync(speak('where is the lamp', { voice: 'en-us', speed: 150, noise: { kind: 'pinknoise', snrDb: 20 } }))));
    const r = await sq.ask(a.samples, a.sampleRate, scene);
    expect(r.transcript.text).toMatch(/^where is (the|a) lamp$/);
    expect(r.transcript.stoppedBy).toBe('silence');
    expect(r.transcript.speechStartS).toBeGreaterThan(0.25);
    expect(r.transcript.speechStartS).toBeLessThan(0.55);
    // The detector stopped listening before the 1.2 s of trailing silence ran out.
    expect(r.transcript.audioS).toBeLessThan(a.samples.length / a.sampleRate - 0.3);
    expect(r.answer!.answeredFrom).toBe('stored labels');
    expect(r.answer!.instances.map((i) => i.label)).toEqual(['lamp', 'lamp']);
    expect(r.latencyMs.hangover).toBeGreaterThan(400);
  }, 60_000);

  it('most questions in two voices with noise find the right objects', async () => {
    const [run] = await evaluateVoice({ scene, voices: ['en-us', 'en-us+f3'], speeds: [150], snrs: [20], grammars: ['scene'] });
    expect(run.utterances).toBe(20);
    expect(run.missed).toBe(0);
    expect(run.rightObject, JSON.stringify(run.samples.filter((s) => !s.right))).toBeGreaterThanOrEqual(0.7);
    expect(run.wordAccuracy).toBeGreaterThan(0.6);
  }, 180_000);

  it('silence and steady noise alone are no question', async () => {
    const silence = new Float32Array(16000 * 2);
    const r = await sq.ask(silence, 16000, scene);
    expect(r.transcript.heardSpeech).toBe(false);
    expect(r.transcript.text).toBe('');
    expect(r.answer).toBeNull();
    let s = 3;
    const noise = Float32Array.from({ length: 16000 * 9 }, () => (((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff) * 2 - 1) * 0.03);
    const n = decodeWav(encodeWav16(noise, 16000));
    const rn = await sq.ask(n.samples, n.sampleRate, scene);
    expect(rn.transcript.stoppedBy).toBe('timeout');
    expect(rn.answer).toBeNull();
  }, 60_000);
});
