/**
 * Browser side of scripts/bench/spark-lod.ts (bundled with esbuild, no app build): loads Gaussian arrays into
 * Spark PackedSplats the way the viewer does (lib/web/spark-splats.ts), builds Spark's level of detail
 * (PackedSplats.createLodSplats) and renders a set from capture cameras with Spark into an offscreen canvas,
 * with or without LoD (SparkRenderer lodSplatCount), returning the pixels.
 *
 * Spark draws nothing until its worker's sort arrives, and with LoD only after the worker's tree traversal for
 * this viewpoint: the page drives Spark's update (no draw) until both are for this camera, then a render counts
 * once two consecutive frames are identical.
 */
import * as THREE from 'three';
import { PackedSplats, SparkRenderer, SplatMesh } from '@sparkjsdev/spark';
import { packedSplatsFromArrays } from '../../../lib/web/spark-splats';

export interface SparkCamera {
  cameraToWorld: number[];
  fy: number;
  height: number;
}

export interface SparkRenderResult {
  /** RGB bytes per image, row 0 at the top, base64. */
  images: string[];
  /** Splats Spark drew per image (the LoD's pick, or the set's count). */
  drawn: number[];
  /** Wall ms until each image settled (sort and LoD for that camera). */
  settleMs: number[];
  /** Frames drawn per image until two consecutive ones agreed. */
  frames: number[];
}

const sets = new Map<string, PackedSplats>();
let renderer: THREE.WebGLRenderer | null = null;

/** Fetches a set written by the bench (u32 count, then positions, scales, rotations, opacities, colours as f32). */
async function sparkLoad(url: string, key: string): Promise<{ count: number; ms: number }> {
  const t0 = performance.now();
  const buf = await (await fetch(url)).arrayBuffer();
  const n = new Uint32Array(buf, 0, 1)[0];
  let o = 4;
  const take = (k: number) => {
    const a = new Float32Array(buf, o, n * k);
    o += 4 * n * k;
    return a;
  };
  const positions = take(3), scales = take(3), rotations = take(4), opacities = take(1), colors = take(3);
  sets.get(key)?.dispose();
  sets.set(key, packedSplatsFromArrays({ count: n, positions, scales, rotations, opacities, colors, semantic: new Uint16Array(n) }));
  return { count: n, ms: performance.now() - t0 };
}

/** Builds Spark's LoD tree for a loaded set (in Spark's worker, wasm); returns its time and the tree's splat count. */
async function sparkBuildLod(key: string, quality: boolean): Promise<{ ms: number; lodSplats: number }> {
  const packed = sets.get(key);
  if (!packed) throw new Error(`sparkBuildLod: no set "${key}" loaded`);
  const t0 = performance.now();
  await packed.createLodSplats({ quality });
  return { ms: performance.now() - t0, lodSplats: packed.lodSplats?.numSplats ?? 0 };
}

const bytesToBase64 = (b: Uint8Array) => {
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(s);
};

/** Renders set `key` from each camera at W x H; `lodSplatCount` turns Spark's LoD on with that target. */
async function sparkRender(key: string, cameras: SparkCamera[], W: number, H: number, lodSplatCount: number | null): Promise<SparkRenderResult> {
  const packed = sets.get(key);
  if (!packed) throw new Error(`sparkRender: no set "${key}" loaded`);
  if (lodSplatCount !== null && !packed.lodSplats) throw new Error(`sparkRender: set "${key}" has no LoD (call sparkBuildLod first)`);
  // One WebGL context for the page (SwiftShader contexts are costly); the sets' textures live in it.
  if (!renderer) {
    const canvas = document.createElement('canvas');
    renderer = new THREE.WebGLRenderer({ canvas, antialias: false, preserveDrawingBuffer: true });
    renderer.setPixelRatio(1);
    renderer.setClearColor(0x000000, 1);
  }
  renderer.setSize(W, H, false);
  const scene = new THREE.Scene();
  const spark = new SparkRenderer({ renderer, enableLod: lodSplatCount !== null, lodSplatCount: lodSplatCount ?? undefined });
  scene.add(spark);
  const mesh = lodSplatCount !== null ? new SplatMesh({ packedSplats: packed }) : new SplatMesh({ packedSplats: packed, lod: false });
  scene.add(mesh);
  const gl = renderer.getContext();
  const rgba = new Uint8Array(W * H * 4);
  const read = () => {
    gl.readPixels(0, 0, W, H, gl.RGBA, gl.UNSIGNED_BYTE, rgba);
    const rgb = new Uint8Array(W * H * 3);
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const s = 4 * ((H - 1 - y) * W + x), d = 3 * (y * W + x);
        rgb[d] = rgba[s];
        rgb[d + 1] = rgba[s + 1];
        rgb[d + 2] = rgba[s + 2];
      }
    return rgb;
  };
  const out: SparkRenderResult = { images: [], drawn: [], settleMs: [], frames: [] };
  try {
    // The first image a new SparkRenderer settles with LoD on comes out wrong (about 12 dB where the same camera
    // scores 30 dB when it is not first; seen on the synthetic smoke scene and the fox): with LoD, a first untimed
    // pass from the last camera primes the traversal and is dropped.
    const prime = lodSplatCount !== null && cameras.length > 1;
    for (const [k, c] of (prime ? [cameras[cameras.length - 1], ...cameras] : cameras).entries()) {
      // Capture cameras look down -z with y up, as three's do; the principal point is taken as centred.
      const camera = new THREE.PerspectiveCamera((2 * Math.atan(c.height / 2 / c.fy) * 180) / Math.PI, W / H, 0.01, 1000);
      new THREE.Matrix4().fromArray(c.cameraToWorld).decompose(camera.position, camera.quaternion, camera.scale);
      camera.updateMatrixWorld(true);
      const t0 = performance.now();
      // Drive Spark's generate, LoD traversal and sort for this camera without drawing (on SwiftShader one draw
      // of ~1M splats costs tens of seconds, the update pass a fraction): the update render() schedules itself,
      // which regenerates only when the view or the LoD changed. Ready once an update generated nothing new and
      // the sort (and for LoD the traversal) is for this camera; then two consecutive identical frames count.
      spark.renderSize.set(W, H);
      const lodHere = () => lodSplatCount === null || (!!spark.currentLod && spark.currentLod.pos.distanceTo(camera.position) < 1e-3 && !!spark.lodInstances.get(mesh));
      // A traversal can land between an update and the check, so ready needs two quiet updates in a row.
      const ready = async () => {
        for (let u = 0, quiet = 0; u < 3000; u++) {
          const cur = spark.current, version = cur.version, lod = spark.lodInstances.get(mesh);
          await drive({ scene, camera, autoUpdate: true });
          await new Promise((r) => setTimeout(r, 20));
          const generated = spark.current !== cur || cur.version !== version || spark.lodInstances.get(mesh) !== lod;
          const here = !generated && !spark.sorting && !spark.sortDirty && spark.sortedCenter.distanceTo(camera.position) < 1e-3 && lodHere();
          quiet = here ? quiet + 1 : 0;
          if (quiet >= 2) return true;
        }
        return false;
      };
      const drive = (spark as unknown as { updateInternal: (a: { scene: THREE.Scene; camera: THREE.Camera; autoUpdate: boolean }) => Promise<void> }).updateInternal.bind(spark);
      let last: Uint8Array | null = null;
      let img: Uint8Array | null = null;
      let frames = 0;
      for (; frames < 20 && !img; frames++) {
        if (!(await ready())) break;
        renderer.render(scene, camera);
        const px = read();
        const blank = !px.some((v) => v > 0);
        if (!blank && last && px.every((v, i) => v === last![i]) && (await ready())) img = px;
        last = px;
      }
      if (!img) throw new Error(`sparkRender: Spark did not settle for camera ${out.images.length} of "${key}" in ${frames} frames (sorting ${spark.sorting}, LoD ${spark.currentLod ? 'traversed' : 'not traversed'})`);
      if (prime && k === 0) continue;
      out.images.push(bytesToBase64(img));
      out.drawn.push(lodSplatCount !== null ? (spark.lodInstances.get(mesh)?.numSplats ?? 0) : packed.numSplats);
      out.settleMs.push(performance.now() - t0);
      out.frames.push(frames);
    }
  } finally {
    // Not mesh.dispose(): it would dispose the set's PackedSplats, which later renders reuse.
    scene.remove(mesh);
    scene.remove(spark);
    spark.dispose();
  }
  return out;
}

/** Frees a set (its arrays, textures and LoD). */
function sparkDrop(key: string): void {
  sets.get(key)?.disposeLodSplats();
  sets.get(key)?.dispose();
  sets.delete(key);
}

Object.assign(globalThis, { sparkLoad, sparkBuildLod, sparkRender, sparkDrop });
