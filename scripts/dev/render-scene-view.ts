/**
 * Renders a scene file from one of its capture cameras with the CPU reference renderer (a look at a CLI output):
 *   npx tsx scripts/dev/render-scene-view.ts <scene.glb|.sgsc> <camera index> <out.png> [width=320]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { readSceneFile } from '../../lib/splat/scene-file';
import { renderGaussians } from '../../lib/splat/cpu-renderer';
import { encodePng } from '../../lib/capture/png';
import { scaleIntrinsics } from '../../lib/capture/frame';
async function main() {
  const [file, camIdx, out, w] = process.argv.slice(2);
  const scene = await readSceneFile(new Uint8Array(readFileSync(file)), file);
  const cam = scene.info!.cameras[Number(camIdx)];
  const W = Number(w ?? 320);
  const k = scaleIntrinsics(cam.intrinsics as never, W, Math.round((W * cam.intrinsics.height) / cam.intrinsics.width));
  const r = renderGaussians(scene, { intrinsics: k, cameraToWorld: cam.cameraToWorld }, { uint8: true, semantics: false });
  writeFileSync(out, encodePng({ width: r.width, height: r.height, channels: 3, bitDepth: 8, data: r.colorU8! }));
  console.log(scene.count, r.width, r.height);
}
main();
