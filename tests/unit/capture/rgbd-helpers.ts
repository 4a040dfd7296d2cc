/** The real RGB-D capture in ../shared and a depth-consistency measure for pose conventions. */
import { fileURLToPath } from 'node:url';
import type { DepthMap } from '../../../lib/capture/frame';
import { invertRigid, transformPoint } from '../../../lib/capture/pose';

export const REDKITCHEN = fileURLToPath(new URL('../../../../shared/data/redkitchen', import.meta.url));

/**
 * |depth of frame b - depth of frame a carried into b| over pixels both measure, in metres (every
 * `step`-th pixel of a). Uses Frame's conventions only: OpenGL camera axes, pixel centres at +0.5.
 */
export function reprojectionErrors(a: DepthMap, poseA: ArrayLike<number>, b: DepthMap, poseB: ArrayLike<number>, step = 4): number[] {
  const toB = invertRigid(poseB);
  const ka = a.intrinsics, kb = b.intrinsics;
  const errs: number[] = [];
  for (let v = 0; v < a.height; v += step)
    for (let u = 0; u < a.width; u += step) {
      const z = a.data[v * a.width + u];
      if (!(z > 0)) continue;
      const xc = ((u + 0.5 - ka.cx) / ka.fx) * z, yc = -((v + 0.5 - ka.cy) / ka.fy) * z;
      const [wx, wy, wz] = transformPoint(poseA, xc, yc, -z);
      const [bx, by, bz] = transformPoint(toB, wx, wy, wz);
      const zb = -bz;
      if (!(zb > 0)) continue;
      const ub = Math.floor((bx / zb) * kb.fx + kb.cx), vb = Math.floor((-by / zb) * kb.fy + kb.cy);
      if (ub < 0 || vb < 0 || ub >= b.width || vb >= b.height) continue;
      const zm = b.data[vb * b.width + ub];
      if (zm > 0) errs.push(Math.abs(zm - zb));
    }
  return errs;
}

