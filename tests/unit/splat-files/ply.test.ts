import { describe, expect, it } from 'vitest';
import { readPly, writePly, parsePlyHeader, plyStride, SH_C0 } from '../../../lib/splat/ply';
import { GaussianScene, shRestCount } from '../../../lib/splat/gaussian-scene';
import { syntheticScene, rng } from './synthetic-scene';

function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, n: number, tol: number, what: string) {
  let worst = 0;
  let at = -1;
  for (let i = 0; i < n; i++) {
    const d = Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i]));
    if (d > worst) {
      worst = d;
      at = i;
    }
  }
  expect(worst, `${what} worst at ${at}: ${a[at]} vs ${b[at]}`).toBeLessThanOrEqual(tol);
}

function expectSameScene(a: GaussianScene, b: GaussianScene) {
  expect(a.count).toBe(b.count);
  expect(a.shDegree).toBe(b.shDegree);
  const n = b.count;
  expectClose(a.positions, b.positions, n * 3, 0, 'positions');
  expectClose(a.scales, b.scales, n * 3, 1e-6, 'scales');
  expectClose(a.rotations, b.rotations, n * 4, 1e-6, 'rotations');
  expectClose(a.opacities, b.opacities, n, 1e-6, 'opacities');
  expectClose(a.colors, b.colors, n * 3, 1e-6, 'colors');
  expectClose(a.shRest, b.shRest, n * shRestCount(b.shDegree), 0, 'shRest');
  expect(Array.from(a.semantic.subarray(0, n))).toEqual(Array.from(b.semantic.subarray(0, n)));
}

function expectSameBank(a: GaussianScene, b: GaussianScene, tol = 0) {
  expect(a.bank.count).toBe(b.bank.count);
  expect(a.bank.dim).toBe(b.bank.dim);
  expect(a.bank.meta).toEqual(b.bank.meta);
  expectClose(a.bank.embeddings, b.bank.embeddings, b.bank.count * b.bank.dim, tol, 'bank');
}

/** Builds a .ply the way another tool might: chosen property order, types and endianness. */
function foreignPly(
  props: { name: string; type: string }[],
  rows: number[][],
  format: 'binary_little_endian' | 'binary_big_endian' | 'ascii' = 'binary_little_endian',
  extraElements: { before?: string; after?: string } = {},
): Uint8Array {
  const size: Record<string, number> = { char: 1, uchar: 1, short: 2, ushort: 2, int: 4, uint: 4, float: 4, double: 8 };
  let head = `ply\nformat ${format} 1.0\ncomment made by a test pretending to be another tool\n`;
  if (extraElements.before) head += extraElements.before;
  head += `element vertex ${rows.length}\n` + props.map((p) => `property ${p.type} ${p.name}\n`).join('');
  if (extraElements.after) head += extraElements.after;
  head += 'end_header\n';
  const h = new TextEncoder().encode(head);
  if (format === 'ascii') {
    const body = new TextEncoder().encode(rows.map((r) => r.join(' ')).join('\n') + '\n');
    const out = new Uint8Array(h.length + body.length);
    out.set(h);
    out.set(body, h.length);
    return out;
  }
  const stride = props.reduce((s, p) => s + size[p.type], 0);
  const out = new Uint8Array(h.length + stride * rows.length);
  out.set(h);
  const dv = new DataView(out.buffer);
  const le = format === 'binary_little_endian';
  let o = h.length;
  for (const r of rows) {
    props.forEach((p, k) => {
      const v = r[k];
      switch (p.type) {
        case 'char': dv.setInt8(o, v); break;
        case 'uchar': dv.setUint8(o, v); break;
        case 'short': dv.setInt16(o, v, le); break;
        case 'ushort': dv.setUint16(o, v, le); break;
        case 'int': dv.setInt32(o, v, le); break;
        case 'uint': dv.setUint32(o, v, le); break;
        case 'float': dv.setFloat32(o, v, le); break;
        case 'double': dv.setFloat64(o, v, le); break;
      }
      o += size[p.type];
    });
  }
  return out;
}

describe('INRIA .ply', () => {
  it('round-trips a degree-0 scene with semantics and the bank', () => {
    const s = syntheticScene({ count: 3000, bankDim: 32 });
    const bytes = writePly(s);
    const back = readPly(bytes);
    expectSameScene(back, s);
    expectSameBank(back, s);
    expect(back.bank.meta[2].label).toBe('box');
    expect(back.bank.meta[2].box).toEqual({ min: [-0.3, 0, -0.3], max: [0.3, 0.6, 0.3] });
  });

  it('round-trips SH degree 3 and stores f_rest channel-major in the file', () => {
    const s = syntheticScene({ count: 500, shDegree: 3, bankDim: 8 });
    const bytes = writePly(s);
    const hdr = parsePlyHeader(bytes);
    const v = hdr.elements[0];
    expect(v.props.filter((p) => p.name.startsWith('f_rest_')).length).toBe(45);
    // f_rest_j of Gaussian 0 must be channel c = floor(j / 15), coefficient k = j % 15.
    const dv = new DataView(bytes.buffer, bytes.byteOffset);
    for (const j of [0, 1, 14, 15, 16, 30, 44]) {
      const p = v.props.find((q) => q.name === `f_rest_${j}`)!;
      const inFile = dv.getFloat32(hdr.bodyOffset + p.offset, true);
      const c = Math.floor(j / 15), k = j % 15;
      expect(inFile).toBe(s.shRest[k * 3 + c]);
    }
    const back = readPly(bytes);
    expectSameScene(back, s);
  });

  it('writes the 248-byte INRIA record for degree 3 without semantics, plus 2 bytes with them', () => {
    expect(plyStride(3, { semantic: 'none' })).toBe(248);
    expect(plyStride(3)).toBe(250);
    expect(plyStride(0, { normals: false })).toBe(58);
    const s = syntheticScene({ count: 10, shDegree: 3, bankDim: 4 });
    const plain = writePly(s, { semantic: 'none' });
    const hdr = parsePlyHeader(plain);
    expect(plain.length - hdr.bodyOffset).toBe(10 * 248);
    expect(hdr.comments.some((c) => c.startsWith('segsplat'))).toBe(false);
  });

  it('loads a file without semantics with index 0 and a background-only bank', () => {
    const s = syntheticScene({ count: 200, bankDim: 16 });
    const back = readPly(writePly(s, { semantic: 'none' }));
    expect(back.bank.count).toBe(1);
    expect(back.bank.meta[0].label).toBe('background');
    expect(back.semantic.subarray(0, back.count).every((v) => v === 0)).toBe(true);
    expectClose(back.positions, s.positions, s.count * 3, 0, 'positions');
  });

  it('accepts uint semantics and files without normals', () => {
    const s = syntheticScene({ count: 100, bankDim: 4 });
    const back = readPly(writePly(s, { semantic: 'uint', normals: false }));
    expectSameScene(back, s);
  });

  it('reads a file from another tool: shuffled order, doubles, extra properties, degree 1, no normals', () => {
    const r = rng(3);
    const K = 3;
    const names = ['rot_1', 'f_dc_2', 'x', 'opacity', 'scale_2', 'y', 'confidence', 'rot_0', 'f_dc_0', 'z', 'scale_0', 'rot_3', 'f_dc_1', 'scale_1', 'rot_2', 'red'];
    for (let j = 0; j < 3 * K; j++) names.splice(Math.floor(r() * names.length), 0, `f_rest_${j}`);
    const types: Record<string, string> = { x: 'double', y: 'double', z: 'double', confidence: 'float', red: 'uchar', opacity: 'double' };
    const props = names.map((name) => ({ name, type: types[name] ?? 'float' }));
    const truth: Record<string, number>[] = [];
    const rows: number[][] = [];
    for (let i = 0; i < 50; i++) {
      const t: Record<string, number> = {};
      for (const nm of names) t[nm] = nm === 'red' ? Math.floor(r() * 256) : r() * 2 - 1;
      t.x = 1.2345678901234 * i;
      truth.push(t);
      rows.push(names.map((nm) => t[nm]));
    }
    const s = readPly(foreignPly(props, rows));
    expect(s.count).toBe(50);
    expect(s.shDegree).toBe(1);
    for (let i = 0; i < 50; i++) {
      const t = truth[i];
      expect(s.positions[i * 3]).toBeCloseTo(t.x, 5);
      expect(s.positions[i * 3 + 1]).toBeCloseTo(t.y, 6);
      expect(s.scales[i * 3 + 2]).toBeCloseTo(Math.exp(t.scale_2), 6);
      expect(s.opacities[i]).toBeCloseTo(1 / (1 + Math.exp(-t.opacity)), 6);
      expect(s.colors[i * 3 + 1]).toBeCloseTo(0.5 + SH_C0 * t.f_dc_1, 6);
      const qn = Math.hypot(t.rot_0, t.rot_1, t.rot_2, t.rot_3);
      expect(s.rotations[i * 4 + 3]).toBeCloseTo(t.rot_0 / qn, 5); // w first in the file
      expect(s.rotations[i * 4]).toBeCloseTo(t.rot_1 / qn, 5);
      for (let c = 0; c < 3; c++)
        for (let k = 0; k < K; k++) expect(s.shRest[i * 9 + k * 3 + c]).toBeCloseTo(t[`f_rest_${c * K + k}`], 6);
      expect(s.semantic[i]).toBe(0);
    }
  });

  it('reads ascii and big-endian files and skips other elements', () => {
    const props = ['x', 'y', 'z', 'f_dc_0', 'f_dc_1', 'f_dc_2', 'opacity', 'scale_0', 'scale_1', 'scale_2', 'rot_0', 'rot_1', 'rot_2', 'rot_3'].map((name) => ({ name, type: 'float' }));
    const rows = [
      [1, 2, 3, 0, 0, 0, 0, -3, -3, -3, 1, 0, 0, 0],
      [-1, 0.5, 4, 1, -1, 0.5, 2, -4, -5, -6, 0, 0, 1, 0],
    ];
    for (const format of ['ascii', 'binary_big_endian'] as const) {
      const s = readPly(foreignPly(props, rows, format, { after: 'element face 0\nproperty list uchar int vertex_indices\n' }));
      expect(s.count).toBe(2);
      expect(Array.from(s.positions.subarray(0, 6))).toEqual([1, 2, 3, -1, 0.5, 4]);
      expect(s.opacities[0]).toBeCloseTo(0.5, 6);
      expect(Array.from(s.rotations.subarray(4, 8))).toEqual([0, 1, 0, 0]);
      expect(s.scales[3]).toBeCloseTo(Math.exp(-4), 7);
    }
    const be = foreignPly(props, rows, 'binary_big_endian');
    const s = readPly(be);
    expect(Array.from(s.positions.subarray(0, 6))).toEqual([1, 2, 3, -1, 0.5, 4]);
    expect(s.colors[3]).toBeCloseTo(0.5 + SH_C0, 6);
  });

  it('skips a fixed-size element placed before the vertex element', () => {
    const props = ['x', 'y', 'z', 'f_dc_0', 'f_dc_1', 'f_dc_2', 'opacity', 'scale_0', 'scale_1', 'scale_2', 'rot_0', 'rot_1', 'rot_2', 'rot_3'].map((name) => ({ name, type: 'float' }));
    const row = [7, 8, 9, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0];
    const base = foreignPly(props, [row], 'binary_little_endian', { before: 'element camera 1\nproperty float fx\nproperty uchar id\n' });
    // insert the 5-byte camera record in front of the vertex data
    const text = new TextDecoder('latin1').decode(base);
    const body = text.indexOf('end_header\n') + 11;
    const withCam = new Uint8Array(base.length + 5);
    withCam.set(base.subarray(0, body));
    withCam.set([0, 0, 128, 63, 1], body);
    withCam.set(base.subarray(body), body + 5);
    const s = readPly(withCam);
    expect(Array.from(s.positions.subarray(0, 3))).toEqual([7, 8, 9]);
  });

  it('reads a coloured point cloud saved as splats (red/green/blue instead of f_dc)', () => {
    const props = ['x', 'y', 'z', 'red', 'green', 'blue', 'opacity', 'scale_0', 'scale_1', 'scale_2', 'rot_0', 'rot_1', 'rot_2', 'rot_3'].map((name) => ({
      name,
      type: ['red', 'green', 'blue'].includes(name) ? 'uchar' : 'float',
    }));
    const s = readPly(foreignPly(props, [[0, 0, 0, 255, 51, 0, 0, 0, 0, 0, 1, 0, 0, 0]]));
    expect(Array.from(s.colors.subarray(0, 3))).toEqual([1, 0.2, 0].map((v) => Math.fround(v)));
  });

  it('keeps non-ASCII labels and an empty scene', () => {
    const s = syntheticScene({ count: 0, bankDim: 4 });
    s.bank.meta[1].label = 'lámpara 灯';
    const back = readPly(writePly(s));
    expect(back.count).toBe(0);
    expect(back.bank.meta[1].label).toBe('lámpara 灯');
    expectSameBank(back, s);
  });
});
