/**
 * @gltf-transform/core Extension classes for Gaussian splats in glTF:
 *
 * - KHR_gaussian_splatting (ratified Khronos extension): the per-primitive extension object
 *   { kernel, colorSpace, sortingMethod?, projection? }. The attributes it defines
 *   (POSITION, KHR_gaussian_splatting:ROTATION / :SCALE / :OPACITY / :SH_DEGREE_l_COEF_n) are
 *   ordinary primitive attributes, which the core reads and writes by name.
 * - SEGSPLAT_semantics (ours): the per-Gaussian attribute `SEGSPLAT_semantics:INDEX` is ordinary
 *   too; the memory bank (raw float32/float16 [M, D] in a bufferView) and its per-entry metadata
 *   live in the root extension object, and each splat primitive names its bank inside
 *   KHR_gaussian_splatting's own `extensions` (the ratified spec asks extensions of the splat
 *   extension to nest there). Layout and JSON schema: docs/FORMATS.md.
 *
 * Neither class uses ExtensionProperty: the per-primitive settings are kept in a Map keyed by
 * Primitive, read from context.jsonDoc and written through context.meshIndexMap, like the core's
 * EXT_mesh_features sample does. They are therefore not carried by Document cloning/merging.
 */
import { Extension, PropertyType, type Primitive, type ReaderContext, type WriterContext, type Buffer as GltfBuffer } from '@gltf-transform/core';

export const KHR_GAUSSIAN_SPLATTING = 'KHR_gaussian_splatting';
export const SEGSPLAT_SEMANTICS = 'SEGSPLAT_semantics';
export const GS_ATTR = {
  ROTATION: `${KHR_GAUSSIAN_SPLATTING}:ROTATION`,
  SCALE: `${KHR_GAUSSIAN_SPLATTING}:SCALE`,
  OPACITY: `${KHR_GAUSSIAN_SPLATTING}:OPACITY`,
  sh: (degree: number, coef: number) => `${KHR_GAUSSIAN_SPLATTING}:SH_DEGREE_${degree}_COEF_${coef}`,
  SEMANTIC_INDEX: `${SEGSPLAT_SEMANTICS}:INDEX`,
} as const;

export interface GaussianSplattingDef {
  /** Required; "ellipse" is the only kernel the ratified extension defines. */
  kernel: string;
  /** Required; "srgb_rec709_display" or "lin_rec709_display". */
  colorSpace: string;
  /** Optional, default "cameraDistance". */
  sortingMethod?: string;
  /** Optional, default "perspective". */
  projection?: string;
}

type Json = Record<string, unknown>;

function primitiveDefs(context: ReaderContext | WriterContext): { meshIndex: number; primIndex: number; def: Json }[] {
  const out: { meshIndex: number; primIndex: number; def: Json }[] = [];
  (context.jsonDoc.json.meshes ?? []).forEach((m, meshIndex) =>
    (m.primitives ?? []).forEach((p, primIndex) => out.push({ meshIndex, primIndex, def: p as unknown as Json })),
  );
  return out;
}

/** The nested `extensions` object inside a primitive's KHR_gaussian_splatting object, created on demand. */
function khrObject(def: Json): Json {
  const exts = ((def.extensions as Json | undefined) ??= {}) as Json;
  return ((exts[KHR_GAUSSIAN_SPLATTING] as Json | undefined) ??= {}) as Json;
}

export class KHRGaussianSplatting extends Extension {
  static readonly EXTENSION_NAME = KHR_GAUSSIAN_SPLATTING;
  readonly extensionName = KHR_GAUSSIAN_SPLATTING;
  private readonly defs = new Map<Primitive, GaussianSplattingDef>();

  setPrimitive(prim: Primitive, def: GaussianSplattingDef | null): this {
    if (def) this.defs.set(prim, { ...def });
    else this.defs.delete(prim);
    return this;
  }

  getPrimitive(prim: Primitive): GaussianSplattingDef | null {
    return this.defs.get(prim) ?? null;
  }

  read(context: ReaderContext): this {
    for (const { meshIndex, primIndex, def } of primitiveDefs(context)) {
      const ext = (def.extensions as Json | undefined)?.[KHR_GAUSSIAN_SPLATTING] as Json | undefined;
      if (!ext) continue;
      const prim = context.meshes[meshIndex]?.listPrimitives()[primIndex];
      if (!prim) continue;
      this.defs.set(prim, {
        kernel: typeof ext.kernel === 'string' ? ext.kernel : '',
        colorSpace: typeof ext.colorSpace === 'string' ? ext.colorSpace : '',
        sortingMethod: typeof ext.sortingMethod === 'string' ? ext.sortingMethod : undefined,
        projection: typeof ext.projection === 'string' ? ext.projection : undefined,
      });
    }
    return this;
  }

  write(context: WriterContext): this {
    const json = context.jsonDoc.json;
    for (const [mesh, meshIndex] of context.meshIndexMap) {
      mesh.listPrimitives().forEach((prim, primIndex) => {
        const d = this.defs.get(prim);
        if (!d) return;
        const obj = khrObject(json.meshes![meshIndex].primitives[primIndex] as unknown as Json);
        obj.kernel = d.kernel;
        obj.colorSpace = d.colorSpace;
        if (d.sortingMethod !== undefined) obj.sortingMethod = d.sortingMethod;
        if (d.projection !== undefined) obj.projection = d.projection;
      });
    }
    return this;
  }
}

/** One bank as stored: embeddings row-major [count, dim] plus one metadata object per row. */
export interface StoredBank {
  count: number;
  dim: number;
  /** Little-endian float32 or float16 bytes, count * dim values. */
  componentType: 'float32' | 'float16';
  data: Uint8Array;
  entries: unknown[];
}

export class SegsplatSemantics extends Extension {
  static readonly EXTENSION_NAME = SEGSPLAT_SEMANTICS;
  readonly extensionName = SEGSPLAT_SEMANTICS;
  readonly prewriteTypes = [PropertyType.BUFFER];
  banks: StoredBank[] = [];
  private readonly primBank = new Map<Primitive, number>();
  private readonly written = new Map<StoredBank, Uint8Array>();

  /** Marks a splat primitive as using bank `bank` (index into `banks`). */
  setPrimitiveBank(prim: Primitive, bank: number | null): this {
    if (bank === null) this.primBank.delete(prim);
    else this.primBank.set(prim, bank);
    return this;
  }

  getPrimitiveBank(prim: Primitive): number | null {
    return this.primBank.get(prim) ?? null;
  }

  read(context: ReaderContext): this {
    const root = context.jsonDoc.json.extensions?.[SEGSPLAT_SEMANTICS] as Json | undefined;
    const banks = Array.isArray(root?.banks) ? (root!.banks as Json[]) : [];
    this.banks = banks.map((b, i) => {
      const bv = b.bufferView;
      if (typeof bv !== 'number' || !context.bufferViews[bv]) throw new Error(`${SEGSPLAT_SEMANTICS}: bank ${i} bufferView ${String(bv)} does not exist`);
      return {
        count: b.count as number,
        dim: b.dim as number,
        componentType: b.componentType as 'float32' | 'float16',
        data: context.bufferViews[bv],
        entries: Array.isArray(b.entries) ? (b.entries as unknown[]) : (null as unknown as unknown[]),
      };
    });
    for (const { meshIndex, primIndex, def } of primitiveDefs(context)) {
      const khr = (def.extensions as Json | undefined)?.[KHR_GAUSSIAN_SPLATTING] as Json | undefined;
      const ours = (khr?.extensions as Json | undefined)?.[SEGSPLAT_SEMANTICS] as Json | undefined;
      const prim = context.meshes[meshIndex]?.listPrimitives()[primIndex];
      if (ours && prim && typeof ours.bank === 'number') this.primBank.set(prim, ours.bank);
    }
    return this;
  }

  prewrite(context: WriterContext, type: PropertyType): this {
    if (type !== PropertyType.BUFFER || this.banks.length === 0) return this;
    const buffer: GltfBuffer | undefined = this.document.getRoot().listBuffers()[0];
    if (!buffer) throw new Error(`${SEGSPLAT_SEMANTICS}: the document needs a Buffer to hold the bank`);
    const list = context.otherBufferViews.get(buffer) ?? [];
    for (const b of this.banks) {
      // Pad to 4 bytes so anything the writer appends after stays aligned.
      const pad = (4 - (b.data.byteLength % 4)) % 4;
      const data = pad ? new Uint8Array(b.data.byteLength + pad) : new Uint8Array(b.data);
      if (pad) data.set(b.data);
      list.push(data);
      this.written.set(b, data);
    }
    context.otherBufferViews.set(buffer, list);
    return this;
  }

  write(context: WriterContext): this {
    const json = context.jsonDoc.json;
    if (this.banks.length) {
      json.extensions ??= {};
      json.extensions[SEGSPLAT_SEMANTICS] = {
        banks: this.banks.map((b) => {
          const data = this.written.get(b)!;
          const bufferView = context.otherBufferViewsIndexMap.get(data)!;
          // The padded view is longer than the payload: state the payload's length exactly.
          json.bufferViews![bufferView].byteLength = b.data.byteLength;
          return { count: b.count, dim: b.dim, componentType: b.componentType, bufferView, entries: b.entries };
        }),
      };
    }
    for (const [mesh, meshIndex] of context.meshIndexMap) {
      mesh.listPrimitives().forEach((prim, primIndex) => {
        const bank = this.primBank.get(prim);
        if (bank === undefined) return;
        const obj = khrObject(json.meshes![meshIndex].primitives[primIndex] as unknown as Json);
        const exts = ((obj.extensions as Json | undefined) ??= {}) as Json;
        exts[SEGSPLAT_SEMANTICS] = { bank };
      });
    }
    this.written.clear();
    return this;
  }
}

export const SEGSPLAT_CAPTURE = 'SEGSPLAT_capture';

/**
 * SEGSPLAT_capture (ours): the capture cameras and the world transform of the reconstruction
 * (lib/splat/scene-info.ts) as one JSON object in the root `extensions`; no binary data. Readers that do not
 * know it lose nothing but the viewpoints.
 */
export class SegsplatCapture extends Extension {
  static readonly EXTENSION_NAME = SEGSPLAT_CAPTURE;
  readonly extensionName = SEGSPLAT_CAPTURE;
  /** The JSON object as stored (validated by the scene reader, not here). */
  info: unknown = null;

  read(context: ReaderContext): this {
    this.info = context.jsonDoc.json.extensions?.[SEGSPLAT_CAPTURE] ?? null;
    return this;
  }

  write(context: WriterContext): this {
    if (this.info === null) return this;
    const json = context.jsonDoc.json;
    json.extensions ??= {};
    json.extensions[SEGSPLAT_CAPTURE] = this.info as Json;
    return this;
  }
}
