/**
 * Broken-file corpus, generated here rather than stored: every reader must refuse truncated,
 * oversized, NaN-filled and lying files with a SceneFileError that names the problem, and must
 * never throw anything else (RangeError, TypeError) on arbitrary bytes.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- these tests edit raw glTF JSON on purpose */
import { describe, expect, it } from 'vitest';
import { readPly, writePly } from '../../../lib/splat/ply';
import { readGlb, writeGlb } from '../../../lib/splat/glb';
import { readCompact, writeCompact, COMPACT_HEADER_BYTES } from '../../../lib/splat/compact';
import { readSceneFile } from '../../../lib/splat/scene-file';
import { SceneFileError } from '../../../lib/splat/binary-guards';
import { syntheticScene, rng } from './synthetic-scene';
import type { GaussianScene } from '../../../lib/splat/gaussian-scene';

const enc = new TextEncoder();

async function expectRefused(p: Promise<unknown> | (() => unknown), re: RegExp) {
  let err: unknown = null;
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    err = e;
  }
  expect(err, `expected an error matching ${re}`).toBeInstanceOf(SceneFileError);
  expect((err as Error).message).toMatch(re);
}

function plyBodyOffset(b: Uint8Array): number {
  const t = new TextDecoder('latin1').decode(b.subarray(0, Math.min(b.length, 1 << 20)));
  return t.indexOf('end_header\n') + 'end_header\n'.length;
}

function replaceHeader(b: Uint8Array, from: string, to: string): Uint8Array {
  const off = plyBodyOffset(b);
  const head = new TextDecoder('latin1').decode(b.subarray(0, off));
  if (!head.includes(from)) throw new Error(`test bug: "${from}" not in header`);
  const h = enc.encode(head.replace(from, to));
  const out = new Uint8Array(h.length + b.length - off);
  out.set(h);
  out.set(b.subarray(off), h.length);
  return out;
}

function splitGlb(b: Uint8Array): { json: any; bin: Uint8Array } {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const jl = dv.getUint32(12, true);
  const json = JSON.parse(new TextDecoder().decode(b.subarray(20, 20 + jl)));
  const p = 20 + jl;
  const bl = p < b.length ? dv.getUint32(p, true) : 0;
  return { json, bin: b.slice(p + 8, p + 8 + bl) };
}

function packGlb(json: unknown, bin: Uint8Array): Uint8Array {
  let j = enc.encode(JSON.stringify(json));
  const jp = (4 - (j.length % 4)) % 4;
  if (jp) {
    const t = new Uint8Array(j.length + jp).fill(0x20);
    t.set(j);
    j = t;
  }
  const bp = (4 - (bin.length % 4)) % 4;
  const total = 12 + 8 + j.length + (bin.length ? 8 + bin.length + bp : 0);
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, 0x46546c67, true);
  dv.setUint32(4, 2, true);
  dv.setUint32(8, total, true);
  dv.setUint32(12, j.length, true);
  dv.setUint32(16, 0x4e4f534a, true);
  out.set(j, 20);
  if (bin.length) {
    dv.setUint32(20 + j.length, bin.length + bp, true);
    dv.setUint32(24 + j.length, 0x004e4942, true);
    out.set(bin, 28 + j.length);
  }
  return out;
}

const small = () => syntheticScene({ count: 64, shDegree: 1, bankDim: 8 });

describe('broken .ply files', () => {
  const good = writePly(small());
  const body = plyBodyOffset(good);

  it('refuses empty input and non-ply bytes', async () => {
    await expectRefused(() => readPly(new Uint8Array(0)), /empty \(0 bytes\)/);
    await expectRefused(() => readPly(enc.encode('plx\nformat')), /magic/);
  });

  it('refuses truncation at several points', async () => {
    await expectRefused(() => readPly(good.subarray(0, 40)), /end_header/);
    await expectRefused(() => readPly(good.subarray(0, body - 3)), /end_header/);
    for (const cut of [body, body + 1, body + Math.floor((good.length - body) / 2), good.length - 1])
      await expectRefused(() => readPly(good.subarray(0, cut)), /header declares 64 vertices .* only \d+ bytes follow/);
  });

  it('refuses a header count that lies, before allocating from it', async () => {
    await expectRefused(() => readPly(replaceHeader(good, 'element vertex 64', 'element vertex 65')), /header declares 65 vertices/);
    await expectRefused(() => readPly(replaceHeader(good, 'element vertex 64', 'element vertex 4000000000')), /exceeds the limit of 8000000/);
    await expectRefused(() => readPly(replaceHeader(good, 'element vertex 64', 'element vertex 900000000000000000000')), /malformed element line/);
    await expectRefused(() => readPly(good, { maxGaussians: 10 }), /count 64 exceeds the limit of 10/);
    await expectRefused(() => readPly(good, { maxBytes: 1000 }), /ReadLimits.maxBytes/);
    await expectRefused(() => readPly(replaceHeader(good, 'format binary_little_endian 1.0', 'format ascii 1.0')), /header declares 64 vertices|values/);
  });

  it('refuses NaN positions, infinite scales, unusable rotations, bad semantics', async () => {
    const s = small();
    s.positions[5 * 3 + 1] = NaN;
    await expectRefused(() => readPly(writePly(s)), /position \(x y z\) of Gaussian 5 is NaN/);
    const t = small();
    t.scales[7 * 3] = Infinity;
    await expectRefused(() => readPly(writePly(t)), /scale of Gaussian 7 is Infinity/);
    const big = writePly(small());
    // log scale of 200 overflows exp() to Infinity
    new DataView(big.buffer).setFloat32(body + 0 * 0 + 4 * (3 + 3 + 3 + 9 + 1), 200, true);
    await expectRefused(() => readPly(big), /scale of Gaussian 0 is Infinity/);
    const r = small();
    r.rotations.fill(0, 8, 12);
    await expectRefused(() => readPly(writePly(r)), /rotation of Gaussian 2 .* not a usable quaternion/);
    const q = small();
    q.semantic[3] = 9;
    await expectRefused(() => readPly(writePly(q)), /semantic index 9 of Gaussian 3 is outside the bank \(4 rows\)/);
  });

  it('refuses malformed headers and banks', async () => {
    await expectRefused(() => readPly(replaceHeader(good, 'property float scale_0\n', '')), /missing vertex property "scale_0"/);
    await expectRefused(() => readPly(replaceHeader(good, 'property float f_rest_8\n', '')), /8 f_rest_\* properties/);
    await expectRefused(() => readPly(replaceHeader(good, 'format binary_little_endian', 'format binary_middle_endian')), /unknown format "binary_middle_endian"/);
    await expectRefused(() => readPly(replaceHeader(good, 'property float x', 'property float128 x')), /unknown property type "float128"/);
    await expectRefused(() => readPly(replaceHeader(good, 'comment segsplat_bank 4 8', 'comment segsplat_bank 5 8')), /declares 5 rows but the header has 4 meta/);
    await expectRefused(() => readPly(replaceHeader(good, 'comment segsplat_meta 1 {"label"', 'comment segsplat_meta 1 {"lable"')), /bank entry 1: label/);
    await expectRefused(() => readPly(replaceHeader(good, 'comment segsplat_emb 2 ', 'comment segsplat_emb 2 AAAA')), /segsplat_emb row 2 has 35 bytes, expected 32/);
    await expectRefused(
      () => readPly(enc.encode('ply\nformat binary_little_endian 1.0\nelement chunk 1\nproperty float min_x\nelement vertex 1\nproperty uint packed_position\nend_header\n')),
      /compressed \.ply/,
    );
    await expectRefused(() => readPly(enc.encode('ply\nformat ascii 1.0\n' + 'comment x\n'.repeat(200))), /maxHeaderBytes|end_header/);
    await expectRefused(() => readPly(enc.encode('ply\nformat ascii 1.0\n' + 'comment x\n'.repeat(200)), { maxHeaderBytes: 100 }), /maxHeaderBytes/);
  });
});

describe('broken .glb files', () => {
  let good: Uint8Array;
  const getGood = async () => (good ??= await writeGlb(small()));

  it('refuses empty, short, bad magic and bad version', async () => {
    const g = await getGood();
    await expectRefused(readGlb(new Uint8Array(0)), /empty/);
    await expectRefused(readGlb(g.subarray(0, 11)), /truncated: 11 bytes/);
    const m = g.slice();
    m[0] = 0x47;
    await expectRefused(readGlb(m), /bad magic/);
    const v = g.slice();
    new DataView(v.buffer).setUint32(4, 1, true);
    await expectRefused(readGlb(v), /unsupported GLB version 1/);
  });

  it('refuses truncation at several points and wrong chunk lengths', async () => {
    const g = await getGood();
    for (const cut of [12, 19, 60, Math.floor(g.length / 2), g.length - 1]) await expectRefused(readGlb(g.subarray(0, cut)), /does not match the \d+ bytes present/);
    const totalLie = g.slice();
    new DataView(totalLie.buffer).setUint32(8, g.length + 100, true);
    await expectRefused(readGlb(totalLie), /header length \d+ does not match/);
    const jsonLie = g.slice();
    new DataView(jsonLie.buffer).setUint32(12, g.length, true);
    await expectRefused(readGlb(jsonLie), /JSON chunk length \d+ runs past the end/);
    const { json, bin } = splitGlb(g);
    const jl = new DataView(g.buffer, g.byteOffset).getUint32(12, true);
    const binLie = g.slice();
    new DataView(binLie.buffer).setUint32(20 + jl, bin.length + 64, true);
    await expectRefused(readGlb(binLie), /BIN chunk length \d+ runs past the end/);
    const wrongType = g.slice();
    new DataView(wrongType.buffer).setUint32(16, 0x12345678, true);
    await expectRefused(readGlb(wrongType), /first chunk is not JSON/);
    await expectRefused(readGlb(packGlb(json, bin.subarray(0, bin.length - 64))), /buffer 0 declares \d+ bytes, BIN chunk holds/);
  });

  it('refuses accessor counts that lie or exceed the limit, and external buffers', async () => {
    const { json, bin } = splitGlb(await getGood());
    const lie = structuredClone(json);
    lie.accessors[0].count = 65;
    await expectRefused(readGlb(packGlb(lie, bin)), /accessor 0 needs \d+ bytes of bufferView 0/);
    const huge = structuredClone(json);
    huge.accessors[0].count = 4e9;
    await expectRefused(readGlb(packGlb(huge, bin)), /accessor 0 count 4000000000 exceeds the limit/);
    await expectRefused(readGlb(await getGood(), { maxGaussians: 10 }), /count 64 exceeds the limit of 10/);
    const ext = structuredClone(json);
    ext.buffers[0].uri = 'http://example.com/data.bin';
    await expectRefused(readGlb(packGlb(ext, bin)), /external or data-URI buffers/);
    const view = structuredClone(json);
    view.bufferViews[0].byteLength += 1000;
    await expectRefused(readGlb(packGlb(view, bin)), /bufferView 0 .* lies outside buffer 0/);
    const bank = structuredClone(json);
    bank.extensions.SEGSPLAT_semantics.banks[0].count = 5;
    await expectRefused(readGlb(packGlb(bank, bin)), /bank bufferView has \d+ bytes, expected 5 x 8/);
    const meta = structuredClone(json);
    delete meta.extensions.SEGSPLAT_semantics.banks[0].entries[1].label;
    await expectRefused(readGlb(packGlb(meta, bin)), /bank entry 1: label/);
    const kernel = structuredClone(json);
    kernel.meshes[0].primitives[0].extensions.KHR_gaussian_splatting.kernel = 'triangle';
    await expectRefused(readGlb(packGlb(kernel, bin)), /kernel "triangle" is not supported/);
    const noRot = structuredClone(json);
    delete noRot.meshes[0].primitives[0].attributes['KHR_gaussian_splatting:ROTATION'];
    await expectRefused(readGlb(packGlb(noRot, bin)), /missing required attribute KHR_gaussian_splatting:ROTATION/);
    const plain = structuredClone(json);
    delete plain.meshes[0].primitives[0].extensions;
    delete plain.extensions;
    await expectRefused(readGlb(packGlb(plain, bin)), /no KHR_gaussian_splatting primitive/);
  });

  it('refuses NaN positions, negative/infinite scales, out-of-range opacity and semantics', async () => {
    const g = await getGood();
    const { json, bin } = splitGlb(g);
    const prim = json.meshes[0].primitives[0];
    /** Overwrites component `comp` of element `i` of a float attribute in the BIN chunk. */
    const poke = (attr: string, i: number, comp: number, v: number, setter: 'f32' | 'u16' = 'f32') => {
      const a = json.accessors[prim.attributes[attr]];
      const view = json.bufferViews[a.bufferView];
      const size = setter === 'f32' ? 4 : 2;
      const stride = view.byteStride ?? size * ({ SCALAR: 1, VEC3: 3, VEC4: 4 } as Record<string, number>)[a.type];
      const b = bin.slice();
      const dv = new DataView(b.buffer);
      const at = (view.byteOffset ?? 0) + (a.byteOffset ?? 0) + i * stride + comp * size;
      if (setter === 'f32') dv.setFloat32(at, v, true);
      else dv.setUint16(at, v, true);
      return packGlb(json, b);
    };
    await expectRefused(readGlb(poke('POSITION', 4, 0, NaN)), /POSITION of Gaussian 4 is NaN/);
    await expectRefused(readGlb(poke('KHR_gaussian_splatting:SCALE', 2, 1, -0.5)), /scale of Gaussian 2 is -0.5/);
    await expectRefused(readGlb(poke('KHR_gaussian_splatting:SCALE', 6, 0, Infinity)), /scale of Gaussian 6 is Infinity/);
    await expectRefused(readGlb(poke('KHR_gaussian_splatting:OPACITY', 9, 0, 1.5)), /opacity of Gaussian 9 is 1.5/);
    await expectRefused(readGlb(poke('KHR_gaussian_splatting:ROTATION', 3, 2, NaN)), /ROTATION of Gaussian 3 is NaN/);
    await expectRefused(readGlb(poke('KHR_gaussian_splatting:SH_DEGREE_1_COEF_2', 5, 1, NaN)), /SH coefficients of Gaussian 5 is NaN/);
    await expectRefused(readGlb(poke('SEGSPLAT_semantics:INDEX', 1, 0, 77, 'u16')), /semantic index 77 of Gaussian 1 is outside the bank/);
  });

  it('refuses to write what the extension calls invalid', async () => {
    const cases: [(s: GaussianScene) => void, RegExp][] = [
      [(s) => (s.positions[3 * 4] = NaN), /glb write: position of Gaussian 4 is NaN/],
      [(s) => (s.scales[3 * 2 + 1] = -0.5), /glb write: scale of Gaussian 2 is -0.5/],
      [(s) => (s.opacities[9] = 1.5), /glb write: opacity of Gaussian 9 is 1.5/],
      [(s) => s.rotations.fill(0, 12, 16), /glb write: rotation of Gaussian 3 .* not a usable quaternion/],
    ];
    for (const [spoil, re] of cases) {
      const s = small();
      spoil(s);
      await expectRefused(writeGlb(s), re);
    }
  });
});

describe('broken compact files', () => {
  const good = writeCompact(small());

  it('refuses bad magic, bad version, empty and truncated input', async () => {
    await expectRefused(() => readCompact(new Uint8Array(0)), /empty/);
    const m = good.slice();
    m[3] = 0x44;
    await expectRefused(() => readCompact(m), /bad magic/);
    const v = good.slice();
    new DataView(v.buffer).setUint16(4, 3, true);
    await expectRefused(() => readCompact(v), /unsupported version 3/);
    await expectRefused(() => readCompact(good.subarray(0, 30)), /truncated header: 30 of 76/);
    for (const cut of [COMPACT_HEADER_BYTES, COMPACT_HEADER_BYTES + 10, good.length - 1])
      await expectRefused(() => readCompact(good.subarray(0, cut)), /compressed bytes, \d+ present/);
  });

  it('refuses lying counts, sizes and ranges', async () => {
    const set = (off: number, v: number, kind: 'u32' | 'f32' | 'u8' = 'u32') => {
      const b = good.slice();
      const dv = new DataView(b.buffer);
      if (kind === 'u32') dv.setUint32(off, v, true);
      else if (kind === 'f32') dv.setFloat32(off, v, true);
      else dv.setUint8(off, v);
      return b;
    };
    await expectRefused(() => readCompact(set(8, 65)), /payload size \d+ does not match its counts/);
    await expectRefused(() => readCompact(set(8, 4e9)), /count 4000000000 exceeds the limit/);
    await expectRefused(() => readCompact(set(12, 0)), /bank rows 0/);
    await expectRefused(() => readCompact(set(16, 1e6)), /bank dim 1000000/);
    await expectRefused(() => readCompact(set(6, 4, 'u8')), /SH degree 4/);
    await expectRefused(() => readCompact(set(24, NaN, 'f32')), /non-finite quantisation range/);
    await expectRefused(() => readCompact(set(48, 100, 'f32')), /inverted/);
    await expectRefused(() => readCompact(set(72, 5)), /header says 5 compressed bytes/);
    const payload = new DataView(good.buffer).getUint32(68, true);
    const bomb = set(68, payload * 5000);
    await expectRefused(() => readCompact(bomb), /does not match its counts|cannot come from/);
    const corrupt = good.slice();
    for (let i = COMPACT_HEADER_BYTES; i < COMPACT_HEADER_BYTES + 20; i++) corrupt[i] ^= 0xa5;
    await expectRefused(() => readCompact(corrupt), /deflate stream is corrupt|inflated to|metadata|semantic|bank/);
  });

  it('refuses semantics outside the bank', async () => {
    const s = small();
    s.semantic[2] = 300;
    await expectRefused(() => readCompact(writeCompact(s)), /semantic index 300 of Gaussian 2/);
  });
});

describe('scene-file sniffing of bad input', () => {
  it('names the problem for empty, random and other-format bytes', async () => {
    await expectRefused(readSceneFile(new Uint8Array(0), 'a.ply'), /"a.ply" is empty/);
    const r = rng(5);
    const rnd = Uint8Array.from({ length: 1000 }, () => Math.floor(r() * 256));
    rnd[0] = 0x99;
    await expectRefused(readSceneFile(rnd, 'x.bin'), /unknown format "x.bin": first bytes 99/);
    await expectRefused(readSceneFile(enc.encode('{"asset":{"version":"2.0"}}')), /\.gltf with external buffers/);
    await expectRefused(readSceneFile(Uint8Array.from([0x1f, 0x8b, 8, 0, 0])), /\.spz is not supported/);
  });

  it('never throws anything but SceneFileError on mutated or random files', async () => {
    const r = rng(11);
    const seeds = [writePly(small()), await writeGlb(small()), writeCompact(small())];
    let refused = 0;
    let accepted = 0;
    for (let trial = 0; trial < 300; trial++) {
      const src = seeds[trial % 3];
      const b = src.slice(0, trial % 7 === 0 ? Math.floor(r() * src.length) : src.length);
      const flips = 1 + Math.floor(r() * 8);
      for (let f = 0; f < flips; f++) {
        // bias mutations to headers, where lies do damage
        const at = r() < 0.7 ? Math.floor(r() * Math.min(b.length, 400)) : Math.floor(r() * b.length);
        b[at] = Math.floor(r() * 256);
      }
      try {
        const s = await readSceneFile(b);
        accepted++;
        for (let i = 0; i < s.count * 3; i++) expect(Number.isFinite(s.positions[i]) && s.scales[i] >= 0).toBe(true);
      } catch (e) {
        refused++;
        if (!(e instanceof SceneFileError)) throw new Error(`trial ${trial}: ${(e as Error).name}: ${(e as Error).message}`);
      }
    }
    expect(refused).toBeGreaterThan(50);
    expect(accepted + refused).toBe(300);
  });
});
