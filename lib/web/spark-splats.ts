/**
 * GaussianArrays -> Spark PackedSplats (16 bytes per splat: half-float centre, log-quantised
 * scales, octahedral quaternion, RGBA8). Browser only: Spark pulls in WebGL code.
 */
import { PackedSplats, setPackedSplat, utils } from '@sparkjsdev/spark';
import type { GaussianArrays } from './scene-build';

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
