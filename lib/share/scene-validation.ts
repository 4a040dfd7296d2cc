/**
 * What may be shared: a .glb (KHR_gaussian_splatting) or a compact SGSC file that the project's
 * own readers parse completely. The bytes are stored exactly as uploaded; parsing here only
 * proves the headset will be able to load them, so a broken file is refused at upload (400 naming
 * the problem) instead of failing later on the other device.
 */
import { open, readFile } from 'node:fs/promises';
import { sniffSceneFormat, readSceneFile, type SceneFileFormat } from '../splat/scene-file';
import type { Admission } from './admission';
import { checkSceneFile } from './scene-file-check';
import { ShareError } from './share-error';

export type SharedSceneFormat = Extract<SceneFileFormat, 'glb' | 'compact'>;

export const SHARED_SCENE_FORMATS: readonly SharedSceneFormat[] = ['glb', 'compact'];

export const CONTENT_TYPE: Record<SharedSceneFormat, string> = {
  glb: 'model/gltf-binary',
  compact: 'application/octet-stream',
};

export const FILE_EXTENSION: Record<SharedSceneFormat, string> = { glb: '.glb', compact: '.sgsc' };

export function isSharedSceneFormat(v: unknown): v is SharedSceneFormat {
  return v === 'glb' || v === 'compact';
}

export interface ValidatedScene {
  format: SharedSceneFormat;
  gaussians: number;
  bankRows: number;
}

export interface FileValidationOptions {
  maxBytes: number;
  /** Files up to this size are decoded whole by lib/splat's readers; larger ones get checkSceneFile. */
  fullParseBytes: number;
  /** Caps the bytes being decoded at once across requests (a decode holds several times the file). */
  decodeGate?: Admission;
}

/**
 * Validates a spooled upload from its file. Small files (the common phone scan, a few MB) are read
 * back and decoded completely, under `decodeGate` so concurrent decodes stay within a byte budget;
 * files over `fullParseBytes` are checked in bounded chunks (scene-file-check.ts), so validation
 * memory never grows with the upload.
 */
export async function validateSceneFile(file: string, size: number, opts: FileValidationOptions): Promise<ValidatedScene> {
  if (size === 0) throw new ShareError('invalid_scene', 'empty body: expected a .glb or compact (SGSC) scene file');
  const fh = await open(file, 'r');
  const head = new Uint8Array(Math.min(16, size));
  try {
    await fh.read(head, 0, head.byteLength, 0);
  } finally {
    await fh.close();
  }
  const format = sniffSceneFormat(head);
  if (size <= opts.fullParseBytes || !isSharedSceneFormat(format)) {
    // Small, or refused by the sniff anyway (validateSceneBytes names the format problem).
    const slot = opts.decodeGate ? await opts.decodeGate.acquire(size) : null;
    try {
      const bytes = size <= opts.fullParseBytes ? new Uint8Array(await readFile(file)) : head;
      return await validateSceneBytes(bytes, opts.maxBytes);
    } finally {
      slot?.release();
    }
  }
  try {
    const r = await checkSceneFile(file, format);
    return { format, gaussians: r.gaussians, bankRows: r.bankRows };
  } catch (e) {
    throw new ShareError('invalid_scene', `invalid scene file: ${(e as Error).message}`);
  }
}

export async function validateSceneBytes(bytes: Uint8Array, maxBytes: number): Promise<ValidatedScene> {
  if (bytes.byteLength === 0) throw new ShareError('invalid_scene', 'empty body: expected a .glb or compact (SGSC) scene file');
  const format = sniffSceneFormat(bytes);
  if (format === 'ply')
    throw new ShareError('invalid_scene', 'a .ply file was uploaded; sharing accepts .glb (KHR_gaussian_splatting) or compact (SGSC) scenes: convert it first');
  let scene;
  try {
    scene = await readSceneFile(bytes, 'upload', { maxBytes });
  } catch (e) {
    // The readers touch nothing but these bytes: whatever they throw (SceneFileError, a budget
    // error, a glTF parser error) describes the file, so it is the client's 400.
    throw new ShareError('invalid_scene', `invalid scene file: ${(e as Error).message}`);
  }
  if (!isSharedSceneFormat(format)) throw new ShareError('invalid_scene', `unsupported scene format ${String(format)}`);
  return { format, gaussians: scene.count, bankRows: scene.bank.count };
}
