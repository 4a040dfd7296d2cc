/**
 * WebXR session-init objects for the two immersive entry points.
 *
 * @react-three/xr's `customSessionInit` replaces its whole generated init (platform.md), so every
 * feature we want is listed here explicitly. Everything except the reference space is optional:
 * Quest 3 (and the iwer emulator) reject camera-access and dom-overlay, Android Chrome lacks
 * plane/mesh detection and hand tracking, and a rejected optional feature must never fail the session.
 */

/** Depth sensing preferences: CPU-readable float depth first (Android scanning), GPU (Quest) second. */
export const DEPTH_SENSING_INIT: XRDepthStateInit = {
  usagePreference: ['cpu-optimized', 'gpu-optimized'],
  dataFormatPreference: ['float32', 'luminance-alpha'],
};

/** Every optional feature, in a fixed order (also shown in the UI and asserted by tests). */
export const XR_OPTIONAL_FEATURES = [
  'camera-access',
  'depth-sensing',
  'hit-test',
  'anchors',
  'dom-overlay',
  'plane-detection',
  'mesh-detection',
  'hand-tracking',
] as const;

export const XR_REQUIRED_FEATURES = ['local-floor'] as const;

/**
 * Session init for `/scan` (phone capture) and `/view` (headset viewing): both ask for the same
 * set, the device grants what it has. `domOverlayRoot` is attached only when given, because the
 * spec requires a root element whenever `domOverlay` is present.
 *
 * `depthSensing: false` leaves depth sensing out: the scan's TEST-ONLY camera (?test-camera=sim) brings
 * its own depth and never reads the device's, while a granted depth-sensing feature makes the emulator
 * render and synchronously read back a depth image per eye every XR frame (@iwer/sem computeDepthBuffer),
 * the main thread waiting for the GPU each time (docs/SCAN.md "Main thread during the live scan").
 */
export function immersiveArSessionInit(domOverlayRoot?: Element | null, opts: { depthSensing?: boolean } = {}): XRSessionInit {
  const depth = opts.depthSensing ?? true;
  const init: XRSessionInit = {
    requiredFeatures: [...XR_REQUIRED_FEATURES],
    optionalFeatures: depth ? [...XR_OPTIONAL_FEATURES] : XR_OPTIONAL_FEATURES.filter((f) => f !== 'depth-sensing'),
  };
  if (depth)
    init.depthSensing = {
      usagePreference: [...DEPTH_SENSING_INIT.usagePreference],
      dataFormatPreference: [...DEPTH_SENSING_INIT.dataFormatPreference],
    };
  if (domOverlayRoot) init.domOverlay = { root: domOverlayRoot };
  return init;
}
