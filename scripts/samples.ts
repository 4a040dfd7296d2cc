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

export function parseSamplesArgs(argv: string[]): SamplesArgs {
  const a: SamplesArgs = { rooms: ['living_room'], seed: 1, views: 30, width: 320, height: 240, out: 'data/samples' };
  const int = (flag: string, v: string | undefined, lo: number, hi: number) => {
    const n = Number(v);
    if (v === undefined || !Number.isInteger(n) || n < lo || n > hi) throw new Error(`${flag} needs an integer ${lo}..${hi}, got ${v}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const v = argv[i + 1];
    switch (flag) {
      case '--room':
        if (!v) throw new Error('--room needs a value');
        if (v === 'all') a.rooms = [...SEM_ROOMS];
        else if ((SEM_ROOMS as readonly string[]).includes(v)) a.rooms = [v];
        else throw new Error(`--room must be one of ${SEM_ROOMS.join(', ')} or all, got ${v}`);
        i++;
        break;
      case '--seed':
        a.seed = int(flag, v, 0, 2 ** 31 - 1);
        i++;
        break;
      case '--views':
        a.views = int(flag, v, 2, 200);
        i++;
        break;
      case '--width':
        a.width = int(flag, v, 16, 4096);
        i++;
        break;
      case '--height':
        a.height = int(flag, v, 16, 4096);
        i++;
        break;
      case '--sheet':
        if (!v) throw new Error('--sheet needs a PNG path');
        a.sheet = v;
        i++;
        break;
      case '--out':
        if (!v) throw new Error('--out needs a folder');
        a.out = v;
        i++;
        break;
      default:
        throw new Error(`unknown argument ${flag} (see the header of scripts/samples.ts)`);
    }
  }
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
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
