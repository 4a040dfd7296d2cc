/**
 * npm run transcribe -- <file.wav> [--scene <scene.glb|.ply|capture folder>] [--vocabulary] [--json] [--verbose]
 *
 * Runs the app's on-device recogniser (PocketSphinx wasm + Debian's en-us model, lib/inference/speech/)
 * on a WAV file, as the page runs it on the microphone: stop where the voice detector hears the end
 * of speech, decode with the question grammar. With --scene the grammar is built from the scene's
 * labels and the transcript is answered like a typed question (answerQuestion: relevancy with the CLIP
 * text model when installed and the bank has embeddings, otherwise the bank's stored labels). A capture
 * folder is built first (with its `<folder>.groundtruth/` annotations when present, like the shipped
 * sample public/samples/living_room). With --json the last stdout line is
 * {"text": "...", "answers": [...], ...}; human output goes to stderr then.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runCli, UsageError } from './cli/args';
import { loadSpeechModelFromDisk } from '../lib/inference/speech/node-speech-model';
import { PocketSphinxRecognizer } from '../lib/inference/speech/pocketsphinx-recognizer';
import { sceneLabels, SpokenQuestions } from '../lib/inference/speech/spoken-question';
import { RECOGNISER_NAME } from '../lib/inference/speech/speech-model';
import { decodeWav } from '../lib/inference/speech/wav';
import type { QueryScene } from '../lib/inference/semantics/query';
import type { SemanticQuery } from '../lib/inference/semantics/query';

const HELP = `usage: npm run transcribe -- <file.wav> [options]

Transcribes a spoken question with the on-device recogniser (${RECOGNISER_NAME}).

options:
  --scene <path>    scene file (.glb, .ply, .compact) or capture folder: build the grammar from its
                    labels and answer the question (a folder's <folder>.groundtruth/ annotations are used)
  --vocabulary      let the grammar hear the whole indoor vocabulary, not only the scene's labels
                    (on by default when the CLIP text model answers in open vocabulary)
  --json            last stdout line: {"text": "...", "answers": [...], ...}
  --verbose         print PocketSphinx's log
  -h, --help        this help
`;

async function loadScene(path: string, log: (s: string) => void): Promise<{ scene: QueryScene; engine: SemanticQuery | null; noEngine?: string }> {
  if (!existsSync(path)) throw new UsageError(`--scene: ${path} does not exist`);
  if (statSync(path).isDirectory()) {
    const { buildSceneFromBundle } = await import('../lib/web/scene-build');
    const { nodeFolderFiles } = await import('../lib/capture/node-files');
    const { annotatedQueryScene } = await import('../lib/inference/semantics/annotation-bank');
    const gt = `${path.replace(/\/+$/, '')}.groundtruth`;
    log(`building the scene from ${path}${existsSync(gt) ? ` with the annotations in ${gt}` : ''}…`);
    const r = await buildSceneFromBundle(nodeFolderFiles(path), { maxGaussians: 60_000, annotations: existsSync(gt) ? nodeFolderFiles(gt) : undefined });
    if (r.semanticsError) log(r.semanticsError);
    const scene = annotatedQueryScene(r.gaussians, r.semantics);
    if (!scene) throw new Error(`${path}: the capture has no annotations (${gt}), so its scene has no semantics to answer from; reconstruct it with the semantic models (npm run reconstruct) and pass the .glb`);
    return { scene, engine: null, noEngine: 'the sample scene is labelled from its annotations (no text encoder needed)' };
  }
  const { readSceneFile } = await import('../lib/splat/scene-file');
  const scene = await readSceneFile(new Uint8Array(readFileSync(path)), path);
  if (!scene.bank.hasEmbeddings()) return { scene, engine: null };
  const { modelChoice, loadClip } = await import('./cli/node-models');
  const { SemanticQuery } = await import('../lib/inference/semantics/query');
  const { clip, message } = await loadClip(await modelChoice('real'), scene.bank.embedder || undefined);
  if (clip && scene.bank.embedder && scene.bank.embedder !== clip.text.id) throw new Error(`the scene's bank was built with "${scene.bank.embedder}" but the text encoder is "${clip.text.id}"`);
  return { scene, engine: clip ? new SemanticQuery(clip.text) : null, noEngine: message };
}

runCli(async () => {
  let parsed;
  try {
    parsed = parseArgs({
      args: process.argv.slice(2),
      allowPositionals: true,
      strict: true,
      options: { scene: { type: 'string' }, vocabulary: { type: 'boolean' }, json: { type: 'boolean' }, verbose: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n\n${HELP}`);
  }
  const { values: o, positionals } = parsed;
  if (o.help) {
    process.stdout.write(HELP);
    return;
  }
  if (positionals.length !== 1) throw new UsageError(`give exactly one WAV file\n\n${HELP}`);
  const json = !!o.json;
  const log = (s: string) => (json ? process.stderr : process.stdout).write(s + '\n');
  const wavPath = positionals[0];
  if (!existsSync(wavPath)) throw new UsageError(`${wavPath} does not exist`);
  const audio = decodeWav(new Uint8Array(readFileSync(wavPath)), wavPath);

  const s = o.scene ? await loadScene(o.scene, log) : null;
  const model = await loadSpeechModelFromDisk();
  const q = new SpokenQuestions(await PocketSphinxRecognizer.create(model, { verbose: !!o.verbose }));
  const labels = sceneLabels(s?.scene);
  const vocabulary = !!o.vocabulary || !!s?.engine || !s;
  const g = q.useGrammar({ sceneLabels: labels, vocabulary });
  log(`grammar: ${g.phrases.length} object phrases${labels.length ? ` (scene labels: ${labels.join(', ')})` : ''}${vocabulary ? ' + the indoor vocabulary' : ''}`);
  if (g.skipped.length) log(`not in the pronouncing dictionary, left out: ${g.skipped.map((k) => k.phrase).join(', ')}`);
  const r = await q.ask(audio.samples, audio.sampleRate, s?.scene ?? null, { engine: s?.engine ?? null, noEngine: s?.noEngine });
  const t = r.transcript;
  log(t.text ? `heard: "${t.text}"` : t.heardSpeech ? 'heard speech but nothing in the grammar' : 'heard no speech');
  log(`  speech ${t.speechStartS.toFixed(2)}–${t.speechEndS.toFixed(2)} s of ${t.audioS.toFixed(2)} s (stopped by ${t.stoppedBy}); decoding ${t.finalizeMs.toFixed(0)} ms`);
  const a = r.answer;
  if (a) {
    if (a.note) log(a.note);
    if (a.instances.length === 0) log(`not found${a.reason ? ` (${a.reason})` : ''}`);
    a.instances.forEach((it, i) => log(`  ${i + 1}. ${it.label.padEnd(14)} score ${it.score.toFixed(3)}  centroid (${it.centroid.map((v) => v.toFixed(2)).join(', ')}) m  ${it.count} Gaussians`));
    log(`  end of speech → answer: ${r.latencyMs.total.toFixed(0)} ms (hangover ${r.latencyMs.hangover.toFixed(0)} + decoding ${r.latencyMs.decode.toFixed(0)} + answering ${r.latencyMs.answer.toFixed(0)})`);
  }
  if (json)
    console.log(
      JSON.stringify({
        text: t.text,
        answers: (a?.instances ?? []).map((it) => ({ label: it.label, score: it.score, centroid: it.centroid, box: it.box, count: it.count })),
        answeredFrom: a?.answeredFrom ?? null,
        reason: a?.reason ?? null,
        heardSpeech: t.heardSpeech,
        speech: [t.speechStartS, t.speechEndS],
        stoppedBy: t.stoppedBy,
        latencyMs: r.latencyMs,
        recogniser: RECOGNISER_NAME,
      }),
    );
});
