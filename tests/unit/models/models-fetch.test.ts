import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseManifest, shippedManifest } from '../../../lib/inference/models/manifest';
import { sha256Hex } from '../../../lib/inference/models/model-source';
import { fetchModels, parseArgs } from '../../../scripts/models-fetch';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});
async function tmp(): Promise<string> {
  const d = await mkdtemp(path.join(os.tmpdir(), 'models-fetch-'));
  dirs.push(d);
  return d;
}

const body = new Uint8Array(5000).map((_, i) => i % 251);

async function oneModelManifest(sha: string | null, bytes: number | null) {
  return parseManifest({
    version: 1,
    models: [
      {
        id: 'tiny-depth',
        role: 'depth',
        title: 'tiny',
        standIn: false,
        license: 'MIT',
        source: 'test',
        files: [{ name: 'tiny.onnx', url: 'https://models.invalid/tiny.onnx', bytes, sha256: sha }],
        inputs: [{ name: 'x', dtype: 'float32', shape: [1] }],
        outputs: [{ name: 'y', dtype: 'float32', shape: [1] }],
        maxBatch: 1,
        preprocess: { size: 4, resize: 'squash', interpolation: 'bilinear', rescale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1] },
      },
    ],
  });
}

describe('npm run models:fetch', () => {
  it('fails offline with a message naming each file and where to get it', async () => {
    const root = await tmp();
    const err = await fetchModels({
      root,
      only: ['slimsam-77-encoder', 'mobileclip-s0-text'],
      fetch: async () => {
        throw new TypeError('fetch failed', { cause: new Error('getaddrinfo ENOTFOUND huggingface.co') });
      },
      log: () => undefined,
      progressBar: false,
    }).catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toContain('could not get 3 file(s) (no network?)');
    expect(err.message).toContain('slimsam-77-encoder/vision_encoder.onnx from https://huggingface.co/Xenova/slimsam-77-uniform/resolve/main/onnx/vision_encoder.onnx');
    expect(err.message).toContain('mobileclip-s0-text/tokenizer.json from https://huggingface.co/Xenova/mobileclip_s0/resolve/main/tokenizer.json');
    expect(err.message).toContain('ENOTFOUND');
    expect(err.message).toContain('data/models/<model id>/<file>');
    expect(existsSync(path.join(root, 'data/models/slimsam-77-encoder'))).toBe(false);
  });

  it('downloads, verifies and writes atomically; a second run finds the file present', async () => {
    const root = await tmp();
    const manifest = await oneModelManifest(await sha256Hex(body), body.length);
    const lines: string[] = [];
    const fetch = async () => new Response(body.slice() as unknown as BodyInit);
    const r = await fetchModels({ root, manifest, fetch, log: (l) => lines.push(l), progressBar: false });
    expect(r.fetched).toEqual(['tiny-depth/tiny.onnx']);
    const file = path.join(root, 'data/models/tiny-depth/tiny.onnx');
    expect(new Uint8Array(await readFile(file))).toEqual(body);
    expect(await readdir(path.dirname(file))).toEqual(['tiny.onnx']); // no .part left
    expect(lines.join('\n')).toContain('(verified)');
    const again = await fetchModels({ root, manifest, fetch: async () => { throw new Error('must not fetch'); }, log: () => undefined });
    expect(again.present).toEqual(['tiny-depth/tiny.onnx']);
  });

  it('rejects a download with the wrong hash and leaves nothing behind', async () => {
    const root = await tmp();
    const manifest = await oneModelManifest('0'.repeat(64), null);
    const err = await fetchModels({ root, manifest, fetch: async () => new Response(body.slice() as unknown as BodyInit), log: () => undefined, progressBar: false }).catch((e) => e);
    expect(err.message).toMatch(/sha256 [0-9a-f]{64}, expected 0{64}/);
    expect(existsSync(path.join(root, 'data/models/tiny-depth/tiny.onnx'))).toBe(false);
    expect(existsSync(path.join(root, 'data/models/tiny-depth/tiny.onnx.part'))).toBe(false);
  });

  it('checks the bundled FastDepth without downloading it', async () => {
    const r = await fetchModels({ only: ['fastdepth'], fetch: async () => { throw new Error('must not fetch'); }, log: () => undefined });
    expect(r.present).toEqual(['fastdepth/fastdepth_7.onnx']);
  });

  it('parses its arguments and rejects unknown ids', async () => {
    expect(parseArgs(['--only', 'a,b', '--dir', 'x'])).toEqual({ only: ['a', 'b'], dir: 'x', list: false, help: false });
    expect(parseArgs(['--only=a'])).toEqual({ only: ['a'], list: false, help: false });
    expect(() => parseArgs(['--bogus'])).toThrow(/unknown option --bogus; valid options: --only, --dir, --list/);
    await expect(fetchModels({ only: ['nope'], manifest: shippedManifest() })).rejects.toThrow(/unknown model id "nope"/);
  });
});
