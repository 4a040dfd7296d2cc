/**
 * Renders sample capture bundles from the scanned rooms shipped with @iwer/sem (MIT).
 *
 *   npm run samples -- [--room living_room|music_room|office_large|meeting_room|office_small|all]
 *                      [--seed 1] [--views 30] [--width 320 --height 240] [--out data/samples]
 *                      [--sheet docs/img/samples-living_room.png]
 *
 * Writes <out>/<room>/ (capture bundle: capture.json, images/, depth/) and the ground truth beside
 * it in <out>/<room>.groundtruth/ (instances.json + 16-bit instance PNGs). Same arguments, same
 * bytes. `npm run samples -- --room living_room --out public/samples` reproduces the shipped sample.
 */
import { readFileSync } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { nodeFolderFiles } from '../lib/capture/node-files';
import { encodePng } from '../lib/capture/png';
import { objectColor } from '../lib/sim/appearance';
import type { RenderedCapture } from '../lib/sim/render-capture';
import { loadRoom } from '../lib/sim/room';
import { renderCapture } from '../lib/sim/render-capture';
import { writeSampleBundle } from '../lib/sim/sample-bundle';
import { parseCommandOrHelp, UsageError, type CommandSpec } from './cli/args';

export const SEM_ROOMS = ['living_room', 'music_room', 'office_large', 'meeting_room', 'office_small'] as const;

export interface SamplesArgs {
  rooms: string[];
  seed: number;
  views: number;
  width: number;
  height: number;
  out: string;
  /** Optional contact sheet PNG (RGB | depth | instances for a few frames of the first room). */
  sheet?: string;
}

export const SAMPLES_COMMAND = {
  command: 'npm run samples --',
  usage: ['[--room <room|all>] [--seed 1] [--views 30] [--width 320 --height 240] [--out data/samples] [--sheet file.png]'],
  summary: 'Renders capture bundles (+ ground truth) from the @iwer/sem room scans. Same arguments, same bytes.',
  options: {
    room: { type: 'string', choices: [...SEM_ROOMS, 'all'], default: 'living_room', help: 'room to render, or all' },
    seed: { type: 'integer', min: 0, max: 2 ** 31 - 1, default: 1, help: 'camera path seed' },
    views: { type: 'integer', min: 2, max: 200, default: 30, help: 'frames per room' },
    width: { type: 'integer', min: 16, max: 4096, default: 320, help: 'image width' },
    height: { type: 'integer', min: 16, max: 4096, default: 240, help: 'image height' },
    out: { type: 'string', value: 'folder', default: 'data/samples', help: 'where <room>/ and <room>.groundtruth/ go' },
    sheet: { type: 'string', value: 'file.png', help: 'contact sheet (RGB | depth | instances) of the first room' },
  },
} satisfies CommandSpec;

/** Throws UsageError naming the option; --help prints the options and exits. */
export function parseSamplesArgs(argv: string[]): SamplesArgs {
  const v = parseCommandOrHelp(SAMPLES_COMMAND, argv).values;
  const a: SamplesArgs = {
    rooms: v.room === 'all' ? [...SEM_ROOMS] : [v.room],
    seed: v.seed,
    views: v.views,
    width: v.width,
    height: v.height,
    out: v.out,
  };
  if (v.sheet !== undefined) a.sheet = v.sheet;
  return a;
}

const require = createRequire(import.meta.url);

/** The package's folder and version (captures/*.json live there). */
export function semPackage(): { dir: string; version: string } {
  const pkgPath = require.resolve('@iwer/sem/package.json');
  return { dir: dirname(pkgPath), version: JSON.parse(readFileSync(pkgPath, 'utf8')).version };
}

export function readSemRoom(room: string): unknown {
  return JSON.parse(readFileSync(join(semPackage().dir, 'captures', `${room}.json`), 'utf8'));
}

export function sampleMeta(room: string, a: Omit<SamplesArgs, 'rooms' | 'out'>) {
  return {
    name: room,
    attribution: `Rendered from the "${room}" room scan of @iwer/sem (Copyright (c) Meta Platforms, Inc. and affiliates, MIT License). See ATTRIBUTION.md.`,
    source: { package: '@iwer/sem', version: semPackage().version, room },
    render: { seed: a.seed, views: a.views, width: a.width, height: a.height, hfovDeg: 65, renderer: 'lib/sim/rasterizer.ts' },
  };
}

/** Removes a previous sample folder (only if it holds what this script writes), so stale frames go. */
async function clearOld(dir: string, marker: string): Promise<void> {
  let entries: string[];
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error(`${dir} exists and is not a folder`);
    entries = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  if (entries.length === 0) return;
  if (!entries.includes(marker)) throw new Error(`${dir} is not empty and holds no ${marker}: refusing to overwrite it`);
  await rm(dir, { recursive: true });
}

/**
 * Rows of RGB | depth (near bright, 0.5..5 m, black = none) | instance ids (object colours), for
 * `rows` frames spread over the capture.
 */
export function contactSheet(capture: RenderedCapture, rows = 4): Uint8Array {
  const { frames, groundTruth } = capture;
  const W = frames[0].image.width, H = frames[0].image.height;
  const pick = Array.from({ length: Math.min(rows, frames.length) }, (_, r) => Math.round((r * (frames.length - 1)) / Math.max(1, rows - 1)));
  const SW = 3 * W, SH = pick.length * H;
  const sheet = new Uint8Array(SW * SH * 3);
  pick.forEach((k, r) => {
    const img = frames[k].image.data, d = frames[k].depth!.data, ids = groundTruth.frames[k].instance;
    for (let v = 0; v < H; v++)
      for (let u = 0; u < W; u++) {
        const p = v * W + u, o = ((r * H + v) * SW + u) * 3;
        const g = d[p] > 0 ? Math.max(0, Math.min(255, Math.round(255 * (1 - (d[p] - 0.5) / 4.5)))) : 0;
        const c = ids[p] ? objectColor(ids[p]) : [0, 0, 0];
        for (let ch = 0; ch < 3; ch++) {
          sheet[o + ch] = img[p * 3 + ch];
          sheet[o + 3 * W + ch] = g;
          sheet[o + 6 * W + ch] = c[ch];
        }
      }
  });
  return encodePng({ width: SW, height: SH, channels: 3, bitDepth: 8, data: sheet });
}

async function main(): Promise<void> {
  const args = parseSamplesArgs(process.argv.slice(2));
  for (const room of args.rooms) {
    const t0 = performance.now();
    const scene = loadRoom(readSemRoom(room));
    process.stderr.write(`${room}: ${scene.triangleCount} triangles, ${scene.objects.length} objects\n`);
    const capture = renderCapture(scene, {
      seed: args.seed,
      views: args.views,
      width: args.width,
      height: args.height,
      onProgress: (done, total) => process.stderr.write(`\r  rendering ${done}/${total}`),
    });
    process.stderr.write('\n  writing...');
    const dir = join(args.out, room);
    const gtDir = join(args.out, `${room}.groundtruth`);
    await clearOld(dir, 'capture.json');
    await clearOld(gtDir, 'instances.json');
    await writeSampleBundle(nodeFolderFiles(dir), nodeFolderFiles(gtDir), capture, sampleMeta(room, args));
    if (args.sheet && room === args.rooms[0]) {
      writeFileSync(args.sheet, contactSheet(capture));
      process.stderr.write(` sheet ${args.sheet};`);
    }
    process.stderr.write(` done in ${((performance.now() - t0) / 1000).toFixed(1)} s -> ${dir} (+ ${gtDir})\n`);
  }
}

if (process.argv[1] && /samples\.ts$/.test(process.argv[1]))
  main().catch((e) => {
    console.error(e instanceof Error ? `samples: ${e.message}` : e);
    process.exit(e instanceof UsageError ? 2 : 1);
  });
