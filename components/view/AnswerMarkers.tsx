'use client';
/**
 * In-scene answer display: per answer a box outline, a floating label (name + distance from the user)
 * with a leader line down to the object, and, when the best answer is outside the field of view, an
 * arrow in front of the user pointing towards it. Answers are in the frame of the parent group (the
 * room on /view, the anchored scan frame on /scan); distances and the arrow are worked out in world
 * coordinates through that parent's matrixWorld.
 */
import { useFrame, useThree } from '@react-three/fiber';
import { useEffect, useMemo, useRef } from 'react';
import * as THREE from 'three';
import type { ViewAnswer } from '@/lib/web/view/view-answer';
import { arrowPose, worldPoint } from '@/lib/web/view/marker-frame';

/** A dark label with a coloured frame (sprites in XR, where there is no DOM). */
export function labelTexture(text: string, colour: string, width = 512): THREE.CanvasTexture {
  const c = document.createElement('canvas');
  c.width = width;
  c.height = 96;
  const g = c.getContext('2d')!;
  g.fillStyle = 'rgba(10,14,18,0.82)';
  g.fillRect(0, 0, c.width, c.height);
  g.strokeStyle = colour;
  g.lineWidth = 6;
  g.strokeRect(3, 3, c.width - 6, c.height - 6);
  g.fillStyle = '#fff';
  g.font = 'bold 44px sans-serif';
  g.textBaseline = 'middle';
  g.fillText(text, 20, c.height / 2, c.width - 40);
  const t = new THREE.CanvasTexture(c);
  t.colorSpace = THREE.SRGBColorSpace;
  return t;
}

const COLOURS = { scene: '#ffd23f', device: '#3fb8ff', both: '#7dff6a' } as const;

function Marker({ a, index }: { a: ViewAnswer; index: number }) {
  const camera = useThree((s) => s.camera);
  const colour = COLOURS[a.source];
  const size = a.box.max.map((v, k) => Math.max(0.02, v - a.box.min[k])) as [number, number, number];
  const centre = a.box.max.map((v, k) => (v + a.box.min[k]) / 2) as [number, number, number];
  const top: [number, number, number] = [a.centroid[0], a.box.max[1], a.centroid[2]];
  const labelPos: [number, number, number] = [a.centroid[0], a.box.max[1] + 0.35, a.centroid[2]];
  const sprite = useRef<THREE.Sprite>(null);
  const root = useRef<THREE.Group>(null);
  const lastText = useRef('');
  const edges = useMemo(() => new THREE.EdgesGeometry(new THREE.BoxGeometry(...size)), [size[0], size[1], size[2]]); // eslint-disable-line react-hooks/exhaustive-deps
  const leader = useMemo(() => new THREE.BufferGeometry().setFromPoints([new THREE.Vector3(...top), new THREE.Vector3(...labelPos)]), [top[0], top[1], top[2]]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => () => {
    edges.dispose();
    leader.dispose();
  }, [edges, leader]);
  useFrame(() => {
    const s = sprite.current;
    const g = root.current;
    if (!s || !g) return;
    // The marker's group has no transform of its own: its matrixWorld is its parent's.
    const d = camera.getWorldPosition(new THREE.Vector3()).distanceTo(worldPoint(a.centroid, g.matrixWorld));
    const text = `${index + 1}. ${a.label.toLowerCase().replace(/_/g, ' ')} · ${d.toFixed(1)} m`;
    if (text !== lastText.current) {
      lastText.current = text;
      const mat = s.material as THREE.SpriteMaterial;
      mat.map?.dispose();
      mat.map = labelTexture(text, colour);
      mat.needsUpdate = true;
    }
  });
  return (
    <group ref={root}>
      <lineSegments geometry={edges} position={centre}>
        <lineBasicMaterial color={colour} depthTest={false} transparent />
      </lineSegments>
      <lineSegments geometry={leader}>
        <lineBasicMaterial color={colour} depthTest={false} transparent />
      </lineSegments>
      <sprite ref={sprite} position={labelPos} scale={[0.5, 0.094, 1]} renderOrder={10}>
        <spriteMaterial depthTest={false} transparent />
      </sprite>
    </group>
  );
}

/** Arrow 0.8 m ahead of the camera pointing at `target` when it is off screen. */
function OffscreenArrow({ target }: { target: [number, number, number] }) {
  const ref = useRef<THREE.Group>(null);
  const camera = useThree((s) => s.camera);
  useFrame(() => {
    const g = ref.current;
    if (!g) return;
    const parentWorld = g.parent?.matrixWorld ?? new THREE.Matrix4();
    const t = worldPoint(target, parentWorld);
    const ndc = t.clone().project(camera);
    const camPos = camera.getWorldPosition(new THREE.Vector3());
    const fwd = camera.getWorldDirection(new THREE.Vector3());
    const behind = fwd.dot(t.clone().sub(camPos)) < 0;
    const visible = !behind && Math.abs(ndc.x) <= 0.95 && Math.abs(ndc.y) <= 0.95;
    g.visible = !visible;
    if (visible) return;
    const pose = arrowPose(t, camPos, fwd, parentWorld);
    g.position.copy(pose.position);
    g.quaternion.copy(pose.quaternion);
  });
  return (
    <group ref={ref} visible={false}>
      <mesh position={[0, 0.06, 0]} renderOrder={11}>
        <coneGeometry args={[0.04, 0.12, 16]} />
        <meshBasicMaterial color="#ff5a36" depthTest={false} transparent />
      </mesh>
      <mesh renderOrder={11}>
        <cylinderGeometry args={[0.012, 0.012, 0.1, 8]} />
        <meshBasicMaterial color="#ff5a36" depthTest={false} transparent />
      </mesh>
    </group>
  );
}

/**
 * `onPlaced` (optional) gets, every frame, the answers' centroids in world coordinates and their
 * distances from the camera: the page shows the distances in its list (and tests read the positions).
 */
export function AnswerMarkers({ answers, onPlaced }: { answers: readonly ViewAnswer[]; onPlaced?: (world: [number, number, number][], distances: number[]) => void }) {
  const invalidate = useThree((s) => s.invalidate);
  const camera = useThree((s) => s.camera);
  const root = useRef<THREE.Group>(null);
  useEffect(() => invalidate(), [answers, invalidate]);
  useFrame(() => {
    const g = root.current;
    if (!onPlaced || !g) return;
    const cam = camera.getWorldPosition(new THREE.Vector3());
    const world = answers.map((a) => worldPoint(a.centroid, g.matrixWorld));
    onPlaced(
      world.map((w) => [w.x, w.y, w.z]),
      world.map((w) => w.distanceTo(cam)),
    );
  });
  return (
    <group ref={root}>
      {answers.map((a, i) => (
        <Marker key={`${i}:${a.label}:${a.centroid.join(',')}`} a={a} index={i} />
      ))}
      {answers.length > 0 && <OffscreenArrow target={answers[0].centroid} />}
    </group>
  );
}
