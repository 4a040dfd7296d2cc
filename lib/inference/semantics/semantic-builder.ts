/**
 * Orchestrates the semantic side of reconstruction for a stream of views:
 *   frame -> masks (any MaskGenerator) -> masked-crop embeddings (ImageEmbedder)
 *         -> memory bank ('kmeans': the paper's, rebuilt over all views at `finalize`;
 *                          'instances': ours, InstanceAssociator updated per view)
 *         -> bank labels (VocabularyLabeler, optional) -> Gaussian semantic indices.
 *
 * Views are added as they arrive; `finalize(scene)` can be called after any view (it rewrites the
 * scene's bank and every mapped Gaussian's index, so call it again after more views or after fusion
 * changed the Gaussians).
 */
import type { Frame } from '../../capture/frame';
import type { GaussianScene } from '../../splat/gaussian-scene';
import type { ImageEmbedder } from '../embedder';
import type { MaskGenerator, MaskSet } from '../masks/mask-generator';
import { InstanceAssociator, type AssociatorOptions } from './instance-associator';
import { buildKMeansBank, type KMeansOptions } from './kmeans-bank';
import { embedMasks } from './mask-crops';
import { assignSemanticIndices, backProjectDepth, labelMapToBankIndex, type ViewIndexMap } from './semantic-indices';
import type { VocabularyLabeler } from './vocabulary-labeler';

export type BankMode = 'kmeans' | 'instances';

export interface SemanticBuilderOptions {
  generator: MaskGenerator;
  embedder: ImageEmbedder;
  mode: BankMode;
  labeler?: VocabularyLabeler;
  associator?: AssociatorOptions;
  kmeans?: KMeansOptions;
  /** Crop margin (default 0.1) and embedder batch size (default 32). */
  cropMargin?: number;
  batchSize?: number;
}

export interface BuiltView {
  view: number;
  masks: MaskSet;
  /** [K, dim] unit embeddings, row k-1 = mask k. */
  embeddings: Float32Array;
  /** Grid the Gaussians' sourcePixel refers to for this view. */
  sourceWidth: number;
  sourceHeight: number;
}

export class SemanticBuilder {
  readonly views = new Map<number, BuiltView>();
  readonly associator: InstanceAssociator | null;

  constructor(private readonly options: SemanticBuilderOptions) {
    if (options.mode !== 'kmeans' && options.mode !== 'instances') throw new Error(`SemanticBuilder: mode must be 'kmeans' or 'instances', got ${String(options.mode)}`);
    this.associator = options.mode === 'instances' ? new InstanceAssociator(options.embedder.dim, options.associator) : null;
  }

  /**
   * Segments and embeds one frame; in 'instances' mode also associates its masks in 3D.
   * @param worldPoints per pixel of the image, [h*w*3], NaN where unknown; default: the frame's depth
   *   back-projected (instances mode needs one or the other)
   * @param sourceGrid grid of the Gaussians' sourcePixel for this view (default: the image size, as
   *   lib/splat/gaussians-from-depth writes sourcePixel = image pixel v * w + u)
   */
  async addView(view: number, frame: Frame, worldPoints?: Float32Array, sourceGrid?: { width: number; height: number }): Promise<BuiltView> {
    if (this.views.has(view)) throw new Error(`SemanticBuilder: view ${view} was already added`);
    const { image } = frame;
    const masks = await this.options.generator.generate({ image, depth: frame.depth, intrinsics: frame.intrinsics });
    if (masks.width !== image.width || masks.height !== image.height)
      throw new Error(`SemanticBuilder: mask generator ${this.options.generator.id} returned ${masks.width}x${masks.height} labels for a ${image.width}x${image.height} image`);
    const embeddings = await embedMasks(image, masks, this.options.embedder, { margin: this.options.cropMargin, batchSize: this.options.batchSize, view });
    if (this.associator) {
      let pts = worldPoints;
      if (!pts) {
        if (!frame.depth) throw new Error(`SemanticBuilder: view ${view} has neither depth nor world points; instance association needs 3D`);
        pts = backProjectDepth(frame.depth, frame.cameraToWorld, image.width, image.height);
      }
      this.associator.addView(view, masks.labels, embeddings, pts);
    }
    const grid = sourceGrid ?? { width: image.width, height: image.height };
    const built: BuiltView = { view, masks, embeddings, sourceWidth: grid.width, sourceHeight: grid.height };
    this.views.set(view, built);
    return built;
  }

  /** Rewrites the scene's bank from every view so far, names entries, and assigns Gaussian indices. */
  async finalize(scene: GaussianScene): Promise<{ maskToBank: Map<number, Uint16Array>; assigned: number }> {
    if (this.views.size === 0) throw new Error('SemanticBuilder.finalize: no views added');
    if (scene.bank.dim !== this.options.embedder.dim)
      throw new Error(`SemanticBuilder.finalize: scene bank dim ${scene.bank.dim} != embedder ${this.options.embedder.id} dim ${this.options.embedder.dim}`);
    const views = [...this.views.values()];
    let maskToBank: Map<number, Uint16Array>;
    if (this.associator) maskToBank = this.associator.toBank(scene.bank).maskToBank;
    else {
      const res = buildKMeansBank(scene.bank, views.map((v) => ({ view: v.view, embeddings: v.embeddings })), this.options.kmeans);
      maskToBank = new Map(views.map((v, i) => [v.view, res.maskToBank[i]]));
    }
    if (this.options.labeler) await this.options.labeler.labelBank(scene.bank);
    const maps: ViewIndexMap[] = views.map((v) => ({
      view: v.view,
      width: v.masks.width,
      height: v.masks.height,
      index: labelMapToBankIndex(v.masks.labels, maskToBank.get(v.view)!),
      sourceWidth: v.sourceWidth,
      sourceHeight: v.sourceHeight,
    }));
    return { maskToBank, assigned: assignSemanticIndices(scene, maps) };
  }
}
