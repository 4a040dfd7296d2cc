/**
 * FastDepth (public/models/fastdepth_7.onnx, onnxruntime-web wasm) as the scan's single-view depth
 * fallback, loaded on first use: a scan with device depth or a second view never pays for the 14 MB
 * runtime. Input "0" [1,3,224,224] RGB 0..1, output [1,1,224,224] metres (docs/DEPTH.md); the output is
 * resized to the image. The DepthEstimator fits its scale and shift to stereo when stereo exists.
 */
import type { RgbImage } from '../../capture/frame';
import type { MonocularDepthModel } from '../../inference/depth/depth-source';
import { resizeDepth } from '../../inference/models/fastdepth';
import { createSession, loadOrt } from '../ort-web';

export const FASTDEPTH_MODEL_URL = '/models/fastdepth_7.onnx';
const SIZE = 224;

/** Bilinear resample of an RGB8 image to SIZE x SIZE planar float 0..1 (CHW). */
export function fastDepthInput(img: RgbImage): Float32Array {
  const plane = SIZE * SIZE;
  const out = new Float32Array(3 * plane);
  const sx = img.width / SIZE, sy = img.height / SIZE;
  for (let v = 0; v < SIZE; v++) {
    const gy = Math.min(Math.max((v + 0.5) * sy - 0.5, 0), img.height - 1);
    const y0 = Math.floor(gy), y1 = Math.min(y0 + 1, img.height - 1), fy = gy - y0;
    for (let u = 0; u < SIZE; u++) {
      const gx = Math.min(Math.max((u + 0.5) * sx - 0.5, 0), img.width - 1);
      const x0 = Math.floor(gx), x1 = Math.min(x0 + 1, img.width - 1), fx = gx - x0;
      for (let c = 0; c < 3; c++) {
        const a = img.data[3 * (y0 * img.width + x0) + c], b = img.data[3 * (y0 * img.width + x1) + c];
        const d = img.data[3 * (y1 * img.width + x0) + c], e = img.data[3 * (y1 * img.width + x1) + c];
        out[c * plane + v * SIZE + u] = ((a + (b - a) * fx) * (1 - fy) + (d + (e - d) * fx) * fy) / 255;
      }
    }
  }
  return out;
}

export function lazyFastDepth(url = FASTDEPTH_MODEL_URL): MonocularDepthModel {
  let session: ReturnType<typeof createSession> | null = null;
  return {
    id: 'fastdepth',
    async estimate(image: RgbImage) {
      if (!session) {
        session = (async () => {
          const res = await fetch(new URL(url, globalThis.location.href).href);
          if (!res.ok) throw new Error(`FastDepth model not found at ${url} (HTTP ${res.status})`);
          return createSession('wasm', new Uint8Array(await res.arrayBuffer()));
        })();
        session.catch(() => (session = null));
      }
      const s = await session;
      const ort = await loadOrt('wasm');
      const result = await s.run({ [s.inputNames[0]]: new ort.Tensor('float32', fastDepthInput(image), [1, 3, SIZE, SIZE]) });
      const data = (await result[s.outputNames[0]].getData()) as Float32Array;
      if (data.length < SIZE * SIZE) throw new Error(`FastDepth output has ${data.length} values, expected ${SIZE * SIZE}`);
      return resizeDepth({ width: SIZE, height: SIZE, data: new Float32Array(data.subarray(0, SIZE * SIZE)) }, image.width, image.height);
    },
  };
}
