import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryFiles, toZip, zipFiles } from '../../../lib/capture/bundle-files';
import { nodeFolderFiles } from '../../../lib/capture/node-files';
import { readCaptureBundle, writeCaptureBundle } from '../../../lib/capture/capture-bundle';
import { encodeRgbPng } from '../../../lib/capture/image-codec';
import { makeFrame } from './helpers';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

async function sampleBundle() {
  const files = memoryFiles();
  const frames = [makeFrame('f0000', 1, { depth: true, confidence: true }), makeFrame('f0001', 2), makeFrame('f0002', 3, { depth: true, far: true })];
  frames[1].approxPose = true;
  await writeCaptureBundle(files, { name: 'unit', frames, attribution: 'CC0 test data' });
  return { files, frames };
}

describe('capture bundle write/read', () => {
  it('round-trips frames: images exact, poses exact, depth to 1 mm (png16) or exact (f32), confidence to 1/255', async () => {
    const { files, frames } = await sampleBundle();
    const keys = [...files.entries().keys()].sort();
    expect(keys).toEqual([
      'capture.json',
      'depth/f0000.conf.png',
      'depth/f0000.png',
      'depth/f0002.f32', // 70+ m does not fit 16-bit millimetres: auto switches to float32
      'images/f0000.png',
      'images/f0001.png',
      'images/f0002.png',
    ]);
    const back = await readCaptureBundle(files);
    expect(back.name).toBe('unit');
    expect(back.attribution).toBe('CC0 test data');
    expect(back.skipped).toEqual([]);
    expect(back.frames.map((f) => f.id)).toEqual(['f0000', 'f0001', 'f0002']);
    for (let i = 0; i < frames.length; i++) {
      const a = frames[i], b = back.frames[i];
      expect(b.image.width).toBe(a.image.width);
      expect(Buffer.from(b.image.data).equals(Buffer.from(a.image.data))).toBe(true);
      expect(Array.from(b.cameraToWorld)).toEqual(Array.from(a.cameraToWorld));
      expect(b.intrinsics).toEqual(a.intrinsics);
      expect(b.timestamp).toBe(a.timestamp);
      expect(!!b.approxPose).toBe(!!a.approxPose);
      expect(!!b.depth).toBe(!!a.depth);
    }
    const d0 = back.frames[0].depth!, a0 = frames[0].depth!;
    expect(d0.intrinsics).toEqual(a0.intrinsics);
    for (let i = 0; i < a0.data.length; i++) {
      expect(Math.abs(d0.data[i] - a0.data[i])).toBeLessThanOrEqual(0.0005 + 1e-6);
      expect(Math.abs(d0.confidence![i] - a0.confidence![i])).toBeLessThanOrEqual(0.5 / 255 + 1e-6);
    }
    expect(Array.from(back.frames[2].depth!.data)).toEqual(Array.from(frames[2].depth!.data));
  });

  it('writes the same bytes every run, and the same zip bytes', async () => {
    const a = await sampleBundle();
    const b = await sampleBundle();
    for (const [k, v] of a.files.entries()) expect(Buffer.from(b.files.entries().get(k)!).equals(Buffer.from(v))).toBe(true);
    const za = toZip(a.files), zb = toZip(b.files);
    expect(Buffer.from(za).equals(Buffer.from(zb))).toBe(true);
    // No wall-clock time in the zip: local headers carry the fixed 1980-01-01 DOS date.
    const dosDate = za[12] | (za[13] << 8);
    expect(dosDate).toBe((0 << 9) | (1 << 5) | 1);
  });

  it('reads a bundle back from a zip, also one zipped with its top folder', async () => {
    const { files } = await sampleBundle();
    const back = await readCaptureBundle(zipFiles(toZip(files)));
    expect(back.frames.length).toBe(3);
    const nested = new Map<string, Uint8Array>();
    for (const [k, v] of files.entries()) nested.set(`unit/${k}`, v);
    const back2 = await readCaptureBundle(zipFiles(toZip(nested)));
    expect(back2.frames.map((f) => f.id)).toEqual(['f0000', 'f0001', 'f0002']);
    await expect(zipFiles(toZip(files)).writeFile('x', new Uint8Array(1))).rejects.toThrow(/read-only/);
    expect(() => zipFiles(enc('not a zip'))).toThrow(/zip/);
  });

  it('writes to and reads from a folder on disk; rejects escaping paths', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'capture-'));
    try {
      const folder = nodeFolderFiles(dir);
      const frames = [makeFrame('a', 4, { depth: true })];
      await writeCaptureBundle(folder, { name: 'disk', frames });
      const json = JSON.parse(await readFile(join(dir, 'capture.json'), 'utf8'));
      expect(json.schema).toBe('segsplat-capture');
      expect(json.version).toBe(1);
      expect(json.frames[0].image).toBe('images/a.png');
      const back = await readCaptureBundle(folder);
      expect(back.frames[0].id).toBe('a');
      await expect(folder.readFile('../etc/passwd')).rejects.toThrow(/escapes/);
      await expect(folder.writeFile('/tmp/x', new Uint8Array(1))).rejects.toThrow(/relative/);
      expect(await folder.exists('images/missing.png')).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('uses index-based file names for unsafe ids and rejects duplicate ids', async () => {
    const files = memoryFiles();
    await writeCaptureBundle(files, { name: 'n', frames: [makeFrame('../../evil', 1), makeFrame('ok', 2)] });
    const json = JSON.parse(dec(files.entries().get('capture.json')!));
    expect(json.frames[0].image).toBe('images/f0000.png');
    expect(json.frames[0].id).toBe('../../evil');
    await expect(writeCaptureBundle(memoryFiles(), { name: 'n', frames: [makeFrame('x', 1), makeFrame('x', 2)] })).rejects.toThrow(/duplicate/);
  });

  it('carries createdBy and worldUp options through, and checks them', async () => {
    const files = memoryFiles();
    await writeCaptureBundle(files, { name: 'n', frames: [makeFrame('a', 1)] }, undefined, { createdBy: 'unit test', worldUp: [0, 0, 1] });
    const back = await readCaptureBundle(files);
    expect(back.createdBy).toBe('unit test');
    expect(back.worldUp).toEqual([0, 0, 1]);
    await expect(writeCaptureBundle(memoryFiles(), { name: 'n', frames: [] }, undefined, { worldUp: [0, NaN, 1] })).rejects.toThrow(/worldUp/);
  });

  it('refuses to write an invalid frame', async () => {
    const f = makeFrame('bad', 1);
    f.intrinsics.fx = -1;
    await expect(writeCaptureBundle(memoryFiles(), { name: 'n', frames: [f] })).rejects.toThrow(/focal length fx must be positive/);
  });
});

describe('capture.json errors', () => {
  async function withJson(mutate: (j: Record<string, unknown>) => void) {
    const { files } = await sampleBundle();
    const j = JSON.parse(dec(files.entries().get('capture.json')!));
    mutate(j);
    await files.writeFile('capture.json', enc(JSON.stringify(j)));
    return files;
  }

  it('throws on invalid JSON, wrong schema, unknown version, missing file', async () => {
    const { files } = await sampleBundle();
    await files.writeFile('capture.json', enc('{"schema": "segsplat-capture", '));
    await expect(readCaptureBundle(files)).rejects.toThrow(/not valid JSON/);
    await expect(readCaptureBundle(await withJson((j) => (j.schema = 'other')))).rejects.toThrow(/schema "other"/);
    await expect(readCaptureBundle(await withJson((j) => (j.version = 2)))).rejects.toThrow(/unsupported version 2.*newer/);
    await expect(readCaptureBundle(await withJson((j) => delete j.version))).rejects.toThrow(/unsupported version/);
    await expect(readCaptureBundle(await withJson((j) => (j.frames = {})))).rejects.toThrow(/"frames" must be an array/);
    await expect(readCaptureBundle(await withJson((j) => (j.worldUp = [0, 0, 0])))).rejects.toThrow(/worldUp/);
    await expect(readCaptureBundle(memoryFiles())).rejects.toThrow(/capture.json is missing/);
  });

  it('skips broken frames with a reason and keeps the rest', async () => {
    const files = await withJson((j) => {
      const fr = j.frames as Record<string, unknown>[];
      (fr[0].intrinsics as Record<string, number>).fx = 0;
      (fr[1].cameraToWorld as number[])[0] = 2; // scaled rotation
      fr.push({ ...fr[2], id: 'f0002' }); // duplicate id
      fr.push({ ...fr[2], id: 'gone', image: 'images/gone.png' });
      fr.push({ ...fr[2], id: 'bad-depth', depth: { file: 'images/f0000.png', intrinsics: (fr[2].depth as { intrinsics: unknown }).intrinsics } });
      fr.push({ ...fr[2], id: 'escape', image: '../outside.png' });
      fr.push({ id: 'nopose', image: 'images/f0001.png', timestamp: 0, intrinsics: fr[1].intrinsics });
    });
    const back = await readCaptureBundle(files);
    expect(back.frames.map((f) => f.id)).toEqual(['f0002']);
    const reasons = Object.fromEntries(back.skipped.map((s) => [s.id, s.reason]));
    expect(back.skipped.length).toBe(7);
    expect(reasons.f0000).toMatch(/focal length fx must be positive/);
    expect(reasons.f0001).toMatch(/cameraToWorld: pose rotation is not orthonormal/);
    expect(reasons.f0002).toMatch(/duplicate frame id/);
    expect(reasons.gone).toMatch(/images\/gone.png is missing/);
    expect(reasons['bad-depth']).toMatch(/must be 16-bit grayscale/);
    expect(reasons.escape).toMatch(/escapes/);
    expect(reasons.nopose).toMatch(/cameraToWorld/);
  });

  it('skips a frame whose image is corrupt or whose depth file is truncated', async () => {
    const { files } = await sampleBundle();
    const png = files.entries().get('images/f0001.png')!;
    await files.writeFile('images/f0001.png', png.slice(0, png.length - 20));
    const f32 = files.entries().get('depth/f0002.f32')!;
    await files.writeFile('depth/f0002.f32', f32.slice(0, 8));
    const back = await readCaptureBundle(files);
    expect(back.frames.map((f) => f.id)).toEqual(['f0000']);
    expect(back.skipped.find((s) => s.id === 'f0001')!.reason).toMatch(/truncated|IEND|CRC/);
    expect(back.skipped.find((s) => s.id === 'f0002')!.reason).toMatch(/8 bytes, expected 96/);
  });

  it('honours maxFrames and reads JPEG images too', async () => {
    const { files } = await sampleBundle();
    const back = await readCaptureBundle(files, { maxFrames: 2 });
    expect(back.frames.length).toBe(2);
    // A PNG with the wrong extension still decodes: format is sniffed from bytes.
    await files.writeFile('images/f0001.jpg', encodeRgbPng(back.frames[1].image));
    const j = JSON.parse(dec(files.entries().get('capture.json')!));
    j.frames[1].image = 'images/f0001.jpg';
    await files.writeFile('capture.json', enc(JSON.stringify(j)));
    expect((await readCaptureBundle(files)).frames.length).toBe(3);
  });
});
