/**
 * The oracle-2D mask generator: the rendered ground-truth instance map of a frame IS its mask set (one mask
 * per labelled object visible with at least `minPixels` pixels; room structure and unlabelled clutter, id 0,
 * get no mask). It also remembers which object each mask is, so the oracle encoder
 * (lib/inference/semantics/oracle-embedder.ts) can embed a crop as its object's label.
 *
 * Frames are recognised by their image object (the reconstruction passes frames at their own resolution
 * through unchanged), so the mask sets line up with the ground truth without any pixel matching.
 */
import type { RgbImage } from '../capture/frame';
import type { MaskGenerator, MaskInput, MaskSet } from '../inference/masks/mask-generator';
import { maskSetFromLabels } from '../inference/masks/mask-generator';
import type { MaskCrop } from '../inference/semantics/mask-crops';

export interface GroundTruthView {
  image: RgbImage;
  /** Object id per pixel (0 = none), image.width x image.height. */
  instance: Uint16Array | Int32Array;
}

export class GroundTruthMaskGenerator implements MaskGenerator {
  readonly id = 'ground-truth-instances';
  private readonly index = new Map<RgbImage, number>();
  /** Per view: object id of mask k at [k] (index 0 unused). */
  readonly maskObjects: (Int32Array | undefined)[] = [];

  constructor(
    private readonly views: GroundTruthView[],
    private readonly minPixels = 1,
  ) {
    views.forEach((v, i) => {
      if (v.instance.length !== v.image.width * v.image.height)
        throw new Error(`GroundTruthMaskGenerator: view ${i} has ${v.instance.length} instance pixels for a ${v.image.width}x${v.image.height} image`);
      this.index.set(v.image, i);
    });
    if (!Number.isInteger(minPixels) || minPixels < 1) throw new Error(`GroundTruthMaskGenerator: minPixels must be a positive integer, got ${minPixels}`);
  }

  /** View index of an image given to generate (throws for an unknown image, e.g. one resampled on the way). */
  viewOf(image: RgbImage): number {
    const i = this.index.get(image);
    if (i === undefined)
      throw new Error('GroundTruthMaskGenerator: image is not one of the ground-truth frames (was it resampled? run the reconstruction at the frames\' own resolution)');
    return i;
  }

  async generate(input: MaskInput): Promise<MaskSet> {
    const view = this.viewOf(input.image);
    const inst = this.views[view].instance;
    const counts = new Map<number, number>();
    for (let p = 0; p < inst.length; p++) if (inst[p]) counts.set(inst[p], (counts.get(inst[p]) ?? 0) + 1);
    const ids = [...counts.entries()].filter(([, n]) => n >= this.minPixels).map(([id]) => id).sort((a, b) => a - b);
    const maskOf = new Map(ids.map((id, k) => [id, k + 1]));
    const labels = new Int32Array(inst.length);
    for (let p = 0; p < inst.length; p++) labels[p] = maskOf.get(inst[p]) ?? 0;
    const objects = new Int32Array(ids.length + 1);
    ids.forEach((id, k) => (objects[k + 1] = id));
    this.maskObjects[view] = objects;
    return maskSetFromLabels(labels, input.image.width, input.image.height, ids.length);
  }

  /** Object id of a crop made from one of this generator's mask sets (0 when unknown). */
  objectOfCrop(crop: MaskCrop): number {
    if (crop.view === undefined) throw new Error('GroundTruthMaskGenerator: crop carries no view index');
    return this.maskObjects[crop.view]?.[crop.mask] ?? 0;
  }
}
