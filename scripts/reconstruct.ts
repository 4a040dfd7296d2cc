/**
 * npm run reconstruct -- <capture folder | bundle.zip | transforms.json> --out scene.glb [options]
 * npm run reconstruct -- --scene scene.glb --query "lamp" [--models real|standin] [--json]
 * npm run reconstruct -- --help   (every option with its default: the table below)
 *
 * A capture folder is any layout lib/capture/import-capture.ts reads: a SegSplat bundle, a
 * transforms.json, a 7-Scenes / 3DMatch RGB-D folder, a TUM RGB-D sequence. Runs
 * lib/pipeline/reconstruction.ts, the same code as the browser worker.
 */
import { mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { dirname, extname } from 'node:path';
import { parseCommandOrHelp, runCli, UsageError, type CommandSpec, type ParsedCommand } from './cli/args';
import { terminalProgress } from './cli/progress-bar';
import { loadCaptureInput, parseViewSelection } from './cli/load-capture';
import { modelChoice, loadClip, loadSam, loadBundledFastDepth } from './cli/node-models';
import { DEFAULT_MAX_SIZE, Reconstruction, STAGES, type ReconstructionOptions } from '../lib/pipeline/reconstruction';
import { describeWorldFrame } from '../lib/align/world-frame';
import type { DepthSourceKind } from '../lib/inference/depth/depth-source';
import { GraphSegmentationGenerator } from '../lib/inference/masks/graph-segmentation';
import { SamAutoMaskGenerator } from '../lib/inference/masks/sam-auto-masks';
import type { MaskGenerator } from '../lib/inference/masks/mask-generator';
import { VocabularyLabeler } from '../lib/inference/semantics/vocabulary-labeler';
import { SemanticQuery } from '../lib/inference/semantics/query';
import { answerQuestion } from '../lib/inference/semantics/answer-question';
import { readSceneFile, writeSceneFile, type SceneFileFormat } from '../lib/splat/scene-file';
import { describeBackends } from '../lib/gpu/stage-report';

/** Every option of the command, one row each: parsing, defaults and --help come from here. */
const OPTIONS = {
  out: { type: 'string', value: 'scene.glb|.ply|.sgsc', help: 'scene file to write (required to reconstruct)' },
  format: { type: 'string', choices: ['glb', 'ply', 'compact'], help: 'scene file format (default: from the --out extension)' },
  views: { type: 'string', value: 'all|N|i,j,k', default: 'all', help: 'frames to use: all, N evenly spaced, or a list of indices' },
  scale: { type: 'number', min: 0.01, max: 1, default: 1, help: 'downsample the images by this factor when loading' },
  'max-size': { type: 'integer', min: 0, value: 'N', default: DEFAULT_MAX_SIZE, help: 'working resolution: long side at most N px for depth, stereo and fusion (0: the images\' own size)' },
  'keep-world': { type: 'boolean', help: 'keep the capture\'s own frame (default: turn it y up with the floor at y = 0)' },
  width: { type: 'integer', min: 8, value: 'W', help: 'working width in pixels (with --height; default: from --max-size)' },
  height: { type: 'integer', min: 8, value: 'H', help: 'working height in pixels' },
  depth: { type: 'string', value: 'auto|device|mvs|fastdepth|onnx:<file>', default: 'auto', help: 'depth source per view (auto: device depth, else stereo, else FastDepth)' },
  registration: { type: 'string', choices: ['auto', 'off'], default: 'auto', help: 'device depth: register the colour camera to the depth camera from the first keyframes (kept unless it clearly helps)' },
  condition: { type: 'string', choices: ['on', 'off'], default: 'on', help: 'device depth: drop invalid values, flying pixels and misregistered edges, weight by z^2 noise and multi-view agreement' },
  'filled-gate': { type: 'string', choices: ['on', 'off'], default: 'on', help: 'device depth: filled holes become Gaussians only where no earlier view covers them (off: every fill is fused)' },
  masks: { type: 'string', choices: ['auto', 'sam', 'graph', 'none'], default: 'auto', help: 'class-agnostic masks (none: geometry only)' },
  bank: { type: 'string', choices: ['kmeans', 'instances'], default: 'instances', help: 'semantic memory bank: per-object instances or k-means clusters' },
  budget: { type: 'integer', min: 1, value: 'N', default: 2_000_000, help: 'most Gaussians in the scene' },
  models: { type: 'string', choices: ['real', 'standin'], default: 'real', help: 'real models (npm run models:fetch) or the TEST STAND-IN models' },
  clip: { type: 'string', value: 'pair id', help: 'CLIP pair id from the model manifest (default: the manifest\'s, or the scene\'s for a query)' },
  scene: { type: 'string', value: 'scene.glb', help: 'query mode: the scene file to ask' },
  query: { type: 'string', value: 'text', help: 'query mode: what to look for ("lamp", "where is the lamp?")' },
  json: { type: 'boolean', help: 'print one JSON object as the last stdout line (human output goes to stderr)' },
} as const satisfies CommandSpec['options'];

const RECONSTRUCT_COMMAND = {
  command: 'npm run reconstruct --',
  usage: ['<capture folder | bundle.zip | transforms.json> --out scene.glb [options]', '--scene scene.glb --query "text" [--models real|standin] [--json]'],
  summary:
    'Builds a semantic Gaussian scene from a posed capture: a SegSplat bundle, a transforms.json (instant-ngp /\n' +
    'nerfstudio), a 7-Scenes / 3DMatch RGB-D folder or a TUM RGB-D sequence (folder or .zip). With --scene, answers a query.',
  options: OPTIONS,
  maxPositionals: 1,
} satisfies CommandSpec;

type Args = ParsedCommand<typeof OPTIONS>;
let log: (s: string) => void = (s) => process.stdout.write(s + '\n');

async function queryMode(args: Args, scenePath: string, text: string): Promise<void> {
  const json = args.values.json;
  const scene = await readSceneFile(new Uint8Array(readFileSync(scenePath)), scenePath);
  const choice = await modelChoice(args.values.models);
  const pair = args.values.clip ?? (scene.bank.embedder || undefined);
  if (scene.bank.count <= 1) throw new Error(`${scenePath} has no semantics: its semantic bank is empty (built with --masks none or without the semantic models)`);
  // Without the text encoder the question is answered from the bank's stored labels (answerQuestion says so).
  const { clip, message } = scene.bank.hasEmbeddings() ? await loadClip(choice, pair) : { clip: null, message: undefined };
  if (clip && choice.standIn) log(`answering with the TEST STAND-IN models (CLIP "${clip.text.id}": colour-only semantics, not real CLIP)`);
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

async function reconstructMode(args: Args, input: string): Promise<void> {
  const v = args.values;
  const json = v.json;
  const out = v.out;
  if (!out) throw new UsageError('--out <scene.glb|scene.ply|scene.sgsc> is required');
  const formatArg = v.format ?? ({ '.glb': 'glb', '.ply': 'ply', '.sgsc': 'compact' } as Record<string, string>)[extname(out).toLowerCase()];
  if (formatArg !== 'glb' && formatArg !== 'ply' && formatArg !== 'compact') throw new UsageError(`--format must be glb, ply or compact (or use a .glb/.ply/.sgsc name), got "${formatArg ?? extname(out)}"`);
  const format = formatArg as SceneFileFormat;
  const bank = v.bank;
  const masksArg = v.masks;
  const depthArg = v.depth;
  const budget = v.budget;
  if ((v.width === undefined) !== (v.height === undefined)) throw new UsageError('--width and --height go together');
  const views = parseViewSelection(v.views);
  const depthMap: Record<string, DepthSourceKind | undefined> = { auto: undefined, device: 'device', mvs: 'stereo', fastdepth: 'monocular' };
  if (!depthArg.startsWith('onnx:') && !(depthArg in depthMap)) throw new UsageError(`--depth must be auto, device, mvs, fastdepth or onnx:<file>, got "${depthArg}"`);
  const t0 = performance.now();

  const progress = terminalProgress();
  log(`loading ${input}`);
  const cap = await loadCaptureInput(input, { views, scale: v.scale });
  log(`${cap.format}: ${cap.name}`);
  for (const w of cap.warnings) log(`  note: ${w}`);
  for (const s of cap.skipped) log(`  skipped frame ${s.id}: ${s.reason}`);
  log(`${cap.frames.length} view(s) selected of ${cap.available} usable (${cap.skipped.length} skipped)`);

  const opts: ReconstructionOptions = { budget, progress, width: v.width, height: v.height, maxSize: v['max-size'], keepWorld: v['keep-world'] ?? false, registration: v.registration as 'auto' | 'off' };
  if (cap.worldUp) opts.worldUp = cap.worldUp;
  if (opts.width === undefined && opts.height === undefined) {
    delete opts.width;
    delete opts.height;
  }
  if (depthArg.startsWith('onnx:')) {
    const { OnnxDepthNetwork } = await import('../lib/inference/depth/onnx-depth-network');
    const { loadNodeOrt } = await import('../lib/inference/runtime/node-ort');
    opts.depth = { prefer: 'network', network: await OnnxDepthNetwork.create(await loadNodeOrt(), new Uint8Array(readFileSync(depthArg.slice(5))), { id: depthArg.slice(5) }) };
  } else {
    opts.depth = { prefer: depthMap[depthArg], monocular: await loadBundledFastDepth() };
  }
  opts.depth.conditionDevice = v.condition === 'on';
  opts.depth.filledGate = v['filled-gate'] === 'on';

  const choice = await modelChoice(v.models);
  if (choice.standIn) log('using TEST STAND-IN models (colour-only semantics; not real CLIP/SAM)');
  let note = '';
  if (masksArg !== 'none') {
    const { clip, message } = await loadClip(choice, v.clip);
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
  for (const r of rep.views)
    log(`  ${r.id.padEnd(16)} depth ${r.depthSource.padEnd(9)} trusted ${(100 * r.trusted).toFixed(1).padStart(5)} %  ${String(r.gaussians).padStart(8)} Gaussians, ${r.merged} merged`);
  log(`Gaussians    ${rep.gaussians}`);
  const c = rep.census;
  if (c.filledHole + c.filledOutside > 0) log(`  from depth  ${c.measured} measured, ${c.filledHole} filled holes, ${c.filledOutside} filled outside the sensor's field`);
  log(`bank entries ${rep.bankEntries}`);
  log(`instances    ${rep.instances}`);
  log(`working size ${rep.working.width}x${rep.working.height}`);
  const reg = rep.registration;
  if (reg) {
    const k = (i: typeof reg.given) => `fx ${i.fx.toFixed(1)} fy ${i.fy.toFixed(1)} cx ${i.cx.toFixed(1)} cy ${i.cy.toFixed(1)} at ${i.width}x${i.height}`;
    log(`registration ${reg.status}: ${reg.reason}${reg.status === 'skipped' ? '' : `; ${reg.keyframes.length} keyframes (${reg.keyframes[0]} .. ${reg.keyframes[reg.keyframes.length - 1]}), ${reg.ms.toFixed(0)} ms`}`);
    if (reg.status === 'applied') log(`             colour camera ${k(reg.intrinsics)} (given ${k(reg.given)}), from view ${reg.fromView}`);
  } else if (v.registration === 'off') log('registration off (--registration off)');
  const w = rep.world;
  log(`world        ${describeWorldFrame(w)}${w.upSource === 'none' ? ' (--keep-world)' : ''}`);
  for (const s of STAGES) log(`  ${s.padEnd(11)} ${rep.stageMs[s].toFixed(0).padStart(7)} ms`);
  log(`kernels      ${describeBackends(rep.backends)}`);
  log(`  write       ${writeMs.toFixed(0).padStart(7)} ms  (${format}, ${(bytes.length / 1e6).toFixed(2)} MB → ${out})`);
  log(`total        ${(performance.now() - t0).toFixed(0)} ms`);
  if (json)
    console.log(
      JSON.stringify({
        out,
        format,
        views: rep.views.length,
        perView: rep.views.map((r) => ({ id: r.id, depthSource: r.depthSource, trusted: +r.trusted.toFixed(4), gaussians: r.gaussians, merged: r.merged, scene: r.scene, masks: r.masks, ...(r.filled && { filled: r.filled }) })),
        census: rep.census,
        skipped: cap.skipped,
        gaussians: rep.gaussians,
        bankEntries: rep.bankEntries,
        instances: rep.instances,
        semantics: !!opts.semantics,
        note: note || null,
        stageMs: rep.stageMs,
        backends: rep.backends,
        working: rep.working,
        world: { matrix: w.matrix, up: w.up, upSource: w.upSource, floorSource: w.floorSource, floorHeight: w.floorHeight },
        registration: reg,
        conditionDevice: opts.depth.conditionDevice,
        writeMs,
        bytes: bytes.length,
        totalMs: performance.now() - t0,
      }),
    );
}

runCli(async () => {
  const args = parseCommandOrHelp(RECONSTRUCT_COMMAND, process.argv.slice(2));
  if (args.values.json) log = (s) => process.stderr.write(s + '\n');
  const scene = args.values.scene;
  if (scene) {
    const q = args.values.query;
    if (q === undefined) throw new UsageError('--scene needs --query "text"');
    if (args.positionals.length) throw new UsageError(`query mode takes no capture (got "${args.positionals[0]}")`);
    return queryMode(args, scene, q);
  }
  if (args.values.query !== undefined) throw new UsageError('--query needs --scene scene.glb');
  const input = args.positionals[0];
  if (!input) throw new UsageError('no capture given; usage: npm run reconstruct -- <capture folder | bundle.zip | transforms.json> --out scene.glb [options] (see --help)');
  return reconstructMode(args, input);
});
