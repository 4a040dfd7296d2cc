'use client';
/**
 * In the AR view during a scan: a translucent disc and ring on the floor at each thin area of the coverage
 * report (lib/pipeline/scan-coverage.ts), red where it was seen from one side only, amber where from a few
 * directions. Placed in the scan's world (inside the anchored scene group), at local-floor y = 0, slightly
 * raised so they do not fight the floor; they draw over the splats (no depth test) so they stay visible.
 */
import { DoubleSide } from 'three';
import type { CoverageReport, ThinArea } from '@/lib/pipeline/scan-coverage';

const COLOUR: Record<ThinArea['severity'], string> = { 'one-side': '#ff4d4d', few: '#ffb020' };
const FLOOR_Y = 0.01;

export function CoverageMarkers({ coverage }: { coverage: CoverageReport }) {
  return (
    <group name="coverage-markers">
      {coverage.thinAreas.map((a, i) => {
        const r = Math.max(0.2, a.radius);
        const colour = COLOUR[a.severity];
        return (
          <group key={`${i}:${a.centre[0].toFixed(2)},${a.centre[1].toFixed(2)}`} position={[a.centre[0], FLOOR_Y, a.centre[1]]} rotation={[-Math.PI / 2, 0, 0]}>
            <mesh renderOrder={5}>
              <circleGeometry args={[r, 40]} />
              <meshBasicMaterial color={colour} transparent opacity={0.18} depthWrite={false} depthTest={false} side={DoubleSide} />
            </mesh>
            <mesh renderOrder={6}>
              <ringGeometry args={[r * 0.9, r, 40]} />
              <meshBasicMaterial color={colour} transparent opacity={0.6} depthWrite={false} depthTest={false} side={DoubleSide} />
            </mesh>
          </group>
        );
      })}
    </group>
  );
}
