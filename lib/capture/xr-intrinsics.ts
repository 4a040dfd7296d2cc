/**
 * Pinhole intrinsics <-> WebXR / three.js projection matrices.
 *
 * A WebXR view's projectionMatrix is an OpenGL clip matrix (column-major, camera looks down -z,
 * NDC y up). Built like three.js Matrix4.makePerspective(left, right, top, bottom, near, far):
 *   p[0] = 2n/(r-l)   p[8] = (r+l)/(r-l)   p[5] = 2n/(t-b)   p[9] = (t+b)/(t-b)
 * With a top-left-origin image of size W x H: l = -n cx/fx, r = n (W-cx)/fx, t = n cy/fy,
 * b = -n (H-cy)/fy, which gives
 *   fx = W/2 p[0],  cx = (1 - p[8]) W/2,  fy = H/2 p[5],  cy_top = (1 + p[9]) H/2
 * (equivalently cy_bottomleft = (1 - p[9]) H/2, flipped: cy_top = H - cy_bottomleft).
 * Checked by round-tripping through three.js's own makePerspective in tests/unit/capture.
 *
 * The viewport offset (vp.x, vp.y) only places the view in the framebuffer; the image we capture
 * for a view (camera-access texture, or a readPixels of that viewport) starts at the viewport's
 * corner, so the intrinsics are relative to the viewport and the offset does not enter them.
 */
import type { Intrinsics } from './frame';

export interface XRViewportLike {
  x: number;
  y: number;
  width: number;
  height: number;
}

export function intrinsicsFromProjection(
  projectionMatrix: ArrayLike<number>,
  viewport: XRViewportLike,
  imageSize?: { width: number; height: number },
): Intrinsics {
  const p = projectionMatrix;
  if (!p || p.length !== 16) throw new Error(`projection matrix must have 16 numbers, got ${p ? p.length : 'none'}`);
  for (let i = 0; i < 16; i++) if (!Number.isFinite(p[i])) throw new Error(`projection matrix element ${i} is not finite (${p[i]})`);
  if (!(p[0] > 0) || !(p[5] > 0)) throw new Error(`not a perspective projection (p[0]=${p[0]}, p[5]=${p[5]})`);
  // An OpenGL perspective matrix has w_clip = -z_eye.
  if (Math.abs(p[11] + 1) > 1e-6 || Math.abs(p[15]) > 1e-6)
    throw new Error(`not a perspective projection looking down -z (p[11]=${p[11]}, p[15]=${p[15]})`);
  const vw = viewport.width, vh = viewport.height;
  if (!(vw > 0) || !(vh > 0) || !Number.isFinite(vw) || !Number.isFinite(vh))
    throw new Error(`viewport size must be positive, got ${vw}x${vh}`);
  let k: Intrinsics = {
    fx: (vw / 2) * p[0],
    fy: (vh / 2) * p[5],
    cx: ((1 - p[8]) * vw) / 2,
    cy: ((1 + p[9]) * vh) / 2,
    width: vw,
    height: vh,
  };
  if (imageSize && (imageSize.width !== vw || imageSize.height !== vh)) {
    const { width, height } = imageSize;
    if (!(width > 0) || !(height > 0)) throw new Error(`image size must be positive, got ${width}x${height}`);
    const sx = width / vw, sy = height / vh;
    k = { fx: k.fx * sx, fy: k.fy * sy, cx: k.cx * sx, cy: k.cy * sy, width, height };
  }
  return k;
}

/**
 * The inverse: a column-major OpenGL projection matrix (three.js layout) for a pinhole camera,
 * e.g. to render a view that lines up pixel for pixel with a captured frame. Distortion is ignored.
 */
export function projectionFromIntrinsics(k: Intrinsics, near: number, far: number): Float64Array {
  if (!(near > 0) || !(far > near)) throw new Error(`need 0 < near < far, got near=${near} far=${far}`);
  const m = new Float64Array(16);
  m[0] = (2 * k.fx) / k.width;
  m[5] = (2 * k.fy) / k.height;
  m[8] = 1 - (2 * k.cx) / k.width;
  m[9] = (2 * k.cy) / k.height - 1;
  m[10] = -(far + near) / (far - near);
  m[11] = -1;
  m[14] = (-2 * far * near) / (far - near);
  return m;
}
