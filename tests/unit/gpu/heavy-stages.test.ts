/**
 * HeavyStages without a WebGPU adapter (Node has no navigator.gpu): every stage runs the CPU
 * reference, says so and why; bad input is the caller's error on either backend. The WebGPU side is
 * checked against the CPU in headless Chromium (tests/browser/webgpu-gaussians.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { HeavyStages } from '../../../lib/gpu/heavy-stages';
import { requestGpuDevice } from '../../../lib/gpu/gpu-device';
import { GaussianScene } from '../../../lib/splat/gaussian-scene';
import { gaussiansFromDepth } from '../../../lib/splat/gaussians-from-depth';
import { planeSweep, planeSweepSteps, planeSweepWith, sweepTiles, type SweepRequest } from '../../../lib/inference/depth/plane-sweep';
import { conditionSensorDepth } from '../../../lib/inference/depth/depth-conditioning';
import { describeBackends } from '../../../lib/gpu/stage-report';
import { makeStereoView } from '../../../lib/inference/depth/stereo-view';
import { castFrame, intrinsics, lookAt, wall } from '../splat-core/synthetic';

const frame = castFrame('f', lookAt([0.2, 1.5, 2], [0.2, 1.5, 0]), intrinsics(40, 30), [wall()]);

describe('HeavyStages', () => {
  it('runs the CPU kernel when there is no navigator.gpu and reports it', async () => {
    const stages = await HeavyStages.create();
    expect(stages.gpu).toBeNull();
    const a = new GaussianScene(), b = new GaussianScene();
    const run = await stages.gaussiansFromDepth(a, frame, 2, { stride: 2 });
    expect(run.backend).toBe('cpu');
    expect(run.reason).toMatch(/navigator\.gpu/);
    const ref = gaussiansFromDepth(b, frame, 2, { stride: 2 });
    expect(run.result).toEqual(ref);
    expect(a.positions.subarray(0, a.count * 3)).toEqual(b.positions.subarray(0, b.count * 3));
  });

  it('says why when the adapter is missing or WebGPU is switched off', async () => {
    const noAdapter = { requestAdapter: async () => null } as unknown as GPU;
    expect(await requestGpuDevice(noAdapter)).toEqual({ ok: false, reason: expect.stringMatching(/no adapter/) });
    const throwing = { requestAdapter: async () => { throw new Error('blocked'); } } as unknown as GPU;
    expect(await requestGpuDevice(throwing)).toEqual({ ok: false, reason: expect.stringMatching(/blocked/) });
    const off = await HeavyStages.create({ useGpu: false });
    const run = await off.gaussiansFromDepth(new GaussianScene(), frame, 0);
    expect(run).toMatchObject({ backend: 'cpu', reason: expect.stringMatching(/disabled/) });
  });

  it('skips a software adapter unless allowed, and says so', async () => {
    let destroyed = 0;
    const device = { destroy: () => destroyed++, limits: {} } as unknown as GPUDevice;
    const swiftshader = {
      requestAdapter: async () => ({ info: { vendor: 'google', architecture: '', description: 'SwiftShader' }, requestDevice: async () => device }),
    } as unknown as GPU;
    const skipped = await HeavyStages.create({ gpu: swiftshader });
    expect(skipped.gpu).toBeNull();
    expect(skipped.noGpuReason).toMatch(/only WebGPU adapter is a software one \(google SwiftShader\)/);
    expect(destroyed).toBe(1);
    const allowed = await HeavyStages.create({ gpu: swiftshader, allowSoftware: true });
    expect(allowed.gpu).toMatchObject({ software: true, adapter: 'google SwiftShader' });
    expect(allowed.report()).toMatchObject({ adapter: 'google SwiftShader', software: true, noGpuReason: null, stages: {} });
  });

  it('lets bad input through as the error it is', async () => {
    const stages = await HeavyStages.create();
    await expect(stages.gaussiansFromDepth(new GaussianScene(), { ...frame, depth: undefined }, 0)).rejects.toThrow(/no depth map/);
  });

  it('sweeps all planes on the CPU like planeSweep in full mode', async () => {
    const k = intrinsics(40, 30);
    const views = [-0.1, 0, 0.1].map((x, i) => makeStereoView(castFrame(`s${i}`, lookAt([0.2 + x, 1.5, 2], [0.2, 1.5, 0]), k, [wall()]), 40, 30));
    const stages = await HeavyStages.create();
    const set = { planes: 16, near: 0.5, far: 6, radius: 3, bestK: 2, noiseStd: 0.01 };
    const run = await stages.sweepAll(views[1], [views[0], views[2]], set);
    expect(run.backend).toBe('cpu');
    const ref = planeSweep(views[1], [views[0], views[2]], { planes: 16, near: 0.5, far: 6, window: 7, bestK: 2, noiseStd: 0.01, mode: 'full' });
    expect(run.result.depth).toEqual(ref.depth);
    expect(run.result.score).toEqual(ref.score);
  });

  it('runs the coarse-to-fine plane sweep and depth conditioning on the CPU, and reports every stage', async () => {
    const k = intrinsics(80, 64);
    const views = [-0.1, 0, 0.1].map((x, i) => makeStereoView(castFrame(`s${i}`, lookAt([0.2 + x, 1.5, 2], [0.2, 1.5, 0]), k, [wall()]), 80, 64));
    const stages = await HeavyStages.create();
    const opts = { planes: 32, near: 0.5, far: 6 };
    const run = await stages.planeSweep(views[1], [views[0], views[2]], opts);
    expect(run.backend).toBe('cpu');
    expect(run.result).toEqual(planeSweep(views[1], [views[0], views[2]], opts));
    await expect(stages.planeSweep(views[1], [], opts)).rejects.toThrow(/at least one source/);
    const cond = await stages.conditionDepth(frame.depth!, { edgeBand: 8 });
    expect(cond.backend).toBe('cpu');
    expect(cond.result).toEqual(conditionSensorDepth(frame.depth!, { edgeBand: 8 }));
    // Guided conditioning (snap or drop) has a WebGPU kernel too: the CPU runs only for want of a device, and says that.
    const guide = Float32Array.from(frame.depth!.data, (z) => z / 4);
    const guided = await stages.conditionDepth(frame.depth!, { guide });
    expect(guided).toMatchObject({ backend: 'cpu', reason: expect.stringMatching(/navigator\.gpu/) });
    expect(guided.result).toEqual(conditionSensorDepth(frame.depth!, { guide }));
    await expect(stages.conditionDepth(frame.depth!, { guide: new Float32Array(3) })).rejects.toThrow(/guide has 3 values/);
    await stages.gaussiansFromDepth(new GaussianScene(), frame, 0);
    const r = stages.report();
    expect(r.adapter).toBeNull();
    expect(Object.keys(r.stages).sort()).toEqual(['depthConditioning', 'gaussiansFromDepth', 'planeSweep']);
    expect(r.stages.planeSweep).toMatchObject({ backend: 'cpu', cpu: 1 }); // the refused call never ran
    expect(describeBackends(r)).toMatch(/^stereo: CPU, depth conditioning: CPU, Gaussians: CPU \[navigator\.gpu/);
    expect(describeBackends(null)).toBe('starting');
  });

  it('drives the coarse-to-fine search through any runner with the same requests and result as on the CPU', async () => {
    const k = intrinsics(80, 64);
    const views = [-0.1, 0, 0.1].map((x, i) => makeStereoView(castFrame(`s${i}`, lookAt([0.2 + x, 1.5, 2], [0.2, 1.5, 0]), k, [wall()]), 80, 64));
    const opts = { planes: 32, near: 0.5, far: 6 };
    const seen: SweepRequest[] = [];
    const async = await planeSweepWith(views[1], [views[0], views[2]], opts, async (req) => {
      seen.push(req);
      return sweepTiles(req);
    });
    expect(async).toEqual(planeSweep(views[1], [views[0], views[2]], opts));
    // 80x64: one halving (40x32, 16 planes, swept whole), then the refinement over 48 px tiles with bands.
    expect(seen.map((r) => [r.ref.width, r.set.planes, r.planes.length])).toEqual([[40, 16, 1], [80, 32, 4]]);
    expect(seen[1].planes.every((l) => l.length < 32)).toBe(true);
    const steps = planeSweepSteps(views[1], [views[0], views[2]], { ...opts, mode: 'full' });
    const first = steps.next();
    expect(first.done).toBe(false);
    expect((first.value as SweepRequest).planes[0].length).toBe(32);
  });
});
