/**
 * Query flags of /scan beyond the XR emulation flag (lib/web/xr-emulation.ts):
 *
 *   &test-camera=sim   TEST-ONLY frame source: renders the emulated @iwer/sem room at the emulated
 *                      camera pose (lib/sim rasterizer), because the emulator has no camera-access.
 *                      Needs ?xr-emulate=quest3&room=<room>; refused otherwise.
 *   &max-splats=N      renderer budget (default 200000)
 */
import { parseXrEmulationFlag, type XrRoom } from '../xr-emulation';

export interface ScanPageParams {
  /** The room the test camera renders, or null for the real camera. */
  simRoom: XrRoom | null;
  maxSplats: number;
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
  const raw = p.get('max-splats');
  const maxSplats = raw === null ? 200_000 : Number(raw);
  if (!Number.isInteger(maxSplats) || maxSplats < 1 || maxSplats > 8_000_000) throw new Error(`max-splats=${raw}: must be an integer between 1 and 8000000`);
  return { simRoom, maxSplats };
}
