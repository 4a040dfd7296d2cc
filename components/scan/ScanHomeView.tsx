'use client';
/**
 * /scan outside AR: the floor grid, and after an import the orbit view of the scene as /view and /demo
 * frame it (lib/web/camera-home.ts frameScene, computed by the worker over the scene and the capture
 * cameras in the app world): it starts at a capture camera, orbits the scene's robust centre, and the grid
 * lies on the floor (y = 0) under that centre, sized to the scene. A live scan has no framing: the grid
 * stays the local-floor one at the origin and the XR camera is the view.
 */
import type { SceneFraming } from '@/lib/web/camera-home';
import { OrbitRig } from '../OrbitRig';

export function ScanHomeView({ framing }: { framing: SceneFraming | null }) {
  if (!framing) return <gridHelper args={[4, 8, '#3a4450', '#232a31']} />;
  const c = framing.centre;
  return (
    <>
      <gridHelper args={[framing.gridSize, framing.gridSize * 2, '#3a4450', '#232a31']} position={[c?.[0] ?? 0, framing.floorY, c?.[2] ?? 0]} />
      <OrbitRig home={framing.home} />
    </>
  );
}
