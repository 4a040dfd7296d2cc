'use client';
/** /scan: phone capture. For now: start the immersive-ar session with every capture feature requested. */
import { Canvas } from '@react-three/fiber';
import { IfInSessionMode, XR } from '@react-three/xr';
import { XR_OPTIONAL_FEATURES, XR_REQUIRED_FEATURES } from '@/lib/web/xr-session-init';
import { ArScanContent } from './ArScanContent';
import { XrButton } from './XrButton';
import { useXrSession } from './useXrSession';

export default function ScanClient() {
  const xr = useXrSession();
  const granted = new Set(xr.grantedFeatures);
  return (
    <div className="scan-page" data-testid="scan">
      <section className="panel">
        <p>
          Walk around the room with an ARCore phone in Chrome. Each keyframe stores the camera image, its exact pose and intrinsics,
          and the depth map, ready to become Gaussians.
        </p>
        <XrButton label="Enter AR scan" {...xr} onEnter={xr.enter} onExit={xr.exit} />
        <table className="features">
          <thead>
            <tr>
              <th>Feature</th>
              <th>Requested</th>
              <th>Granted</th>
            </tr>
          </thead>
          <tbody>
            {[...XR_REQUIRED_FEATURES, ...XR_OPTIONAL_FEATURES].map((f) => (
              <tr key={f}>
                <td>{f}</td>
                <td>{(XR_REQUIRED_FEATURES as readonly string[]).includes(f) ? 'required' : 'optional'}</td>
                <td>{xr.state === 'active' ? (granted.has(f) ? 'yes' : granted.size ? 'no' : '?') : '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section className="viewer">
        {xr.store && (
          <Canvas frameloop="demand" camera={{ position: [0, 1.6, 2], fov: 60 }} gl={{ antialias: false }}>
            <XR store={xr.store}>
              <IfInSessionMode deny="immersive-ar">
                <gridHelper args={[4, 8, '#3a4450', '#232a31']} />
              </IfInSessionMode>
              <axesHelper args={[0.3]} />
              <ArScanContent />
            </XR>
          </Canvas>
        )}
      </section>
    </div>
  );
}
