'use client';
/**
 * /scan: phone capture. "Enter AR scan" starts the immersive-ar session with every capture feature
 * requested; keyframes are read from the camera, stored in IndexedDB and reconstructed live in a
 * worker (lib/web/scan/scan-controller.ts). docs/SCAN.md describes the flow.
 */
import { Canvas } from '@react-three/fiber';
import { IfInSessionMode, XR } from '@react-three/xr';
import { useEffect, useState, useSyncExternalStore } from 'react';
import { XR_OPTIONAL_FEATURES, XR_REQUIRED_FEATURES } from '@/lib/web/xr-session-init';
import { maybeInstallXrEmulation, parseXrEmulationFlag } from '@/lib/web/xr-emulation';
import { ScanController } from '@/lib/web/scan/scan-controller';
import { readScanPageParams } from '@/lib/web/scan/scan-params';
import { loadSimCamera } from '@/lib/web/scan/sim-camera';
import { isQuestBrowser, QuestPassthrough } from '@/lib/web/scan/quest-passthrough';
import { ArScanContent } from './ArScanContent';
import { XrButton } from './XrButton';
import { useXrSession } from './useXrSession';
import { ScanCapture } from './scan/ScanCapture';
import { ScanPanel } from './scan/ScanPanel';
import { ScanHomeView } from './scan/ScanHomeView';

function useScanController(): { controller: ScanController | null; error: string } {
  const [controller, setController] = useState<ScanController | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    let c: ScanController | null = null;
    let cancelled = false;
    (async () => {
      try {
        const params = readScanPageParams(location.search);
        const sim = params.simRoom ? await loadSimCamera(params.simRoom) : null;
        if (cancelled) return;
        c = new ScanController({ maxSplats: params.maxSplats, sim, modelsBase: params.modelsBase, testModels: params.testModels });
        if (sim) await maybeInstallXrEmulation();
        // TEST-ONLY hook (test camera or ?xr-emulate): the browser tests read what was captured and the
        // live display's costs (the emulated device is window.__segsplatXrDevice, lib/web/xr-emulation.ts).
        if (sim || parseXrEmulationFlag(location.search)) Object.assign(window, { __segsplatScan: c });
        setController(c);
        await c.init();
      } catch (e) {
        if (!cancelled) setError(e instanceof Error ? e.message : String(e));
      }
    })();
    return () => {
      cancelled = true;
      c?.dispose();
    };
  }, []);
  return { controller, error };
}

const noop = () => () => {};

/** The TEST-ONLY camera brings its own depth, so its session does not ask for the device's (lib/web/xr-session-init.ts). */
const depthSensingWanted = (search: string): boolean => {
  try {
    return readScanPageParams(search).simRoom === null || parseXrEmulationFlag(search)?.readbacks === true;
  } catch {
    return true; // bad flags are reported by useScanController
  }
};
const SCAN_XR_OPTIONS = { depthSensing: depthSensingWanted };

export default function ScanClient() {
  const xr = useXrSession(SCAN_XR_OPTIONS);
  const { controller, error } = useScanController();
  const state = useSyncExternalStore(
    controller ? (fn) => controller.subscribe(fn) : noop,
    () => controller?.state ?? null,
    () => null,
  );
  const [questMsg, setQuestMsg] = useState('');
  const granted = new Set(xr.grantedFeatures);
  const quest = typeof navigator !== 'undefined' && isQuestBrowser(navigator.userAgent);

  const allowHeadsetCameras = async () => {
    if (!controller) return;
    try {
      controller.attachQuestPassthrough(await QuestPassthrough.start());
      setQuestMsg('Headset cameras allowed: enter AR to scan.');
    } catch (e) {
      setQuestMsg(`Scanning is impossible here: ${e instanceof Error ? e.message : String(e)}. Import a capture instead.`);
    }
  };

  return (
    <div
      className="scan-page"
      data-testid="scan"
      data-scan-ready={controller && state?.storeReady ? 'yes' : 'no'}
      data-anchor={state?.anchor ?? 'waiting'}
      data-answer-seq={state?.answer?.seq ?? 0}
      data-answer-count={state?.answer?.answers.length ?? 0}
      data-marker-count={state?.answer?.markers.length ?? 0}
      data-markers={JSON.stringify(state?.answer?.markers.map((m) => m.map((v) => +v.toFixed(3))) ?? [])}
    >
      <section className="panel">
        <p>
          Walk around the room with an ARCore phone in Chrome (or a Quest 3). Each keyframe stores the camera image, its exact pose and
          intrinsics, and the depth map, ready to become Gaussians.
        </p>
        {quest && (
          <p>
            <button type="button" onClick={() => void allowHeadsetCameras()}>
              Allow headset cameras
            </button>{' '}
            (asked before entering AR: the permission prompt cannot show inside the immersive session) {questMsg}
          </p>
        )}
        <XrButton label="Enter AR scan" {...xr} onEnter={xr.enter} onExit={xr.exit} />
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {controller && state && <ScanPanel controller={controller} state={state} />}
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
                <td>{(XR_REQUIRED_FEATURES as readonly string[]).includes(f) ? 'required' : f === 'depth-sensing' && controller && !depthSensingWanted(location.search) ? 'no (test camera)' : 'optional'}</td>
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
                <ScanHomeView framing={state?.framing ?? null} />
              </IfInSessionMode>
              <axesHelper args={[0.3]} />
              <ArScanContent />
              {controller && <ScanCapture controller={controller} granted={xr.grantedFeatures} update={state?.update ?? null} answer={state?.answer ?? null} />}
            </XR>
          </Canvas>
        )}
      </section>
    </div>
  );
}
