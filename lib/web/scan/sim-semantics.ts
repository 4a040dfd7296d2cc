/**
 * TEST-ONLY semantics for the simulated camera (?test-camera=sim): the rasterizer knows which room
 * object every pixel shows, so the masks are those instance maps and the "CLIP" is the oracle
 * embedder fed the object's Space Setup label through a side channel. It exercises the live bank,
 * labels and their placement end to end in browser tests, where no real segmentation or CLIP model
 * exists. Never used for a real camera.
 */
import type { RgbImage } from '../../capture/frame';
import { maskSetFromLabels, type MaskGenerator, type MaskInput, type MaskSet } from '../../inference/masks/mask-generator';
import type { MaskCrop } from '../../inference/semantics/mask-crops';
import { OracleClip } from '../../inference/semantics/oracle-embedder';

export class SimInstanceMasks implements MaskGenerator {
  readonly id = 'sim-instance-maps';
  private readonly views = new Map<RgbImage, { view: number; instance: Uint16Array }>();
  private readonly maskObjects: Int32Array[] = [];
  private next = 0;

  /** Registers a keyframe's image and instance map, in the order the frames enter the reconstruction. */
  register(image: RgbImage, instance: Uint16Array): void {
    if (instance.length !== image.width * image.height) throw new Error(`SimInstanceMasks: instance map has ${instance.length} pixels for ${image.width}x${image.height}`);
    this.views.set(image, { view: this.next++, instance });
  }

  async generate(input: MaskInput): Promise<MaskSet> {
    const v = this.views.get(input.image);
    if (!v) return maskSetFromLabels(new Int32Array(input.image.width * input.image.height), input.image.width, input.image.height, 0);
    const counts = new Map<number, number>();
    for (const id of v.instance) if (id) counts.set(id, (counts.get(id) ?? 0) + 1);
    const ids = [...counts.entries()].filter(([, n]) => n >= 20).map(([id]) => id).sort((a, b) => a - b);
    const maskOf = new Map(ids.map((id, k) => [id, k + 1]));
    const labels = new Int32Array(v.instance.length);
    for (let p = 0; p < labels.length; p++) labels[p] = maskOf.get(v.instance[p]) ?? 0;
    const objects = new Int32Array(ids.length + 1);
    ids.forEach((id, k) => (objects[k + 1] = id));
    this.maskObjects[v.view] = objects;
    return maskSetFromLabels(labels, input.image.width, input.image.height, ids.length);
  }

  objectOfCrop(crop: MaskCrop): number {
    if (crop.view === undefined) return 0;
    return this.maskObjects[crop.view]?.[crop.mask] ?? 0;
  }
}

/** Oracle CLIP whose crops are named by the room object's label (LAMP -> "lamp", WALL_ART -> "wall art"). */
export function simOracleClip(masks: SimInstanceMasks, objectLabels: Record<number, string>): OracleClip {
  return new OracleClip({
    dim: 64,
    labelOfCrop: (crop) => {
      const label = objectLabels[masks.objectOfCrop(crop as MaskCrop)];
      return label ? label.toLowerCase().replace(/_/g, ' ').trim() : null;
    },
  });
}
