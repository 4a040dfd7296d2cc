/**
 * One entry point for scene files: sniff the format from magic bytes (never trust the name) and
 * dispatch to the .ply, .glb or compact reader; write any of the three.
 *
 * Magic: "ply\n" (or "ply\r") -> INRIA .ply; "glTF" -> binary glTF with KHR_gaussian_splatting;
 * "SGSC" -> our compact form. Anything else is refused with an Error naming what was seen.
 */
import type { GaussianScene } from './gaussian-scene';
import { SceneFileError, type ReadLimits } from './binary-guards';
import { isPly, readPly, writePly, type PlyWriteOptions } from './ply';
import { isGlb, readGlb, writeGlb, type GlbWriteOptions } from './glb';
import { isCompact, readCompact, writeCompact, type CompactWriteOptions } from './compact';

export type SceneFileFormat = 'ply' | 'glb' | 'compact';

export interface SceneFileReadOptions extends ReadLimits {
  /** Scene budget for the loaded scene (default max(count, 4M)). */
  budget?: number;
}

export interface SceneFileWriteOptions {
  ply?: PlyWriteOptions;
  glb?: GlbWriteOptions;
  compact?: CompactWriteOptions;
}

/** The format the bytes start with, or null. */
export function sniffSceneFormat(bytes: Uint8Array): SceneFileFormat | null {
  if (isPly(bytes)) return 'ply';
  if (isGlb(bytes)) return 'glb';
  if (isCompact(bytes)) return 'compact';
  return null;
}

/** File-name extension conventionally used for each format. */
export const SCENE_FILE_EXTENSION: Record<SceneFileFormat, string> = { ply: '.ply', glb: '.glb', compact: '.sgsc' };

export async function readSceneFile(bytes: Uint8Array, nameHint?: string, opts: SceneFileReadOptions = {}): Promise<GaussianScene> {
  const label = nameHint ? ` "${nameHint}"` : '';
  if (!(bytes instanceof Uint8Array)) throw new SceneFileError('scene file', `input${label} is not a Uint8Array`);
  if (bytes.byteLength === 0) throw new SceneFileError('scene file', `input${label} is empty (0 bytes)`);
  const fmt = sniffSceneFormat(bytes);
  switch (fmt) {
    case 'ply':
      return readPly(bytes, opts);
    case 'glb':
      return readGlb(bytes, opts);
    case 'compact':
      return readCompact(bytes, opts);
    default: {
      const head = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
      const gltfJson = bytes[0] === 0x7b ? ' (looks like JSON: a .gltf with external buffers is not accepted; export .glb)' : '';
      const spz = bytes[0] === 0x1f && bytes[1] === 0x8b ? ' (gzip: .spz is not supported; convert to .ply)' : '';
      throw new SceneFileError(
        'scene file',
        `unknown format${label}: first bytes ${head}; expected .ply ("ply"), .glb ("glTF") or compact ("SGSC")${gltfJson}${spz}`,
      );
    }
  }
}

export async function writeSceneFile(scene: GaussianScene, format: SceneFileFormat, opts: SceneFileWriteOptions = {}): Promise<Uint8Array> {
  switch (format) {
    case 'ply':
      return writePly(scene, opts.ply);
    case 'glb':
      return writeGlb(scene, opts.glb);
    case 'compact':
      return writeCompact(scene, opts.compact);
    default:
      throw new Error(`writeSceneFile: unknown format "${String(format)}" (ply, glb or compact)`);
  }
}
