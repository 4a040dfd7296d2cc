'use client';
/**
 * /view's 3D view: the scene's splats (an answer highlighted by a shader modifier, so asking never
 * rebuilds them: data-splat-builds counts the PackedSplats builds) inside a group placed by the scene's Pose2D
 * in the room, the answer markers in room coordinates, orbit controls outside XR, and in an XR session a
 * probe that collects the headset's detected planes/meshes (room labels, alignment target) and hand
 * manipulation of the placement (squeeze-drag, two-hand turn, thumbstick) and the in-XR query panel (its
 * selects are claimed, so they never place or drag the scene).
 */
import { Canvas, useFrame, useThree } from '@react-three/fiber';
import { XR, type XRStore } from '@react-three/xr';
import { useCallback, useMemo, useRef, useState, type MutableRefObject } from 'react';
import * as THREE from 'three';
import type { DeviceEntity } from '@/lib/inference/semantics/device-labels';
import type { Pose2D } from '@/lib/align/pose-2d';
import type { SplatHighlight } from '@/lib/splat/splat-highlight';
import type { SceneFraming } from '@/lib/web/camera-home';
import type { GaussianArrays } from '@/lib/web/scene-build';
import type { ViewAnswer } from '@/lib/web/view/view-answer';
import { roomEntitiesFromFrame, type XrFrameLike } from '@/lib/web/view/xr-room';
import { XrSelectClaims } from '@/lib/web/view/xr-select-claims';
import { OrbitRig } from '../OrbitRig';
import { SplatScene } from '../SplatScene';
import { AnswerMarkers } from './AnswerMarkers';
import { PlacementManipulator } from './PlacementManipulator';
import { PlacementReticle } from './PlacementReticle';
import { SceneAnchor } from './SceneAnchor';
import { XrQueryPanel } from './XrQueryPanel';

/** Collects labelled planes/meshes about once a second while an XR session runs. */
function XrRoomProbe({ onRoom }: { onRoom: (e: DeviceEntity[]) => void }) {
  const gl = useThree((s) => s.gl);
  const last = useRef(0);
  useFrame((_s, _d, frame) => {
    if (!frame) return;
    const now = performance.now();
    if (now - last.current < 1000) return;
    last.current = now;
    const ref = gl.xr.getReferenceSpace();
    if (!ref) return;
    try {
      onRoom(roomEntitiesFromFrame(frame as unknown as XrFrameLike, ref));
    } catch {
      // A plane or mesh that vanished between listing and posing: the next second tries again.
    }
  });
  return null;
}

/** Keeps the viewer's world position in a ref (distances in the answer list). */
function CameraProbe({ targetRef }: { targetRef: MutableRefObject<[number, number, number] | null> }) {
  const camera = useThree((s) => s.camera);
  useFrame(() => {
    const p = camera.getWorldPosition(new THREE.Vector3());
    targetRef.current = [p.x, p.y, p.z];
  });
  return null;
}

export function ViewCanvas(props: {
  /** What the answer lights up in `base` (null: the splats as they are). */
  highlight: SplatHighlight | null;
  base: GaussianArrays | null;
  /** Start camera, orbit centre and floor grid (lib/web/camera-home.ts frameScene). */
  framing: SceneFraming | null;
  xrStore: XRStore | null;
  inXr: boolean;
  pose: Pose2D;
  answers: readonly ViewAnswer[];
  onRoom: (e: DeviceEntity[]) => void;
  viewer: MutableRefObject<[number, number, number] | null>;
  /** Latest hit-test point in AR (room frame), for placing the scene. */
  hit: MutableRefObject<[number, number, number] | null>;
  /** Anchor the pose (bumped `poseVersion` = the user set a new pose); the anchor may move it. */
  poseVersion: number;
  onAnchorPose: (p: Pose2D) => void;
  onAnchored: (ok: boolean) => void;
  /** The in-XR query panel: the page's ask, the readout line and the quick picks (null: no panel). */
  query?: { onAsk: (text: string) => void; readout: string; chips: readonly string[]; busy: boolean; action?: { label: string; run: () => void } | null } | null;
}) {
  const { highlight, base, framing, xrStore, inXr, pose, answers, onRoom, viewer, hit, poseVersion, onAnchorPose, onAnchored, query } = props;
  const [claims] = useState(() => new XrSelectClaims());
  const home = framing?.home ?? null;
  // Hand manipulation in AR: `live` is drawn while the hands move; on release the pose goes to the page
  // (onAnchorPose) and `manipulated` bumps the anchor version, so SceneAnchor anchors it like a pose set
  // by the buttons or auto-align (both counters only grow, so their sum changes whenever either does).
  const [live, setLive] = useState<Pose2D | null>(null);
  const [manipulated, setManipulated] = useState(0);
  const centre = framing?.centre ?? null;
  const pivotLocal = useMemo<[number, number] | null>(() => (centre ? [centre[0], centre[2]] : null), [centre]);
  const onCommit = useCallback(
    (p: Pose2D) => {
      onAnchorPose(p);
      setManipulated((n) => n + 1);
    },
    [onAnchorPose],
  );
  const shown = inXr && live ? live : pose;
  const [builds, setBuilds] = useState(0);
  const onBuilt = useCallback(() => setBuilds((n) => n + 1), []);
  const content = (
    <>
      <group position={[shown.x, 0, shown.z]} rotation={[0, shown.yaw, 0]}>
        {base && base.count > 0 && <SplatScene gaussians={base} highlight={highlight} onBuilt={onBuilt} />}
      </group>
      <AnswerMarkers answers={answers} />
      {!inXr && framing && <gridHelper args={[framing.gridSize, framing.gridSize * 2, '#3a4450', '#232a31']} position={[centre?.[0] ?? 0, framing.floorY, centre?.[2] ?? 0]} />}
      <OrbitRig home={home} enabled={!inXr} />
      {inXr && <XrRoomProbe onRoom={onRoom} />}
      {inXr && <PlacementReticle hitRef={hit} />}
      {inXr && <SceneAnchor pose={pose} version={poseVersion + manipulated} onPose={onAnchorPose} onAnchored={onAnchored} />}
      {inXr && <PlacementManipulator pose={pose} pivotLocal={pivotLocal} onLive={setLive} onCommit={onCommit} claims={claims} />}
      {inXr && query && <XrQueryPanel onAsk={query.onAsk} readout={query.readout} chips={query.chips} busy={query.busy} action={query.action} claims={claims} />}
      <CameraProbe targetRef={viewer} />
    </>
  );
  return (
    <div className="scene-canvas" data-testid="scene-canvas" data-splats={base?.count ?? 0} data-splat-builds={builds} data-home-camera={framing?.camera ?? -1} data-floor-y={framing?.floorY ?? 0}>
      <Canvas frameloop="demand" camera={{ position: [2, 1.6, 2.5], near: 0.01, far: 200, fov: 60 }} gl={{ antialias: false, preserveDrawingBuffer: false }} dpr={[1, 2]}>
        {xrStore ? <XR store={xrStore}>{content}</XR> : content}
      </Canvas>
    </div>
  );
}
