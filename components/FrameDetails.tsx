/** Intrinsics, pose and depth of one capture frame. */
import type { FrameSummary } from '@/lib/web/scene-build';

const n = (x: number, d = 2) => x.toFixed(d);

export function FrameDetails({ frame }: { frame: FrameSummary }) {
  const k = frame.intrinsics;
  const m = frame.cameraToWorld;
  return (
    <dl className="frame-details" data-testid="frame-details">
      <dt>Frame</dt>
      <dd>
        {frame.id}
        {frame.approxPose ? ' (approximate pose)' : ''}
      </dd>
      <dt>Image</dt>
      <dd>
        {k.width} × {k.height} px
      </dd>
      <dt>Intrinsics</dt>
      <dd>
        fx {n(k.fx, 1)}, fy {n(k.fy, 1)}, cx {n(k.cx, 1)}, cy {n(k.cy, 1)} px
        {k.distortion ? ` · k1 ${n(k.distortion.k1, 3)} k2 ${n(k.distortion.k2, 3)}` : ''}
      </dd>
      <dt>Position</dt>
      <dd>
        ({n(m[12])}, {n(m[13])}, {n(m[14])}) m
      </dd>
      <dt>Looking</dt>
      <dd>
        ({n(-m[8])}, {n(-m[9])}, {n(-m[10])})
      </dd>
      <dt>Depth</dt>
      <dd>
        {frame.depth
          ? `${frame.depth.width} × ${frame.depth.height}, ${n(frame.depth.min)}–${n(frame.depth.max)} m, ${Math.round(frame.depth.validFraction * 100)}% valid`
          : 'none'}
      </dd>
    </dl>
  );
}
