/**
 * Writes a rendered sample: the capture bundle (frames only, exactly what a phone would give) via
 * writeCaptureBundle, and its ground truth into a separate BundleFiles, which callers point at the
 * sibling folder `<name>.groundtruth/`:
 *
 *   instances.json   { schema: "segsplat-groundtruth", version: 1, name, source, render, objects,
 *                      frames: [{ id, instances: "instances/<id>.png", visible: [{id, pixels}] }] }
 *   instances/<id>.png  16-bit grayscale PNG, one object id per pixel (0 = none), frame resolution.
 *
 * Object boxes are world-frame metres: box.center, box.size (full edge lengths along the box's own
 * axes) and box.quaternion (x, y, z, w; the box's rotation), plus the world AABB.
 * Everything is deterministic: same inputs, same bytes.
 */
import { objectColorName } from './appearance';
import type { BundleFiles } from '../capture/bundle-files';
import { writeCaptureBundle } from '../capture/capture-bundle';
import { encodePng } from '../capture/png';
import type { RenderedCapture } from './render-capture';

export const GROUNDTRUTH_SCHEMA = 'segsplat-groundtruth';
export const GROUNDTRUTH_JSON = 'instances.json';

export interface SampleMeta {
  /** Bundle name (also the folder name by convention), e.g. "living_room". */
  name: string;
  /** Short attribution line stored in capture.json. */
  attribution: string;
  /** Where the scene comes from, e.g. { package: '@iwer/sem', version: '2.4.0', room: 'living_room' }. */
  source: Record<string, string>;
  /** How it was rendered (seed, views, resolution...), recorded in instances.json. */
  render: Record<string, number | string>;
}

export async function writeSampleBundle(bundleFiles: BundleFiles, groundTruthFiles: BundleFiles, capture: RenderedCapture, meta: SampleMeta): Promise<void> {
  const { frames, groundTruth } = capture;
  if (frames.length !== groundTruth.frames.length)
    throw new Error(`writeSampleBundle: ${frames.length} frames but ${groundTruth.frames.length} ground-truth frames`);
  await writeCaptureBundle(bundleFiles, { name: meta.name, frames, attribution: meta.attribution }, undefined, {
    depthFormat: 'png16',
    createdBy: 'segsplat-xr scripts/samples.ts (lib/sim)',
    worldUp: [0, 1, 0],
  });
  const framesJson = [];
  for (let i = 0; i < groundTruth.frames.length; i++) {
    const g = groundTruth.frames[i];
    if (g.id !== frames[i].id) throw new Error(`writeSampleBundle: ground-truth frame ${i} is ${g.id}, frame is ${frames[i].id}`);
    const path = `instances/${g.id}.png`;
    await groundTruthFiles.writeFile(path, encodePng({ width: g.width, height: g.height, channels: 1, bitDepth: 16, data: g.instance }));
    framesJson.push({ id: g.id, instances: path, visible: g.visible });
  }
  const json = {
    schema: GROUNDTRUTH_SCHEMA,
    version: 1,
    name: meta.name,
    source: meta.source,
    render: meta.render,
    note: 'Instance ids per pixel; 0 = room structure, unlabelled clutter or nothing. Boxes in world metres (y up).',
    objects: groundTruth.objects.map((o) => ({ ...o, color: objectColorName(o.id) })),
    frames: framesJson,
  };
  await groundTruthFiles.writeFile(GROUNDTRUTH_JSON, new TextEncoder().encode(JSON.stringify(json, null, 1) + '\n'));
}
