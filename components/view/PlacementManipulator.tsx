'use client';
/**
 * Moves/turns the placed scene by hand in an AR session (Quest Browser has no dom-overlay, so the
 * page's buttons cannot be reached in the headset). Raw WebXR input, because the app turns
 * @react-three/xr's controller/hand models off (their profiles come from a CDN) and input sources
 * exist without them. The gesture mapping (lib/align/placement-gestures.ts): squeeze grabs at once,
 * a select (trigger / pinch) that moves drags, a select released without moving is a tap and places
 * the scene at the reticle (announced to the page with PLACE_TAP_EVENT on the session; the page owns
 * placement); two holding hands turn it by the vector between them; the thumbstick turns it about its
 * centre (x) or pushes/pulls it along the view direction (y). The maths is lib/align/manipulation.ts.
 * While the hands move, `onLive` gets the pose (drawn, not anchored); when the last hand lets go / the
 * stick returns, `onCommit` gets it so the page re-anchors it as after placement or auto-align. An
 * in-XR label shows the pose and the change. Selects claimed by the in-XR query panel (`claims`) are
 * left alone: pressing a key neither places nor drags the scene.
 */
import { useFrame, useThree } from '@react-three/fiber';
import { useEffect, useRef, useState } from 'react';
import * as THREE from 'three';
import { manipulationLabel, PlacementManipulation } from '@/lib/align/manipulation';
import { poseDifference, type Pose2D } from '@/lib/align/pose-2d';
import { PLACE_TAP_EVENT, XrManipulationInput } from '@/lib/web/view/xr-manipulation-input';
import type { XrSelectClaims } from '@/lib/web/view/xr-select-claims';
import { labelTexture } from './AnswerMarkers';

const LABEL_MS = 4000;

export function PlacementManipulator({
  pose,
  pivotLocal,
  onLive,
  onCommit,
  claims = null,
}: {
  /** The committed placement (page state). */
  pose: Pose2D;
  /** Scene point (local x, z) the thumbstick turns about: its floor-plan centre. */
  pivotLocal: readonly [number, number] | null;
  onLive: (p: Pose2D | null) => void;
  onCommit: (p: Pose2D) => void;
  /** Selects that belong to the query panel (xr-select-claims.ts). */
  claims?: XrSelectClaims | null;
}) {
  const gl = useThree((s) => s.gl);
  const camera = useThree((s) => s.camera);
  const model = useRef<PlacementManipulation | null>(null);
  const input = useRef(new XrManipulationInput());
  const session = useRef<XRSession | null>(null);
  const startPose = useRef<Pose2D>(pose);
  const shown = useRef<{ text: string; until: number }>({ text: '', until: 0 });
  const sprite = useRef<THREE.Sprite>(null);
  const lastText = useRef('');

  // A pose set from outside (auto-align, reticle, buttons, the anchor re-localising): continue from it.
  useEffect(() => {
    if (!model.current) model.current = new PlacementManipulation(pose);
    else model.current.setPose(pose);
  }, [pose]);

  // Input events of the current session, kept as sets the per-frame step reads.
  const [listen] = useState(() => {
    const i = () => input.current;
    const handlers: Record<string, (e: XRInputSourceEvent) => void> = {
      squeezestart: (e) => void i().squeezing.add(e.inputSource),
      squeezeend: (e) => void i().squeezing.delete(e.inputSource),
      selectstart: (e) => void i().selecting.add(e.inputSource),
      selectend: (e) => void i().selecting.delete(e.inputSource),
    };
    return (s: XRSession | null, on: boolean) => {
      for (const [type, fn] of Object.entries(handlers)) {
        if (on) s?.addEventListener(type, fn as EventListener);
        else s?.removeEventListener(type, fn as EventListener);
      }
    };
  });
  // Leaving XR mid-grab keeps where the hands left it.
  const callbacks = useRef({ onLive, onCommit });
  useEffect(() => {
    callbacks.current = { onLive, onCommit };
  });
  useEffect(() => {
    return () => {
      const m = model.current;
      if (m?.active) callbacks.current.onCommit(m.releaseAll());
      callbacks.current.onLive(null);
      listen(session.current, false);
      session.current = null;
    };
  }, [listen]);

  useFrame((_s, delta, xrFrame) => {
    const frame = xrFrame as XRFrame | undefined;
    const ref = gl.xr.getReferenceSpace();
    const m = model.current;
    if (!frame || !ref || !m) return;
    if (session.current !== frame.session) {
      listen(session.current, false);
      input.current.reset();
      session.current = frame.session;
      listen(session.current, true);
    }
    input.current.claims = claims;
    const wasActive = m.active;
    const before = m.pose;
    if (!wasActive) startPose.current = before;
    try {
      const dir = camera.getWorldDirection(new THREE.Vector3());
      const taps = input.current.step(m, frame, ref, frame.session.inputSources, delta, pivotLocal, [dir.x, dir.z]);
      // One placement per frame is enough, however many hands tapped.
      if (taps > 0) frame.session.dispatchEvent(new Event(PLACE_TAP_EVENT));
    } catch {
      // A non-finite pose from the runtime: drop the grab rather than the scene.
      m.releaseAll();
    }
    const after = m.pose;
    const now = performance.now();
    if (m.active) {
      const d = poseDifference(after, before);
      if (d.metres > 1e-5 || d.degrees > 1e-4) onLive(after);
      shown.current = { text: manipulationLabel(after, startPose.current), until: now + LABEL_MS };
    } else if (wasActive) {
      const d = poseDifference(after, startPose.current);
      if (d.metres > 1e-4 || d.degrees > 0.01) onCommit(after);
      onLive(null);
      shown.current = { text: manipulationLabel(after, startPose.current), until: now + LABEL_MS };
    }
    // The label: 0.9 m ahead of the viewer, a little below eye level.
    const s = sprite.current;
    if (!s) return;
    s.visible = now < shown.current.until && shown.current.text !== '';
    if (!s.visible) return;
    const eye = camera.getWorldPosition(new THREE.Vector3());
    const fwd = camera.getWorldDirection(new THREE.Vector3()).setY(0);
    if (fwd.lengthSq() < 1e-6) fwd.set(0, 0, -1);
    fwd.normalize();
    s.position.set(eye.x + fwd.x * 0.9, eye.y - 0.25, eye.z + fwd.z * 0.9);
    if (shown.current.text !== lastText.current) {
      lastText.current = shown.current.text;
      const mat = s.material as THREE.SpriteMaterial;
      mat.map?.dispose();
      mat.map = labelTexture(shown.current.text, '#7dff6a', 1024);
      mat.needsUpdate = true;
    }
  });
  return (
    <sprite ref={sprite} visible={false} scale={[0.6, 0.056, 1]} renderOrder={12}>
      <spriteMaterial depthTest={false} transparent />
    </sprite>
  );
}
