'use client';
/** OrbitControls for the non-XR view; jumps to `home` (a capture frame's viewpoint) when it changes. */
import { useFrame, useThree } from '@react-three/fiber';
import { useEffect, useRef } from 'react';
import type { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import type { CameraHome } from '@/lib/web/camera-home';
import { applyCameraHome, createOrbitControls } from '@/lib/web/orbit-camera';

export function OrbitRig({ home, enabled = true }: { home: CameraHome | null; enabled?: boolean }) {
  const camera = useThree((s) => s.camera);
  const gl = useThree((s) => s.gl);
  const invalidate = useThree((s) => s.invalidate);
  const ref = useRef<OrbitControls | null>(null);
  useEffect(() => {
    const c = createOrbitControls(camera, gl.domElement);
    ref.current = c;
    // On-demand rendering: every camera change (drag, zoom, damping) asks for the next frame.
    const onChange = () => invalidate();
    c.addEventListener('change', onChange);
    return () => {
      c.removeEventListener('change', onChange);
      c.dispose();
      ref.current = null;
    };
  }, [camera, gl, invalidate]);
  useEffect(() => {
    if (ref.current) ref.current.enabled = enabled;
  }, [enabled]);
  useEffect(() => {
    if (home && ref.current) applyCameraHome(camera, ref.current, home);
    invalidate();
  }, [camera, home, invalidate]);
  useFrame(() => {
    if (enabled) ref.current?.update();
  });
  return null;
}
