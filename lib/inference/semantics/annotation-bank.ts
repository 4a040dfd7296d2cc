/**
 * A labelled bank from a capture's own per-pixel instance annotations (the sample renderer's ground-truth
 * instance maps, docs/SAMPLES.md): one bank entry per annotated object, named by its annotation label,
 * and every Gaussian built from an annotated pixel points at its object's entry (through the Gaussian's
 * sourceView / sourcePixel). The bank holds names only (no embeddings, dim 1): it is answered from
 * stored labels (label-answers.ts), never by relevancy. Plain data in and out, so the scene-build
 * worker, the page and Node tests share it.
 */
import type { GaussianScene } from '../../splat/gaussian-scene';
import { SemanticBank, type BankEntryMeta, type Box3 } from '../../splat/semantic-bank';

/** Mask-source id of annotation banks (row 0 metadata; instance banks of whole objects group by entry). */
export const ANNOTATION_MASK_SOURCE = 'annotations';

export interface InstanceAnnotations {
  /** Where the annotations come from, shown in the UI ("the sample's annotations"). */
  source: string;
  objects: readonly { id: number; label: string; aabb?: Box3 }[];
  /** Per frame id: object id per pixel (row-major, top-left), 0 = nothing annotated. */
  frames: ReadonlyMap<string, { width: number; height: number; ids: Uint16Array }>;
}

/** What the page needs to rebuild the bank (structured-clone friendly: crosses postMessage). */
export interface AnnotationSemantics {
  source: string;
  entries: BankEntryMeta[];
}

/** A names-only bank from entries (row 0 excluded from `entries`). */
export function annotationBank(entries: readonly BankEntryMeta[]): SemanticBank {
  const bank = new SemanticBank(1, entries.length + 1);
  bank.maskSource = ANNOTATION_MASK_SOURCE;
  const zero = new Float32Array(1);
  for (const e of entries) bank.add(zero, { ...e, sourceViews: [...e.sourceViews] });
  return bank;
}

/**
 * Points the scene's Gaussians at annotation entries and replaces its bank with the names-only bank.
 * `views[v]` is the frame that Gaussians with sourceView v came from (id and image size: sourcePixel is
 * an image pixel; maps of another size are sampled at the same relative position). Returns the entries
 * that got Gaussians and how many Gaussians were labelled.
 */
export function labelSceneFromAnnotations(
  scene: GaussianScene,
  views: readonly { id: string; width: number; height: number }[],
  ann: InstanceAnnotations,
): { semantics: AnnotationSemantics; labelled: number } {
  let maxId = 0;
  for (const o of ann.objects) {
    if (!Number.isInteger(o.id) || o.id <= 0 || o.id > 65535) throw new Error(`annotations: object id ${o.id} is not an integer in 1..65535`);
    if (typeof o.label !== 'string' || !o.label.trim()) throw new Error(`annotations: object ${o.id} has no label`);
    maxId = Math.max(maxId, o.id);
  }
  const labelOf = new Map(ann.objects.map((o) => [o.id, o]));
  const maps = views.map((v) => {
    const m = ann.frames.get(v.id);
    if (m && m.ids.length !== m.width * m.height) throw new Error(`annotations: frame ${v.id} map has ${m.ids.length} ids for ${m.width}x${m.height}`);
    return m ?? null;
  });
  const idOf = new Uint16Array(scene.count);
  const gaussiansOf = new Map<number, number>();
  const viewsOf = new Map<number, Set<number>>();
  for (let i = 0; i < scene.count; i++) {
    const v = scene.sourceView[i];
    const m = maps[v];
    if (!m) continue;
    const view = views[v];
    const p = scene.sourcePixel[i];
    const u = p % view.width, w = Math.floor(p / view.width);
    const mu = m.width === view.width ? u : Math.min(m.width - 1, Math.floor(((u + 0.5) * m.width) / view.width));
    const mv = m.height === view.height ? w : Math.min(m.height - 1, Math.floor(((w + 0.5) * m.height) / view.height));
    const id = m.ids[mv * m.width + mu];
    if (!id || !labelOf.has(id)) continue;
    idOf[i] = id;
    gaussiansOf.set(id, (gaussiansOf.get(id) ?? 0) + 1);
    let s = viewsOf.get(id);
    if (!s) viewsOf.set(id, (s = new Set()));
    s.add(v);
  }
  // Rows in object-id order, only for objects some Gaussian shows.
  const rowOf = new Uint16Array(maxId + 1);
  const entries: BankEntryMeta[] = [];
  for (const o of [...ann.objects].sort((a, b) => a.id - b.id)) {
    const n = gaussiansOf.get(o.id);
    if (!n) continue;
    rowOf[o.id] = entries.length + 1;
    entries.push({ label: o.label, instanceId: o.id, sourceViews: [...viewsOf.get(o.id)!].sort((a, b) => a - b), support: n, ...(o.aabb ? { box: o.aabb } : {}) });
  }
  let labelled = 0;
  for (let i = 0; i < scene.count; i++) {
    const r = idOf[i] ? rowOf[idOf[i]] : 0;
    scene.semantic[i] = r;
    if (r) labelled++;
  }
  scene.bank = annotationBank(entries);
  return { semantics: { source: ann.source, entries }, labelled };
}

/** What a question reads, for Gaussians built (and thinned) with annotation semantics: null without them. */
export function annotatedQueryScene(
  arrays: { count: number; positions: Float32Array; semantic?: Uint16Array },
  semantics: AnnotationSemantics | undefined,
): Pick<GaussianScene, 'count' | 'positions' | 'semantic' | 'bank'> | null {
  if (!semantics || !arrays.semantic || semantics.entries.length === 0) return null;
  return { count: arrays.count, positions: arrays.positions, semantic: arrays.semantic, bank: annotationBank(semantics.entries) };
}
