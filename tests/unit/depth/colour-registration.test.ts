import { describe, expect, it } from 'vitest';
import type { Frame } from '../../../lib/capture/frame';
import { readCaptureBundle } from '../../../lib/capture/capture-bundle';
import { nodeFolderFiles } from '../../../lib/capture/node-files';
import { applyColourRegistration, pickRegistrationKeyframes, registerColourCamera } from '../../../lib/inference/depth/colour-registration';
import { Reconstruction } from '../../../lib/pipeline/reconstruction';
import { parseSceneInfo, sceneInfoToJson } from '../../../lib/splat/scene-info';
import { defaultScene, intrinsics, pose, renderView } from './synthetic-scene';

// An RGB-D sensor whose colour camera has a shorter focal length and a shifted principal point than the depth
// camera whose intrinsics the capture ships for both (as 7-Scenes does).
const kd = intrinsics(120, 90, 110);
const kc = { ...kd, fx: 100, fy: 100, cx: 62, cy: 44 };
const poses = [pose(0, 0, 0), pose(0.1, 0.03, 0.02, 0.02), pose(0.2, -0.02, 0.05, 0.04), pose(0.3, 0.01, 0.03, 0.06)];

function rgbd(colourK = kc, ps = poses): Frame[] {
  return ps.map((p, i) => {
    const col = renderView(defaultScene, colourK, p, `f${i}`).frame;
    const dep = renderView(defaultScene, kd, p, `f${i}`).depth;
    return { ...col, intrinsics: { ...kd }, depth: { width: kd.width, height: kd.height, data: dep, intrinsics: { ...kd } } };
  });
}

describe('registerColourCamera (the pipeline stage)', () => {
  it('recovers a known focal offset and principal point shift, and applies it to every frame of that sensor', () => {
    const frames = rgbd();
    const d = registerColourCamera(frames, { stride: 2 });
    expect(d.status).toBe('applied');
    expect(1 - d.after).toBeLessThan(0.75 * (1 - d.before));
    expect(Math.abs(d.intrinsics.fx - kc.fx) / kc.fx).toBeLessThan(0.02);
    expect(Math.abs(d.intrinsics.cx - kc.cx)).toBeLessThan(1.5);
    expect(Math.abs(d.intrinsics.cy - kc.cy)).toBeLessThan(1.5);
    expect(d.given).toMatchObject({ fx: kd.fx, cx: kd.cx, cy: kd.cy });
    // Applied at another image size (the working resolution), scaled to it; the depth keeps its own camera.
    const small = { ...frames[1], image: { width: 60, height: 45, data: new Uint8Array(60 * 45 * 3) }, intrinsics: { ...kd, fx: kd.fx / 2, fy: kd.fy / 2, cx: kd.cx / 2, cy: kd.cy / 2, width: 60, height: 45 } };
    const a = applyColourRegistration(small, d);
    expect(a.intrinsics.fx).toBeCloseTo(d.intrinsics.fx / 2, 6);
    expect(a.intrinsics.cx).toBeCloseTo(d.intrinsics.cx / 2, 6);
    expect(a.depth!.intrinsics).toMatchObject({ fx: kd.fx, cx: kd.cx });
    // A frame of another camera is left alone.
    const other = { ...frames[1], intrinsics: { ...kd, fx: 80, fy: 80 } };
    expect(applyColourRegistration(other, d)).toBe(other);
  });

  it('a registered sensor (colour camera = depth camera) keeps its intrinsics', () => {
    const d = registerColourCamera(rgbd(kd), { stride: 2 });
    expect(d.status).toBe('kept');
    expect(d.intrinsics).toEqual(d.given);
    expect(d.after - d.before).toBeLessThan(0.002);
    const f = rgbd(kd)[0];
    expect(applyColourRegistration(f, d)).toBe(f);
  });

  it('the exact-depth living_room sample is left as it is', async () => {
    const b = await readCaptureBundle(nodeFolderFiles('public/samples/living_room'));
    const d = registerColourCamera(b.frames.slice(0, 12));
    expect(d.keyframes.length).toBeGreaterThanOrEqual(2);
    expect(d.status).toBe('kept');
    expect(d.intrinsics).toEqual(d.given);
    expect(d.before).toBeGreaterThan(0.9);
  });

  it('bad depth skips the stage with the reason: NaN everywhere, zeros everywhere, no baseline, no depth', () => {
    const nan = rgbd().map((f) => ({ ...f, depth: { ...f.depth!, data: new Float32Array(f.depth!.data.length).fill(NaN) } }));
    const d1 = registerColourCamera(nan);
    expect(d1.status).toBe('skipped');
    expect(d1.reason).toMatch(/too few valid depth samples .*empty or invalid/);
    expect(d1.intrinsics).toEqual(d1.given);
    const zero = rgbd().map((f) => ({ ...f, depth: { ...f.depth!, data: new Float32Array(f.depth!.data.length) } }));
    expect(registerColourCamera(zero).reason).toMatch(/too few valid depth samples/);
    const still = rgbd(kc, [pose(0, 0, 0), pose(0.001, 0, 0), pose(0.002, 0, 0)]);
    const d3 = registerColourCamera(still);
    expect(d3.status).toBe('skipped');
    expect(d3.reason).toMatch(/needs 2 keyframes .* found 1/);
    const none = rgbd().map((f) => ({ ...f, depth: undefined }));
    expect(registerColourCamera(none).reason).toMatch(/found 0/);
    expect(() => registerColourCamera([])).toThrow(/no frames/);
  });

  it('keyframes are picked by baseline from the first frames only', () => {
    const ps = [0, 0.01, 0.02, 0.06, 0.07, 0.12, 0.2, 0.3, 0.4].map((x) => pose(x, 0, 0));
    const frames = ps.map((p, i) => ({ ...renderView(defaultScene, kd, p, `k${i}`).frame, depth: { width: 4, height: 3, data: new Float32Array(12).fill(2), intrinsics: kd } }));
    expect(pickRegistrationKeyframes(frames, { keyframes: 4 }).map((f) => f.id)).toEqual(['k0', 'k3', 'k5', 'k6']);
  });
});

describe('registration in the Reconstruction', () => {
  it('is decided from the first keyframes, applied to every frame, and recorded in the report and the scene info', async () => {
    const rec = new Reconstruction({ maxSize: 0, keepWorld: true, registration: { stride: 2 } });
    await rec.addFrames(rgbd().slice(0, 3));
    const r1 = rec.report().registration!;
    expect(r1.status).toBe('applied');
    expect(r1.fromView).toBe(0);
    expect(Math.abs(r1.intrinsics.fx - kc.fx) / kc.fx).toBeLessThan(0.02);
    // A later batch gets the same colour camera without estimating again.
    await rec.addFrames(rgbd().slice(3));
    expect(rec.report().registration!.ms).toBe(r1.ms);
    for (const f of rec.frames) expect(f.intrinsics.fx).toBeCloseTo(r1.intrinsics.fx, 6);
    await rec.finalize();
    const info = parseSceneInfo('test', JSON.parse(JSON.stringify(sceneInfoToJson(rec.scene.info!))));
    expect(info.colourRegistration?.status).toBe('applied');
    expect(info.colourRegistration?.intrinsics.fx).toBeCloseTo(r1.intrinsics.fx, 3);
    expect(info.cameras[0].intrinsics.fx).toBeCloseTo(r1.intrinsics.fx, 3);
    expect(rec.report().views.every((v) => v.depthSource === 'device')).toBe(true);
  });

  it("'off' keeps the capture's intrinsics; a first batch without baseline waits for the next one", async () => {
    const off = new Reconstruction({ maxSize: 0, keepWorld: true, registration: 'off' });
    await off.addFrames(rgbd().slice(0, 2));
    expect(off.report().registration).toBeNull();
    expect(off.frames[1].intrinsics.fx).toBe(kd.fx);

    const rec = new Reconstruction({ maxSize: 0, keepWorld: true, registration: { stride: 2 } });
    await rec.addFrames(rgbd().slice(0, 1));
    expect(rec.report().registration!.status).toBe('skipped');
    await rec.addFrames(rgbd().slice(1));
    const r = rec.report().registration!;
    expect(r.status).toBe('applied');
    expect(r.fromView).toBe(1);
    expect(rec.frames[0].intrinsics.fx).toBe(kd.fx);
    expect(rec.frames[3].intrinsics.fx).toBeCloseTo(r.intrinsics.fx, 6);
  });
});
