/**
 * What may be shared: a .glb (KHR_gaussian_splatting) or a compact SGSC file that the project's
 * own readers parse completely. The bytes are stored exactly as uploaded; parsing here only
 * proves the headset will be able to load them, so a broken file is refused at upload (400 naming
 * the problem) instead of failing later on the other device.
 */
import { sniffSceneFormat, readSceneFile, type SceneFileFormat } from '../splat/scene-file';
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
