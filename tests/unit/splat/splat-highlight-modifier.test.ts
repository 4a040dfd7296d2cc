/**
 * The Spark side of the answer highlight, in Node (no WebGL): the modifier is installed on a real
 * SplatMesh, its dyno graph compiles to GLSL that reads the per-splat row, the flag and the boxes, and
 * `set` moves the mesh's version (Spark regenerates splats only then) and fills the textures the
 * program's uniforms point at. That the GLSL compiles and draws is checked by tests/browser/view-query.
 */
import { describe, expect, it } from 'vitest';
import { dyno as D, SplatMesh } from '@sparkjsdev/spark';
import type * as THREE from 'three';
import { boxesFromAabbs } from '../../../lib/splat/splat-highlight';
import type { GaussianArrays } from '../../../lib/web/scene-build';
import { SplatHighlighter } from '../../../lib/web/splat-highlight-modifier';
import { packedSplatsFromArrays } from '../../../lib/web/spark-splats';

function arrays(n: number, semantic?: Uint16Array): GaussianArrays {
  const rotations = new Float32Array(n * 4);
  for (let i = 0; i < n; i++) rotations[4 * i + 3] = 1;
  return { count: n, positions: new Float32Array(n * 3), scales: new Float32Array(n * 3).fill(0.01), rotations, opacities: new Float32Array(n).fill(0.5), colors: new Float32Array(n * 3).fill(0.5), semantic };
}

/** The mesh's generator compiled the way Spark compiles it, minus the WebGL material. */
function compile(mesh: SplatMesh) {
  // constructGenerator is private: Spark calls it from update(), which needs a renderer.
  (mesh as unknown as { constructGenerator(c: unknown): void }).constructGenerator(mesh.context);
  const program = new D.DynoProgram({ graph: mesh.generator!, inputs: { index: 'index' }, outputs: { gsplat: 'gsplat' }, template: new D.DynoProgramTemplate('{{ GLOBALS }}\nvoid main() {\n  {{ STATEMENTS }}\n}') });
  const uniform = (prefix: string) => {
    program.update();
    const key = Object.keys(program.uniforms).find((k) => k.startsWith(prefix));
    if (!key) throw new Error(`no uniform ${prefix}`);
    return program.uniforms[key].value as unknown;
  };
  return { shader: program.shader, uniform };
}

describe('SplatHighlighter (Spark objectModifier)', () => {
  it('compiles into the generator: row texture -> flag texture, boxes against the centre', () => {
    const n = 5000;
    const sem = new Uint16Array(n).map((_, i) => i % 300);
    const mesh = new SplatMesh({ packedSplats: packedSplatsFromArrays(arrays(n, sem)), lod: false });
    const h = new SplatHighlighter(mesh, arrays(n, sem));
    const { shader, uniform } = compile(mesh);
    expect(shader).toMatch(/uniform usampler2D highlightSemantic_\d+;/);
    expect(shader).toMatch(/uniform usampler2D highlightFlags_\d+;/);
    expect(shader).toMatch(/uniform sampler2D highlightBoxes_\d+;/);
    expect(shader).toMatch(/texelFetch\(highlightSemantic_\d+, ivec2\(idx & 4095, idx >> 12\), 0\)/);
    expect(shader).toMatch(/texelFetch\(highlightFlags_\d+, ivec2\(row & 255, row >> 8\), 0\)/);
    // The semantic texture holds every splat's row, 4096 wide, once.
    const semTex = uniform('highlightSemantic') as THREE.DataTexture;
    expect([semTex.image.width, semTex.image.height]).toEqual([4096, 2]);
    expect((semTex.image.data as Uint16Array)[4999]).toBe(4999 % 300);
    expect(h.semanticBytes).toBe(4096 * 2 * 2);
    // Off until an answer comes.
    expect(uniform('highlightActive')).toBe(0);
    expect(uniform('highlightSemanticCount')).toBe(n);
    h.dispose();
    mesh.dispose();
  });

  it('set() fills the tables, uploads only them, and moves the mesh version; null turns it off', () => {
    const n = 100;
    const mesh = new SplatMesh({ packedSplats: packedSplatsFromArrays(arrays(n, new Uint16Array(n).fill(7))), lod: false });
    const h = new SplatHighlighter(mesh, arrays(n, new Uint16Array(n).fill(7)));
    const { uniform } = compile(mesh);
    const entries = new Uint8Array(300);
    entries[7] = 1;
    entries[299] = 1;
    const v0 = mesh.version;
    h.set({ entries, boxes: boxesFromAabbs([{ min: [0, 0, 0], max: [1, 1, 1] }]) });
    expect(mesh.version).toBeGreaterThan(v0);
    expect(uniform('highlightActive')).toBe(1);
    expect(uniform('highlightRows')).toBe(300);
    expect(uniform('highlightBoxCount')).toBe(1);
    const flags = uniform('highlightFlags') as THREE.DataTexture;
    expect([flags.image.width, flags.image.height]).toEqual([256, 2]); // grown from 256 x 1
    const fd = flags.image.data as Uint8Array;
    expect([fd[7], fd[8], fd[299]]).toEqual([1, 0, 1]);
    const boxes = uniform('highlightBoxes') as THREE.DataTexture;
    expect(Array.from((boxes.image.data as Float32Array).subarray(0, 8)).map((v) => +v.toFixed(3))).toEqual([-0.05, -0.05, -0.05, 0, 1.05, 1.05, 1.05, 0]);
    expect(h.lastUploadBytes).toBe(512 + 32);
    // A second answer reuses the textures.
    h.set({ entries: new Uint8Array(300), boxes: new Float32Array(0) });
    expect(uniform('highlightFlags')).toBe(flags);
    expect((flags.image.data as Uint8Array)[7]).toBe(0);
    expect(uniform('highlightBoxCount')).toBe(0);
    const v1 = mesh.version;
    h.set(null);
    expect(mesh.version).toBeGreaterThan(v1);
    expect(uniform('highlightActive')).toBe(0);
    expect(() => h.set({ entries: new Uint8Array(2), boxes: new Float32Array(4) })).toThrow(/multiple of 6/);
    h.dispose();
    mesh.dispose();
  });

  it('without semantics only boxes can select', () => {
    const mesh = new SplatMesh({ packedSplats: packedSplatsFromArrays(arrays(10)), lod: false });
    const h = new SplatHighlighter(mesh, arrays(10));
    const { uniform } = compile(mesh);
    expect(uniform('highlightSemanticCount')).toBe(0);
    expect(h.semanticBytes).toBe(2);
    h.dispose();
    mesh.dispose();
  });
});
