/**
 * Query flags of /scan beyond the XR emulation flag (lib/web/xr-emulation.ts):
 *
 *   &test-camera=sim   TEST-ONLY frame source: renders the emulated @iwer/sem room at the emulated
 *                      camera pose (lib/sim rasterizer), because the emulator has no camera-access.
 *                      Needs ?xr-emulate=quest3&room=<room>; refused otherwise.
 *   &max-splats=N      renderer budget (default 200000)
 *   &models=/path/     TEST-ONLY model base URL for stand-ins (lib/web/page-params.ts readModelsParam)
 */
import { parseXrEmulationFlag, type XrRoom } from '../xr-emulation';
import { readMaxSplats, readModelsParam } from '../page-params';

export interface ScanPageParams {
  /** The room the test camera renders, or null for the real camera. */
  simRoom: XrRoom | null;
  maxSplats: number;
  /** Base URL of the model manifest and files, and whether it is the test-only override. */
  modelsBase: string;
  testModels: boolean;
}

export function readScanPageParams(search: string): ScanPageParams {
  const p = new URLSearchParams(search);
  const cam = p.get('test-camera');
  let simRoom: XrRoom | null = null;
  if (cam !== null) {
    if (cam !== 'sim') throw new Error(`test-camera=${cam}: only "sim" is supported`);
    const emu = parseXrEmulationFlag(search);
    if (!emu || !emu.room) throw new Error('test-camera=sim needs the emulated session with a room (?xr-emulate=quest3&room=living_room)');
    simRoom = emu.room;
  }
  return { simRoom, maxSplats: readMaxSplats(search), ...readModelsParam(search) };
}
