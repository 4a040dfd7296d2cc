/**
 * Reads a sample's ground-truth folder (`<name>.groundtruth/`, written by sample-bundle.ts) as instance
 * annotations for labelSceneFromAnnotations: the objects table and each frame's 16-bit instance map.
 * Null when the folder has no instances.json (a capture that is not a rendered sample).
 */
import type { BundleFiles } from '../capture/bundle-files';
import { decodePng } from '../capture/png';
import type { InstanceAnnotations } from '../inference/semantics/annotation-bank';
import type { Box3 } from '../splat/semantic-bank';
import { GROUNDTRUTH_JSON, GROUNDTRUTH_SCHEMA } from './sample-bundle';

/** How the UI names labels that come from here. */
export const SAMPLE_ANNOTATIONS_SOURCE = "the sample's annotations";

export async function readSampleAnnotations(files: BundleFiles): Promise<InstanceAnnotations | null> {
  if (!(await files.exists(GROUNDTRUTH_JSON))) return null;
  let json: { schema?: unknown; objects?: unknown; frames?: unknown; source?: { room?: unknown } };
  try {
    json = JSON.parse(new TextDecoder().decode(await files.readFile(GROUNDTRUTH_JSON)));
  } catch (e) {
    throw new Error(`${GROUNDTRUTH_JSON}: not valid JSON (${(e as Error).message})`);
  }
  if (json.schema !== GROUNDTRUTH_SCHEMA) throw new Error(`${GROUNDTRUTH_JSON}: schema is ${JSON.stringify(json.schema)}, expected "${GROUNDTRUTH_SCHEMA}"`);
  if (!Array.isArray(json.objects) || !Array.isArray(json.frames)) throw new Error(`${GROUNDTRUTH_JSON}: needs "objects" and "frames" arrays`);
  const objects = (json.objects as { id: number; label: string; aabb?: Box3; triangles?: number }[]).map((o, i) => {
    if (!Number.isInteger(o?.id) || typeof o.label !== 'string') throw new Error(`${GROUNDTRUTH_JSON}: objects[${i}] needs an integer id and a label`);
    return { id: o.id, label: o.label, ...(o.aabb ? { aabb: o.aabb } : {}) };
  });
  const frames = new Map<string, { width: number; height: number; ids: Uint16Array }>();
  for (const [i, f] of (json.frames as { id: string; instances: string }[]).entries()) {
    if (typeof f?.id !== 'string' || typeof f.instances !== 'string') throw new Error(`${GROUNDTRUTH_JSON}: frames[${i}] needs an id and an instances path`);
    const img = decodePng(await files.readFile(f.instances), f.instances);
    if (img.channels !== 1 || img.bitDepth !== 16) throw new Error(`${f.instances}: instance map must be 16-bit grayscale, is ${img.bitDepth}-bit with ${img.channels} channel(s)`);
    frames.set(f.id, { width: img.width, height: img.height, ids: img.data as Uint16Array });
  }
  return { source: SAMPLE_ANNOTATIONS_SOURCE, objects, frames };
}
