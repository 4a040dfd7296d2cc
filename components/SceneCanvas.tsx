'use client';
/** /demo's 3D view: splats (with an answer's highlight) + capture frusta + answer markers + floor grid, orbit outside XR. */
import { Canvas } from '@react-three/fiber';
import { XR, type XRStore } from '@react-three/xr';
import { useMemo, type ReactNode } from 'react';
import { frameScene } from '@/lib/web/camera-home';
import type { SplatHighlight } from '@/lib/splat/splat-highlight';
import type { SceneBuildResult } from '@/lib/web/scene-build';
import type { ViewAnswer } from '@/lib/web/view/view-answer';
import { CaptureFrusta } from './CaptureFrusta';
import { OrbitRig } from './OrbitRig';
import { SplatScene } from './SplatScene';
import { AnswerMarkers } from './view/AnswerMarkers';

export function SceneCanvas(props: {
  result: SceneBuildResult | null;
  selected?: number;
  xrStore?: XRStore | null;
  inXr?: boolean;
  showFrusta?: boolean;
  /** What an answer lights up in the splats, and its markers (scene frame). */
  highlight?: SplatHighlight | null;
  answers?: readonly ViewAnswer[];
  children?: ReactNode;
}) {
  const { result, selected = 0, xrStore, inXr = false, showFrusta = true, highlight = null, answers = [], children } = props;
  // Through the selected capture frame, orbiting about the robust centre of the splats; grid on the floor.
  const framing = useMemo(() => (result ? frameScene(result.gaussians, result.capture.frames, { selected }) : null), [result, selected]);
  const home = framing?.home ?? null;
  const centre = framing?.centre ?? null;
  const content = (
    <>
      {result && result.gaussians.count > 0 && <SplatScene gaussians={result.gaussians} highlight={highlight} />}
      {answers.length > 0 && <AnswerMarkers answers={answers} />}
      {result && showFrusta && !inXr && <CaptureFrusta frames={result.capture.frames} selected={selected} />}
      {!inXr && framing && <gridHelper args={[framing.gridSize, framing.gridSize * 2, '#3a4450', '#232a31']} position={[centre?.[0] ?? 0, framing.floorY, centre?.[2] ?? 0]} />}
      <OrbitRig home={home} enabled={!inXr} />
      {children}
    </>
  );
  return (
    <div className="scene-canvas" data-testid="scene-canvas" data-splats={result?.gaussians.count ?? 0}>
      {/* On demand: a static scene costs nothing between camera moves (XR sessions drive their own loop). */}
      <Canvas frameloop="demand" camera={{ position: [2, 1.6, 2.5], near: 0.01, far: 200, fov: 60 }} gl={{ antialias: false }} dpr={[1, 2]}>
        {xrStore ? <XR store={xrStore}>{content}</XR> : content}
      </Canvas>
    </div>
  );
}
