/** Orbit-camera helpers for the non-XR scene view (three.js OrbitControls). */
import { PerspectiveCamera, type Camera } from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import type { CameraHome } from './camera-home';

export function createOrbitControls(camera: Camera, dom: HTMLElement): OrbitControls {
  const c = new OrbitControls(camera, dom);
  c.enableDamping = true;
  c.dampingFactor = 0.15;
  return c;
}

/** Puts the camera at a capture frame's viewpoint (pose, up and vertical field of view). */
export function applyCameraHome(camera: Camera, controls: OrbitControls, home: CameraHome): void {
  camera.position.set(...home.position);
  camera.up.set(...home.up);
  if (camera instanceof PerspectiveCamera) {
    camera.fov = home.fovYDeg;
    camera.near = 0.01;
    camera.far = 200;
    camera.updateProjectionMatrix();
  }
  controls.target.set(...home.target);
  controls.update();
}
