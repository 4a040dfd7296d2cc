/**
 * Reading one keyframe out of a WebXR frame (browser only):
 * - the camera image through WebXR raw camera access: XRWebGLBinding.getCameraImage(view.camera)
 *   gives a texture, attached to a framebuffer and read back with readPixels; WebGL rows start at the
 *   bottom, so they are flipped to the top-left origin every lib/ image uses;
 * - intrinsics from the view's projection matrix with the viewport rescaled to the camera image size
 *   (lib/capture/xr-intrinsics.ts);
 * - CPU depth (depth-sensing, cpu-optimized) resampled onto a grid over the view, through the
 *   depth buffer's normDepthBufferFromNormView transform, so the DepthMap carries the image's own
 *   intrinsics scaled to the depth grid.
 */
import type { DepthMap, Intrinsics, RgbImage } from '../../capture/frame';
import { scaleIntrinsics } from '../../capture/frame';

interface XRCameraLike {
  width: number;
  height: number;
}
type ViewWithCamera = XRView & { camera?: XRCameraLike };
interface BindingLike {
  getCameraImage(camera: XRCameraLike): WebGLTexture | null;
}

/** True when the view exposes a camera image (camera-access granted and supported). */
export function viewHasCamera(view: XRView): boolean {
  return Boolean((view as ViewWithCamera).camera);
}

export class XrCameraReader {
  private readonly binding: BindingLike;
  private fb: WebGLFramebuffer | null = null;
  private rgba = new Uint8Array(0);

  constructor(
    private readonly gl: WebGL2RenderingContext,
    session: XRSession,
  ) {
    const Ctor = (globalThis as unknown as { XRWebGLBinding?: new (s: XRSession, g: WebGL2RenderingContext) => BindingLike }).XRWebGLBinding;
    if (!Ctor) throw new Error('this browser has no XRWebGLBinding: WebXR camera access is not available');
    this.binding = new Ctor(session, gl);
  }

  /** The view's camera image as top-left-origin RGB, or null when there is none this frame. */
  read(view: XRView): RgbImage | null {
    const cam = (view as ViewWithCamera).camera;
    if (!cam) return null;
    const tex = this.binding.getCameraImage(cam);
    if (!tex) return null;
    const gl = this.gl;
    const { width: W, height: H } = cam;
    const prevFb = gl.getParameter(gl.FRAMEBUFFER_BINDING) as WebGLFramebuffer | null;
    this.fb ??= gl.createFramebuffer();
    gl.bindFramebuffer(gl.FRAMEBUFFER, this.fb);
    gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, tex, 0);
    if (this.rgba.length !== W * H * 4) this.rgba = new Uint8Array(W * H * 4);
    gl.readPixels(0, 0, W, H, gl.RGBA, gl.UNSIGNED_BYTE, this.rgba);
    gl.bindFramebuffer(gl.FRAMEBUFFER, prevFb);
    return rgbaToRgbFlipped(this.rgba, W, H);
  }
}

/** RGBA rows bottom-up (WebGL) -> RGB rows top-down. */
export function rgbaToRgbFlipped(rgba: Uint8Array, W: number, H: number): RgbImage {
  if (rgba.length < W * H * 4) throw new Error(`rgbaToRgbFlipped: ${rgba.length} bytes for ${W}x${H}`);
  const out = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    const src = (H - 1 - y) * W * 4;
    const dst = y * W * 3;
    for (let x = 0; x < W; x++) {
      out[dst + 3 * x] = rgba[src + 4 * x];
      out[dst + 3 * x + 1] = rgba[src + 4 * x + 1];
      out[dst + 3 * x + 2] = rgba[src + 4 * x + 2];
    }
  }
  return { width: W, height: H, data: out };
}

interface CpuDepthLike {
  width: number;
  height: number;
  rawValueToMeters: number;
  data: ArrayBuffer;
  normDepthBufferFromNormView: { matrix: Float32Array };
}

/**
 * Samples a depth buffer onto a grid of the image's aspect: pixel (u, v) of the grid is the
 * normalised view point ((u + .5)/gw, (v + .5)/gh) (top-left origin, like the spec's normalised view
 * coordinates), mapped by normDepthBufferFromNormView into the buffer, nearest sample.
 * `format`: 'float32' or 'luminance-alpha' (uint16 raw values).
 */
export function depthMapFromCpuDepth(info: CpuDepthLike, format: string, imageIntrinsics: Intrinsics, gridWidth?: number): DepthMap {
  const gw = gridWidth ?? Math.min(info.width, imageIntrinsics.width);
  const gh = Math.max(1, Math.round((gw * imageIntrinsics.height) / imageIntrinsics.width));
  const src = format === 'float32' ? new Float32Array(info.data) : new Uint16Array(info.data);
  if (src.length < info.width * info.height) throw new Error(`depth buffer has ${src.length} values for ${info.width}x${info.height}`);
  const m = info.normDepthBufferFromNormView.matrix;
  const data = new Float32Array(gw * gh);
  for (let v = 0; v < gh; v++)
    for (let u = 0; u < gw; u++) {
      const nx = (u + 0.5) / gw, ny = (v + 0.5) / gh;
      const dx = m[0] * nx + m[4] * ny + m[12];
      const dy = m[1] * nx + m[5] * ny + m[13];
      const bx = Math.floor(dx * info.width), by = Math.floor(dy * info.height);
      if (bx < 0 || by < 0 || bx >= info.width || by >= info.height) continue;
      const d = src[by * info.width + bx] * info.rawValueToMeters;
      data[v * gw + u] = Number.isFinite(d) && d > 0 ? d : 0;
    }
  return { width: gw, height: gh, data, intrinsics: scaleIntrinsics(imageIntrinsics, gw, gh) };
}

/** CPU depth of this view when the session granted cpu-optimized depth sensing, else null. */
export function readCpuDepth(frame: XRFrame, view: XRView, session: XRSession, imageIntrinsics: Intrinsics): DepthMap | null {
  const s = session as XRSession & { depthUsage?: string; depthDataFormat?: string };
  if (s.depthUsage !== 'cpu-optimized') return null;
  const get = (frame as XRFrame & { getDepthInformation?: (v: XRView) => CpuDepthLike | null }).getDepthInformation;
  if (!get) return null;
  try {
    const info = get.call(frame, view);
    return info ? depthMapFromCpuDepth(info, s.depthDataFormat ?? 'luminance-alpha', imageIntrinsics) : null;
  } catch {
    // Depth is not available every frame (warming up, tracking loss): this keyframe goes without.
    return null;
  }
}
