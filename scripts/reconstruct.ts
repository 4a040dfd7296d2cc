/**
 * npm run reconstruct -- <capture folder | bundle.zip | transforms.json> --out scene.glb
 *     [--views all|N|i,j,k] [--scale 0.25 | --width W --height H] [--depth auto|device|fastdepth|mvs|onnx:<file>]
 *     [--masks auto|sam|graph|none] [--bank kmeans|instances] [--budget N] [--format glb|ply|compact]
 *     [--models real|standin] [--clip <pair id>] [--json]
 * npm run reconstruct -- --scene scene.glb --query "lamp" [--models real|standin] [--json]
 *
 * Runs lib/pipeline/reconstruction.ts, the same code as the browser worker.
 */
import { mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { dirname, extname } from 'node:path';
import { parseArgs, optNumber, optString, runCli, UsageError } from './cli/args';
import { terminalProgress } from './cli/progress-bar';
import { loadCaptureInput, parseViewSelection } from './cli/load-capture';
import { modelChoice, loadClip, loadSam, loadBundledFastDepth } from './cli/node-models';
import { Reconstruction, STAGES, type ReconstructionOptions } from '../lib/pipeline/reconstruction';
import type { DepthSourceKind } from '../lib/inference/depth/depth-source';
import { GraphSegmentationGenerator } from '../lib/inference/masks/graph-segmentation';
import { SamAutoMaskGenerator } from '../lib/inference/masks/sam-auto-masks';
import type { MaskGenerator } from '../lib/inference/masks/mask-generator';
import { VocabularyLabeler } from '../lib/inference/semantics/vocabulary-labeler';
import { SemanticQuery } from '../lib/inference/semantics/query';
import { answerQuestion } from '../lib/inference/semantics/answer-question';
import { readSceneFile, writeSceneFile, type SceneFileFormat } from '../lib/splat/scene-file';

const args = parseArgs(process.argv.slice(2));
const json = args.options.has('json');
const log = (s: string) => (json ? process.stderr : process.stdout).write(s + '\n');

async function queryMode(scenePath: string, text: string): Promise<void> {
  const scene = await readSceneFile(new Uint8Array(readFileSync(scenePath)), scenePath);
  const choice = await modelChoice((optString(args, 'models', 'real') as 'real' | 'standin'));
  const pair = optString(args, 'clip') ?? (scene.bank.embedder || undefined);
  if (scene.bank.count <= 1) throw new Error(`${scenePath} has no semantics: its semantic bank is empty (built with --masks none or without the semantic models)`);
  // Without the text encoder the question is answered from the bank's stored labels (answerQuestion says so).
  const { clip, message } = scene.bank.hasEmbeddings() ? await loadClip(choice, pair) : { clip: null, message: undefined };
  if (clip && scene.bank.embedder && scene.bank.embedder !== clip.text.id)
    throw new Error(`the scene's bank was built with "${scene.bank.embedder}" but the text encoder is "${clip.text.id}": embeddings would not be comparable (pass --clip ${scene.bank.embedder})`);
  const ans = await answerQuestion(scene, text, { engine: clip ? new SemanticQuery(clip.text) : null, noEngine: message, openVocabulary: 'with it the question is answered in open vocabulary' });
  if (ans.note) log(ans.note);
  if (ans.instances.length === 0) log(`"${text}": not found${ans.reason ? ` (${ans.reason})` : ''}`);
  else {
    log(`"${text}": ${ans.instances.length} instance(s)`);
    ans.instances.forEach((it, i) => {
      const c = it.centroid.map((v) => v.toFixed(2)).join(', ');
      const size = it.box.max.map((v, k) => (v - it.box.min[k]).toFixed(2)).join(' x ');
      log(`  ${i + 1}. ${it.label.padEnd(16)} score ${it.score.toFixed(3)}  centroid (${c}) m  box ${size} m  ${it.count} Gaussians`);
    });
  }
  if (json)
    console.log(
      JSON.stringify({
        query: text,
        found: ans.instances.length > 0,
        reason: ans.reason ?? null,
        answeredFrom: ans.answeredFrom,
        note: ans.note ?? null,
        instances: ans.instances.map((it) => ({ label: it.label, score: it.score, centroid: it.centroid, box: it.box, yawBox: it.yawBox, count: it.count, bankIndices: it.bankIndices })),
        timings: ans.timings,
      }),
    );
}

async function reconstructMode(input: string): Promise<void> {
  const out = optString(args, 'out');
  if (!out) throw new UsageError('--out <scene.glb|scene.ply|scene.sgsc> is required');
  const formatArg = optString(args, 'format') ?? ({ '.glb': 'glb', '.ply': 'ply', '.sgsc': 'compact' } as Record<string, string>)[extname(out).toLowerCase()];
  if (formatArg !== 'glb' && formatArg !== 'ply' && formatArg !== 'compact') throw new UsageError(`--format must be glb, ply or compact (or use a .glb/.ply/.sgsc name), got "${formatArg ?? extname(out)}"`);
  const format = formatArg as SceneFileFormat;
  const bank = optString(args, 'bank', 'instances');
  if (bank !== 'kmeans' && bank !== 'instances') throw new UsageError(`--bank must be kmeans or instances, got "${bank}"`);
  const masksArg = optString(args, 'masks', 'auto')!;
  if (!['auto', 'sam', 'graph', 'none'].includes(masksArg)) throw new UsageError(`--masks must be auto, sam, graph or none, got "${masksArg}"`);
  const depthArg = optString(args, 'depth', 'auto')!;
  const budget = optNumber(args, 'budget', 2_000_000)!;
  const t0 = performance.now();

  const progress = terminalProgress();
  log(`loading ${input}`);
  const cap = await loadCaptureInput(input, { views: parseViewSelection(optString(args, 'views')), scale: optNumber(args, 'scale', 1) });
  for (const s of cap.skipped) log(`  skipped frame ${s.id}: ${s.reason}`);
  log(`${cap.frames.length} view(s) selected of ${cap.available} usable (${cap.skipped.length} skipped)`);

  const opts: ReconstructionOptions = { budget, progress, width: optNumber(args, 'width'), height: optNumber(args, 'height') };
  if (opts.width === undefined && opts.height === undefined) {
    delete opts.width;
    delete opts.height;
  }
  const depthMap: Record<string, DepthSourceKind | undefined> = { auto: undefined, device: 'device', mvs: 'stereo', fastdepth: 'monocular' };
  if (depthArg.startsWith('onnx:')) {
    const { OnnxDepthNetwork } = await import('../lib/inference/depth/onnx-depth-network');
    const { loadNodeOrt } = await import('../lib/inference/runtime/node-ort');
    opts.depth = { prefer: 'network', network: await OnnxDepthNetwork.create(await loadNodeOrt(), new Uint8Array(readFileSync(depthArg.slice(5))), { id: depthArg.slice(5) }) };
  } else {
    if (!(depthArg in depthMap)) throw new UsageError(`--depth must be auto, device, mvs, fastdepth or onnx:<file>, got "${depthArg}"`);
    opts.depth = { prefer: depthMap[depthArg], monocular: await loadBundledFastDepth() };
  }

  const choice = await modelChoice(optString(args, 'models', 'real') as 'real' | 'standin');
  if (choice.standIn) log('using TEST STAND-IN models (colour-only semantics; not real CLIP/SAM)');
  let note = '';
  if (masksArg !== 'none') {
    const { clip, message } = await loadClip(choice, optString(args, 'clip'));
    if (!clip) note = message!;
    else {
      const sam = masksArg === 'graph' ? null : await loadSam(choice);
      if (masksArg === 'sam' && !sam) throw new Error('--masks sam: the SAM model is not installed (run: npm run models:fetch -- --only slimsam-77-encoder,slimsam-77-decoder) — or use --masks graph');
      const generator: MaskGenerator = sam ? new SamAutoMaskGenerator(sam) : new GraphSegmentationGenerator();
      // Graph segmentation over-segments objects into parts within one view; SAM masks are whole objects, so only
      // with SAM may two masks of one view be taken as proof of two objects.
      opts.semantics = { generator, embedder: clip.image, mode: bank, labeler: new VocabularyLabeler(clip.text), associator: { separateSameView: !!sam } };
      log(`semantics: masks ${generator.id}, CLIP ${clip.image.id}, bank ${bank}`);
    }
  }
  if (note) log(note + ' — building geometry only');

  const rec = new Reconstruction(opts);
  await rec.addFrames(cap.frames);
  await rec.finalize();
  progress.finish();
  const rep = rec.report();

  const tw = performance.now();
  const bytes = await writeSceneFile(rec.scene, format);
  mkdirSync(dirname(out) || '.', { recursive: true });
  writeFileSync(out + '.part', bytes);
  renameSync(out + '.part', out);
  const writeMs = performance.now() - tw;

  const sources: Record<string, number> = {};
  for (const v of rep.views) sources[v.depthSource] = (sources[v.depthSource] ?? 0) + 1;
  log('');
  log(`views        ${rep.views.length} (depth: ${Object.entries(sources).map(([k, n]) => `${k} ${n}`).join(', ')})`);
  log(`Gaussians    ${rep.gaussians}`);
  log(`bank entries ${rep.bankEntries}`);
  log(`instances    ${rep.instances}`);
  for (const s of STAGES) log(`  ${s.padEnd(11)} ${rep.stageMs[s].toFixed(0).padStart(7)} ms`);
  log(`  write       ${writeMs.toFixed(0).padStart(7)} ms  (${format}, ${(bytes.length / 1e6).toFixed(2)} MB → ${out})`);
  log(`total        ${(performance.now() - t0).toFixed(0)} ms`);
  if (json)
    console.log(
      JSON.stringify({
        out,
        format,
        views: rep.views.length,
        skipped: cap.skipped,
        gaussians: rep.gaussians,
        bankEntries: rep.bankEntries,
        instances: rep.instances,
        semantics: !!opts.semantics,
        note: note || null,
        stageMs: rep.stageMs,
        writeMs,
        bytes: bytes.length,
        totalMs: performance.now() - t0,
      }),
    );
}

runCli(async () => {
  const scene = optString(args, 'scene');
  if (scene) {
    const q = optString(args, 'query');
    if (q === undefined) throw new UsageError('--scene needs --query "text"');
    return queryMode(scene, q);
  }
  const input = args.positionals[0];
  if (!input) throw new UsageError('usage: npm run reconstruct -- <capture folder | bundle.zip | transforms.json> --out scene.glb [options]  |  --scene scene.glb --query "text"');
  return reconstructMode(input);
});
