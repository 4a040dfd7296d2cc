import { describe, expect, it } from 'vitest';
import { parseXrEmulationFlag } from '../../../lib/web/xr-emulation';
import { immersiveArSessionInit, XR_OPTIONAL_FEATURES } from '../../../lib/web/xr-session-init';

describe('immersiveArSessionInit', () => {
  it('requires only local-floor and lists every capture feature as optional', () => {
    const init = immersiveArSessionInit();
    expect(init.requiredFeatures).toEqual(['local-floor']);
    for (const f of ['camera-access', 'depth-sensing', 'hit-test', 'anchors', 'dom-overlay', 'plane-detection', 'mesh-detection', 'hand-tracking'])
      expect(init.optionalFeatures).toContain(f);
    expect(init.optionalFeatures).toHaveLength(XR_OPTIONAL_FEATURES.length);
  });

  it('asks for CPU float depth first and uses the spec name dataFormatPreference', () => {
    const init = immersiveArSessionInit();
    expect(init.depthSensing).toEqual({ usagePreference: ['cpu-optimized', 'gpu-optimized'], dataFormatPreference: ['float32', 'luminance-alpha'] });
  });

  it('leaves depth sensing out when asked (the test camera brings its own depth), and nothing else', () => {
    const init = immersiveArSessionInit(null, { depthSensing: false });
    expect(init.optionalFeatures).not.toContain('depth-sensing');
    expect(init.optionalFeatures).toEqual(XR_OPTIONAL_FEATURES.filter((f) => f !== 'depth-sensing'));
    expect(init.depthSensing).toBeUndefined();
    expect(init.requiredFeatures).toEqual(['local-floor']);
  });

  it('adds a dom overlay only with a root, and returns fresh arrays each time', () => {
    expect(immersiveArSessionInit().domOverlay).toBeUndefined();
    const root = {} as Element;
    expect(immersiveArSessionInit(root).domOverlay).toEqual({ root });
    const a = immersiveArSessionInit();
    a.optionalFeatures!.push('x');
    expect(immersiveArSessionInit().optionalFeatures).not.toContain('x');
  });
});

describe('parseXrEmulationFlag', () => {
  it('is off without the flag', () => {
    expect(parseXrEmulationFlag('')).toBeNull();
    expect(parseXrEmulationFlag('?room=living_room')).toBeNull();
  });
  it('reads device and room', () => {
    expect(parseXrEmulationFlag('?xr-emulate=quest3&room=living_room')).toEqual({ device: 'quest3', room: 'living_room' });
    expect(parseXrEmulationFlag('?xr-emulate=quest3')).toEqual({ device: 'quest3', room: null });
    expect(parseXrEmulationFlag('?xr-emulate=quest3&room=none')).toEqual({ device: 'quest3', room: null });
  });
  it('rejects unknown devices and rooms by name', () => {
    expect(() => parseXrEmulationFlag('?xr-emulate=vive')).toThrow(/only "quest3"/);
    expect(() => parseXrEmulationFlag('?xr-emulate=quest3&room=../../etc')).toThrow(/unknown room/);
  });
});
