/**
 * The one data contract every stage shares: a posed RGB frame, optionally with metric depth.
 *
 * Conventions (fixed everywhere in SegSplat XR):
 * - metres; world frame right-handed, y up (WebXR local-floor);
 * - camera-to-world is a 4x4 column-major matrix like three.js `Matrix4.elements`;
 *   the camera looks down its -z axis with +y up and +x right (OpenGL / NeRF convention);
 * - images are row-major with the origin at the top-left pixel; pixel (u, v) has its centre at
 *   (u + 0.5, v + 0.5) in the continuous coordinates that fx, fy, cx, cy refer to;
 * - intrinsics are in pixels of the image they describe (they carry that image's width/height).
 */

/** Brown-Conrady radial-tangential distortion (OpenCV / COLMAP OPENCV model). */
export interface Distortion {
  k1: number;
  k2: number;
  p1: number;
  p2: number;
  k3?: number;
}

export interface Intrinsics {
  fx: number;
  fy: number;
  cx: number;
  cy: number;
  /** Size of the image these intrinsics describe, in pixels. */
  width: number;
  height: number;
  distortion?: Distortion;
}

/** 8-bit RGB, 3 bytes per pixel, row-major, top-left origin. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Metric depth along the camera's -z axis (not ray length). 0 or non-finite = no measurement. */
export interface DepthMap {
  width: number;
  height: number;
  data: Float32Array;
  /** Intrinsics of the depth image itself (device depth often has its own resolution). */
  intrinsics: Intrinsics;
  /** Optional per-pixel confidence 0..1, same size as data. */
  confidence?: Float32Array;
}

export interface Frame {
  /** Stable id within a capture (file stem, keyframe counter...). */
  id: string;
  image: RgbImage;
  intrinsics: Intrinsics;
  /** Camera-to-world, column-major 4x4 (16 numbers). */
  cameraToWorld: Float64Array;
  /** Milliseconds; capture clock (performance.now() / XRFrame time or file order). */
  timestamp: number;
  depth?: DepthMap;
  /** True when the pose was interpolated rather than measured with the image (Quest passthrough). */
  approxPose?: boolean;
}

/** Scale intrinsics to another resolution of the same image (e.g. a 1/4 downsample). */
export function scaleIntrinsics(k: Intrinsics, width: number, height: number): Intrinsics {
  const sx = width / k.width;
  const sy = height / k.height;
  return {
    fx: k.fx * sx,
    fy: k.fy * sy,
    cx: k.cx * sx,
    cy: k.cy * sy,
    width,
    height,
    distortion: k.distortion ? { ...k.distortion } : undefined,
  };
}
