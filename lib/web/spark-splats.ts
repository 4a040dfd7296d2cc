/**
 * GaussianArrays -> Spark PackedSplats (16 bytes per splat: half-float centre, log-quantised
 * scales, octahedral quaternion, RGBA8). Browser only: Spark pulls in WebGL code.
 */
import { PackedSplats, setPackedSplat, utils } from '@sparkjsdev/spark';
import type { WebGLRenderer } from 'three';
import type { GaussianArrays } from './scene-build';
import { DISPLAY_ROW as SPLAT_ROW, type DisplaySplats } from '../splat/scene-delta';

export function packedSplatsFromArrays(g: GaussianArrays): PackedSplats {
  const n = g.count;
  if (!Number.isInteger(n) || n < 0) throw new Error(`packedSplatsFromArrays: bad count ${n}`);
  if (g.positions.length < n * 3 || g.scales.length < n * 3 || g.rotations.length < n * 4 || g.opacities.length < n || g.colors.length < n * 3)
    throw new Error(`packedSplatsFromArrays: arrays shorter than count ${n}`);
  // Spark floors maxSplats to its texture layout: size the array the way it would.
  const packedArray = new Uint32Array(utils.computeMaxSplats(Math.max(1, n)) * 4);
  const { positions: p, scales: s, rotations: q, opacities: o, colors: c } = g;
  for (let i = 0; i < n; i++) {
    setPackedSplat(
      packedArray, i,
      p[3 * i], p[3 * i + 1], p[3 * i + 2],
      s[3 * i], s[3 * i + 1], s[3 * i + 2],
      q[4 * i], q[4 * i + 1], q[4 * i + 2], q[4 * i + 3],
      o[i],
      c[3 * i], c[3 * i + 1], c[3 * i + 2],
    );
  }
  return new PackedSplats({ packedArray, numSplats: n });
}

/**
 * Re-uploads only texture rows [row, row + rows) of `packed` (Spark keeps one RGBA32UI texel per splat
 * in a 2048-wide 2D-array texture) after their words were edited in place. Before the texture exists
 * on the GPU, or for rows past its first layer, the whole texture goes up as Spark would do it.
 */
export function uploadDirtyRows(renderer: WebGLRenderer, packed: PackedSplats, runs: { row: number; rows: number }[]): 'none' | 'rows' | 'whole' {
  if (!runs.length) return 'none';
  const tex = packed.source;
  const words = packed.packedArray;
  const glTex = tex ? (renderer.properties.get(tex) as { __webglTexture?: WebGLTexture }).__webglTexture : undefined;
  const img = tex?.image as { width: number; height: number; depth: number } | undefined;
  if (!tex || !glTex || !words || !img || img.width !== SPLAT_ROW || runs.some((r) => r.row + r.rows > img.height)) {
    packed.needsUpdate = true;
    return 'whole';
  }
  const gl = renderer.getContext() as WebGL2RenderingContext;
  const state = renderer.state;
  state.bindTexture(gl.TEXTURE_2D_ARRAY, glTex);
  state.pixelStorei(gl.UNPACK_ALIGNMENT, 4);
  state.pixelStorei(gl.UNPACK_FLIP_Y_WEBGL, false);
  state.pixelStorei(gl.UNPACK_PREMULTIPLY_ALPHA_WEBGL, false);
  state.pixelStorei(gl.UNPACK_ROW_LENGTH, 0);
  state.pixelStorei(gl.UNPACK_IMAGE_HEIGHT, 0);
  state.pixelStorei(gl.UNPACK_SKIP_PIXELS, 0);
  state.pixelStorei(gl.UNPACK_SKIP_ROWS, 0);
  state.pixelStorei(gl.UNPACK_SKIP_IMAGES, 0);
  for (const r of runs)
    gl.texSubImage3D(gl.TEXTURE_2D_ARRAY, 0, 0, r.row, 0, SPLAT_ROW, r.rows, 1, gl.RGBA_INTEGER, gl.UNSIGNED_INT, words, r.row * SPLAT_ROW * 4);
  return 'rows';
}

/**
 * Brings `packed` (made over display.packed) up to date with the display: its count and dirty rows.
 * Whole-texture uploads (the texture was not on the GPU yet) are counted in `display.renderer.wholeUploads`.
 */
export function syncDisplay(renderer: WebGLRenderer, packed: PackedSplats, display: DisplaySplats): void {
  if (packed.packedArray !== display.packed) throw new Error('syncDisplay: the PackedSplats was not made over this display');
  packed.numSplats = display.count;
  const rows = display.takeDirtyRows();
  const how = uploadDirtyRows(renderer, packed, rows);
  if (how === 'whole') display.renderer.wholeUploads++;
  else if (how === 'rows') display.renderer.rowsUploaded += rows.reduce((n, r) => n + r.rows, 0);
}
