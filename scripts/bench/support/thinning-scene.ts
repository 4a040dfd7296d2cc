/**
 * The scene, budget, cameras and thinning methods shared by the display-thinning bench (CPU reference renders) and
 * the spark-lod bench (Spark renders in Chromium), so both score the same 200k of the same ~2M.
 *
 * Full mode: the fox as the CLI builds it by default (all 50 views, stereo, working resolution, 2M budget); the
 * scene file that `npm run bench -- --only fox-run` keeps (.bench/fox-run/default.glb) when it exists, else the same
 * reconstruction run here and kept at .bench/display-thinning/fox.glb. Quick mode: redkitchen, 10 frames at long
 * side 320, device depth, thinned to 10 %.
 *
 * Cameras: the ranking uses at most 24 capture cameras (an even spread, displayImportance's default); the scoring
 * cameras are 4 capture cameras outside that spread, so no splat is scored from a camera that ranked it.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { Reconstruction } from '../../../lib/pipeline/reconstruction';
import { displaySelection, growDisplayed, type DisplayOptions } from '../../../lib/splat/display-importance';
import { GaussianScene } from '../../../lib/splat/gaussian-scene';
import type { CaptureCamera } from '../../../lib/splat/scene-info';
import { readSceneFile, writeSceneFile } from '../../../lib/splat/scene-file';
import { loadCaptureInput } from '../../cli/load-capture';

const KITCHEN = '../shared/data/redkitchen';
const FOX = '../shared/data/fox/transforms.json';
const FOX_RUN_SCENE = '.bench/fox-run/default.glb';
const OWN_SCENE = '.bench/display-thinning/fox.glb';
export const MAX_RANKING_CAMERAS = 24;

export interface ThinningSetup {
  /** What the scene is, for table titles. */
  label: string;
  /** Where it came from (file and its time, or "reconstructed in this run"), for notes. */
  source: string;
  full: GaussianScene;
  cameras: CaptureCamera[];
  budget: number;
  /** Indices into cameras used for scoring (never in the ranking spread). */
  scoring: number[];
}

async function foxScene(): Promise<{ scene: GaussianScene; source: string }> {
  for (const f of [FOX_RUN_SCENE, OWN_SCENE])
    if (existsSync(f)) return { scene: await readSceneFile(new Uint8Array(readFileSync(f)), f), source: `${f} (written ${statSync(f).mtime.toISOString().slice(0, 16)} UTC)` };
  if (!existsSync(FOX)) throw new Error(`${FOX} not found (../shared/data/fox is the evaluation capture)`);
  const cap = await loadCaptureInput(FOX);
  // The CLI's defaults: working resolution, stereo (the fox has no device depth), 2M budget, upright world.
  const rec = new Reconstruction({ depth: { prefer: 'stereo' }, budget: 2_000_000 });
  await rec.addFrames(cap.frames);
  await rec.finalize();
  mkdirSync('.bench/display-thinning', { recursive: true });
  writeFileSync(OWN_SCENE, await writeSceneFile(rec.scene, 'glb'));
  return { scene: rec.scene, source: `reconstructed in this run (kept at ${OWN_SCENE})` };
}

export async function thinningSetup(quick: boolean): Promise<ThinningSetup> {
  let full: GaussianScene, label: string, source: string;
  if (quick) {
    if (!existsSync(KITCHEN)) throw new Error(`${KITCHEN} not found (../shared/data/redkitchen is the evaluation capture)`);
    const cap = await loadCaptureInput(KITCHEN, { views: { kind: 'count', n: 10 } });
    const rec = new Reconstruction({ maxSize: 320, depth: { prefer: 'device' }, budget: 2_000_000 });
    await rec.addFrames(cap.frames);
    await rec.finalize();
    full = rec.scene;
    label = `redkitchen, ${cap.frames.length} frames, device depth, ${rec.report().working.width}x${rec.report().working.height}`;
    source = 'reconstructed in this run';
  } else {
    ({ scene: full, source } = await foxScene());
    const k = full.info?.cameras[0]?.intrinsics;
    label = `fox, ${full.info?.cameras.length ?? 0} views as the CLI builds it by default${k ? `, ${k.width}x${k.height}` : ''}`;
  }
  const cameras = full.info?.cameras ?? [];
  if (cameras.length < 2) throw new Error(`display thinning: the scene carries ${cameras.length} capture camera(s); at least 2 are needed (one to rank, one to score)`);
  const budget = quick ? Math.round(full.count / 10) : 200_000;
  const n = cameras.length;
  const ranking = new Set(n > MAX_RANKING_CAMERAS ? Array.from({ length: MAX_RANKING_CAMERAS }, (_, k) => Math.floor((k * n) / MAX_RANKING_CAMERAS)) : cameras.map((_c, i) => i));
  let scoring = cameras.map((_c, i) => i).filter((i) => !ranking.has(i));
  if (!scoring.length) scoring = [...ranking];
  scoring = scoring.filter((_i, k) => k % Math.max(1, Math.floor(scoring.length / 4)) === 0).slice(0, 4);
  return { label, source, full, cameras, budget, scoring };
}

export interface ThinningMethod {
  key: string;
  name: string;
  opts: (cameras: readonly CaptureCamera[]) => DisplayOptions;
  grow: boolean;
}

/** The first is the baseline; 'uniform-grown' is thinForDisplay's default (lib/web/scene-build.ts). */
export const METHODS: ThinningMethod[] = [
  { key: 'uniform', name: 'uniform, not grown (old) [baseline]', opts: () => ({ method: 'uniform' }), grow: false },
  { key: 'uniform-grown', name: 'uniform, kept splats grown to cover (default)', opts: () => ({ method: 'uniform' }), grow: true },
  { key: 'ranked-grown', name: 'ranked by opacity x projected area, grown', opts: (cameras) => ({ method: 'ranked', cameras, maxCameras: MAX_RANKING_CAMERAS }), grow: true },
  { key: 'ranked', name: 'ranked, not grown', opts: (cameras) => ({ method: 'ranked', cameras, maxCameras: MAX_RANKING_CAMERAS }), grow: false },
  { key: 'footprint-grown', name: 'ranked by opacity x world footprint (no cameras), grown', opts: () => ({ method: 'ranked' }), grow: true },
];

function copyScene(s: GaussianScene): GaussianScene {
  const c = new GaussianScene({ budget: Math.max(1, s.count), initialCapacity: Math.max(1, s.count), bankDim: 1 });
  c.count = s.count;
  c.positions.set(s.positions.subarray(0, 3 * s.count));
  c.scales.set(s.scales.subarray(0, 3 * s.count));
  c.rotations.set(s.rotations.subarray(0, 4 * s.count));
  c.opacities.set(s.opacities.subarray(0, s.count));
  c.colors.set(s.colors.subarray(0, 3 * s.count));
  return c;
}

/** The thinned copy of setup.full by one method, and the selection's time (ms, ranking included). */
export function thinned(setup: ThinningSetup, m: ThinningMethod): { scene: GaussianScene; ms: number } {
  const t0 = performance.now();
  const { keep, represents } = displaySelection(setup.full, setup.budget, m.opts(setup.cameras));
  const ms = performance.now() - t0;
  const thin = copyScene(setup.full);
  const rep = represents.filter((_r, i) => keep[i] === 1);
  thin.compact(keep);
  if (m.grow) growDisplayed(thin.scales, rep, thin.count);
  return { scene: thin, ms };
}
