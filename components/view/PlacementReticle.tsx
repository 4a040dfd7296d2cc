'use client';
/**
 * Hit-test reticle for placing the scene in AR: where the viewer's centre ray meets the real world
 * (WebXR hit-test, 'viewer' space). The latest hit is written to `hitRef` (room frame, metres) for the
 * page's "Place at the reticle" button and the session's select event.
 */
import type { MutableRefObject } from 'react';
import { HitTestReticle } from '../HitTestReticle';

export function PlacementReticle({ hitRef }: { hitRef: MutableRefObject<[number, number, number] | null> }) {
  return <HitTestReticle inner={0.08} outer={0.11} color="#7dff6a" hitRef={hitRef} />;
}
