/**
 * Evaluation on real data (docs/RESULTS.md):
 *
 *   npm run eval -- novel-view --data <capture> [options]    (scripts/eval/novel-view.ts)
 *   npm run eval -- semantic --room <room|all> [options]      (scripts/eval/semantic.ts)
 *   npm run eval -- voice [options]                           (scripts/eval/voice.ts)
 *   npm run eval -- <task> --help                             (every option of the task with its default)
 *
 * With --json the LAST line of stdout is one JSON object with every figure; human output goes to stderr then.
 * Each task's options are one table below (a task reads them by name through optString/optNumber): an
 * option a task reads must have its row here, or strict parsing rejects it.
 */
import { formatHelp, parseCommandOrHelp, runCli, UsageError, type CommandSpec } from './cli/args';

const json = { type: 'boolean', help: 'print one JSON object as the last stdout line (human output goes to stderr)' } as const;

const TASKS = {
  'novel-view': {
    command: 'npm run eval -- novel-view',
    usage: ['--data <transforms.json | capture folder | bundle.zip> [options]'],
    summary:
      'Held-out novel views (../shared/README.md protocol): every N-th frame a target, the nearest context views\n' +
      'rendered into it, PSNR and SSIM against the photo.',
    options: {
      data: { type: 'string', value: 'capture', help: 'transforms.json, capture folder (any layout) or bundle .zip' },
      scale: { type: 'number', default: 0.25, help: 'area-average the images by this factor, in (0, 1]' },
      'holdout-every': { type: 'integer', default: 5, help: 'every N-th frame (sorted by name) is a target' },
      context: { type: 'string', value: 'i,j,k', help: 'explicit context frame indices (with --targets)' },
      targets: { type: 'string', value: 'a,b', help: 'explicit target frame indices (with --context)' },
      'max-targets': { type: 'integer', value: 'N', help: 'evaluate at most N targets' },
      depth: { type: 'string', value: 'fastdepth|mvs|mvs-raw|mvs+fastdepth|device|all', default: 'all', help: 'depth source(s) of the context views' },
      renderer: { type: 'string', choices: ['gaussians', 'forward-splat', 'both'], default: 'both', help: 'how context views are rendered into the target' },
      nearest: { type: 'integer', default: 4, help: 'context views nearest each target that are rendered' },
      'gaussian-scale': { type: 'number', value: 'x', help: 'Gaussian size factor, in (0, 4]' },
      condition: { type: 'string', choices: ['on', 'off'], default: 'on', help: 'condition device depth (edges, specks, z^2 noise, multi-view agreement)' },
      'depth-size': { type: 'string', value: 'WxH', help: 'box-subsample device depth to WxH first (e.g. 160x120, phone-like)' },
      registration: { type: 'string', choices: ['auto', 'off'], default: 'auto', help: 'fit the colour camera to the depth camera on the context views (captures with depth)' },
      'mvs-weights': { type: 'string', choices: ['on', 'off'], default: 'on', help: 'our Gaussians from mvs: stereo confidence x view trust as the fusion weight (off: every pixel the same)' },
      'filled-gate': { type: 'string', choices: ['on', 'off'], default: 'on', help: 'our Gaussians from device depth: filled pixels only where no earlier view covers the surface (off: every fill fused)' },
      png: { type: 'integer', default: 3, help: 'targets written as comparison PNGs' },
      'png-depth': { type: 'string', default: 'mvs', help: 'depth source shown in the PNGs' },
      out: { type: 'string', value: 'folder', default: 'docs/img/results', help: 'where the PNGs go' },
      json,
    },
  },
  semantic: {
    command: 'npm run eval -- semantic',
    usage: ['--room <room|all> [options]'],
    summary: 'Renders a @iwer/sem room, reconstructs it, queries every labelled category and scores the 3D instances against the ground-truth boxes.',
    options: {
      room: { type: 'string', value: 'living_room|music_room|office_large|meeting_room|office_small|all|a,b', default: 'living_room', help: 'room(s) to evaluate' },
      setting: { type: 'string', choices: ['oracle', 'full', 'both'], default: 'both', help: 'oracle masks + encoder, or graph segmentation + stand-in CLIP' },
      bank: { type: 'string', choices: ['kmeans', 'instances', 'both'], default: 'both', help: 'semantic memory bank mode' },
      seed: { type: 'integer', default: 1, help: 'capture render seed' },
      views: { type: 'integer', default: 30, help: 'rendered views per room' },
      width: { type: 'integer', default: 320, help: 'render width' },
      height: { type: 'integer', default: 240, help: 'render height' },
      'min-pixels': { type: 'integer', default: 100, help: 'smallest ground-truth object (pixels) that counts' },
      iou: { type: 'number', default: 0.25, help: 'box IoU for a match, in (0, 1]' },
      'min-extent': { type: 'number', default: 0, help: 'ignore objects smaller than this (metres)' },
      grouping: { type: 'string', choices: ['auto', 'entries', 'voxels', 'both'], default: 'auto', help: 'how answers are grouped into instances' },
      voxel: { type: 'number', default: 0.1, help: 'voxel size for voxel grouping (metres)' },
      out: { type: 'string', value: 'folder|none', default: 'docs/img/results', help: 'where charts go (none: nowhere)' },
      json,
    },
  },
  voice: {
    command: 'npm run eval -- voice',
    usage: ['[options]'],
    summary:
      'Spoken questions on the shipped sample room: espeak-ng voices x speeds, sox noise at each SNR, the app\'s\n' +
      'recogniser (PocketSphinx wasm, Debian en-us model) and answerQuestion; word accuracy and right-object rates.',
    options: {
      voices: { type: 'string', value: 'a,b', help: 'espeak-ng voices (default: en-us, en-us+m3, en-us+f3, en-gb, en-us+klatt2)' },
      speeds: { type: 'string', value: 'wpm,wpm', help: 'speaking rates in words per minute (default: 130,170)' },
      snr: { type: 'string', value: 'none,20,10', help: 'noise levels in dB, none = clean (default: none,20,10)' },
      grammar: { type: 'string', choices: ['scene', 'vocabulary', 'both'], default: 'both', help: "the scene's labels, or the whole indoor vocabulary too" },
      json,
    },
  },
} satisfies Record<string, CommandSpec>;

const EVAL_HELP: CommandSpec = {
  command: 'npm run eval --',
  usage: ['novel-view --data <capture> [options]', 'semantic --room <room|all> [options]', 'voice [options]', '<task> --help'],
  summary: `Tasks: ${Object.keys(TASKS).join(', ')}. Run a task with --help for its options.`,
  options: {},
};

runCli(async () => {
  const argv = process.argv.slice(2);
  const task = argv[0];
  if (task === '--help' || task === '-h') {
    process.stdout.write(formatHelp(EVAL_HELP));
    return;
  }
  if (task === undefined) throw new UsageError(`no task given; tasks: ${Object.keys(TASKS).join(', ')} (see --help)`);
  if (!(task in TASKS)) throw new UsageError(`unknown task "${task}"; tasks: ${Object.keys(TASKS).join(', ')} (see --help)`);
  const spec: CommandSpec = TASKS[task as keyof typeof TASKS];
  const args = parseCommandOrHelp(spec, argv.slice(1));
  const log = (s: string) => (args.values.json ? process.stderr : process.stdout).write(s + '\n');
  let result: Record<string, unknown>;
  if (task === 'novel-view') {
    const { runNovelView } = await import('./eval/novel-view');
    result = await runNovelView(args, log);
  } else if (task === 'semantic') {
    const { runSemantic } = await import('./eval/semantic');
    result = await runSemantic(args, log);
  } else {
    const { runVoice } = await import('./eval/voice');
    result = await runVoice(args, log);
  }
  if (args.values.json) console.log(JSON.stringify(result));
});
