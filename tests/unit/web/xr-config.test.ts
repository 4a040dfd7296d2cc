import { describe, expect, it } from 'vitest';
import { parseXrEmulationFlag, shadowClearValues } from '../../../lib/web/xr-emulation';
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
  it('reads the bench baseline flag emulator-readbacks=on, and refuses other values', () => {
    expect(parseXrEmulationFlag('?xr-emulate=quest3&room=living_room&emulator-readbacks=on')).toEqual({ device: 'quest3', room: 'living_room', readbacks: true });
    expect(() => parseXrEmulationFlag('?xr-emulate=quest3&emulator-readbacks=yes')).toThrow(/emulator-readbacks=yes: only "on"/);
  });
  it('rejects unknown devices and rooms by name', () => {
    expect(() => parseXrEmulationFlag('?xr-emulate=vive')).toThrow(/only "quest3"/);
    expect(() => parseXrEmulationFlag('?xr-emulate=quest3&room=../../etc')).toThrow(/unknown room/);
  });
});

describe('shadowClearValues (emulator only)', () => {
  // A stand-in context: every getParameter is a round trip to the "GPU", counted.
  class FakeGl {
    roundTrips = 0;
    lost = false;
    state = { color: new Float32Array([0.1, 0.2, 0.3, 1]), depth: 0.5, stencil: 3, other: 42 };
    clearColor(r: number, g: number, b: number, a: number) {
      this.state.color = new Float32Array([r, g, b, a]);
    }
    clearDepth(d: number) {
      this.state.depth = d;
    }
    clearStencil(s: number) {
      this.state.stencil = s;
    }
    isContextLost() {
      return this.lost;
    }
    getParameter(p: number): unknown {
      this.roundTrips++;
      return p === 0x0c22 ? this.state.color.slice() : p === 0x0b73 ? this.state.depth : p === 0x0b91 ? this.state.stencil : this.state.other;
    }
  }
  shadowClearValues(FakeGl.prototype as unknown as WebGL2RenderingContext);
  shadowClearValues(FakeGl.prototype as unknown as WebGL2RenderingContext); // twice is once

  // iwer's frame start: read the three values, clear with its own, restore the read ones.
  const iwerFrameStart = (gl: FakeGl) => {
    const c = gl.getParameter(0x0c22) as Float32Array, d = gl.getParameter(0x0b73) as number, s = gl.getParameter(0x0b91) as number;
    gl.clearColor(0, 0, 0, 0);
    gl.clearDepth(1);
    gl.clearStencil(0);
    gl.clearColor(c[0], c[1], c[2], c[3]);
    gl.clearDepth(d);
    gl.clearStencil(s);
  };

  it('answers the clear values without a round trip after one read of what the context had, and restores them exactly', () => {
    const gl = new FakeGl();
    iwerFrameStart(gl);
    const seeded = gl.roundTrips;
    expect(seeded).toBe(3); // the values set before the shadow existed, read once
    for (let i = 0; i < 10; i++) iwerFrameStart(gl);
    expect(gl.roundTrips).toBe(seeded);
    expect(Array.from(gl.state.color)).toEqual(Array.from(new Float32Array([0.1, 0.2, 0.3, 1])));
    expect(gl.state.depth).toBe(0.5);
    expect(gl.state.stencil).toBe(3);
    gl.clearColor(1, 0, 0, 1);
    gl.clearDepth(2); // GL clamps to [0, 1]
    expect(Array.from(gl.getParameter(0x0c22) as Float32Array)).toEqual([1, 0, 0, 1]);
    expect(gl.getParameter(0x0b73)).toBe(1);
    expect(gl.roundTrips).toBe(seeded);
  });

  it('passes every other parameter, and a lost context, through to the context', () => {
    const gl = new FakeGl();
    expect(gl.getParameter(0x1f00)).toBe(42);
    expect(gl.roundTrips).toBe(1);
    gl.lost = true;
    gl.getParameter(0x0c22);
    expect(gl.roundTrips).toBe(2);
  });
});
