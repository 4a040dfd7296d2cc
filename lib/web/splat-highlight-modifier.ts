/**
 * Answer highlight on the GPU: a Spark dyno objectModifier on a SplatMesh that, while Spark generates
 * the mesh's splats, reads each splat's bank row from a uint texture (uploaded once per scene), looks
 * the row up in a small per-row flag texture and tests the splat centre against a few boxes (both
 * updated per question), then tints the selected splats and dims the rest. A question therefore
 * uploads bank-rows + 32 bytes-per-box, never the splats, and the PackedSplats are never rebuilt.
 * Browser only (Spark pulls in WebGL code); the rules and layouts are in lib/splat/splat-highlight.ts.
 *
 * Spark regenerates a mesh's splats only when its `version` moves (SplatGenerator.updateVersion;
 * uniform values are read by the program's updaters at that generate), so `set` bumps it; the caller
 * still has to request a frame when the canvas renders on demand.
 */
import { dyno as D, type SplatMesh } from '@sparkjsdev/spark';
import * as THREE from 'three';
import {
  boxTextureData,
  checkHighlight,
  DEFAULT_HIGHLIGHT,
  FLAG_TEXTURE_WIDTH,
  flagTextureData,
  SEMANTIC_TEXTURE_WIDTH,
  semanticTextureData,
  type HighlightStyle,
  type SplatHighlight,
} from '../splat/splat-highlight';
import type { GaussianArrays } from './scene-build';

const log2 = (w: number) => {
  const s = Math.log2(w);
  if (!Number.isInteger(s)) throw new Error(`splat highlight: texture width ${w} is not a power of two`);
  return s;
};
const SEM_SHIFT = log2(SEMANTIC_TEXTURE_WIDTH);
const FLAG_SHIFT = log2(FLAG_TEXTURE_WIDTH);

const f = (v: number) => {
  if (!Number.isFinite(v)) throw new Error(`splat highlight: style value ${v} is not finite`);
  return v.toFixed(6);
};

function uintTexture(data: Uint8Array | Uint16Array, width: number, height: number): THREE.DataTexture {
  const t = new THREE.DataTexture(data, width, height, THREE.RedIntegerFormat, data instanceof Uint8Array ? THREE.UnsignedByteType : THREE.UnsignedShortType);
  t.internalFormat = data instanceof Uint8Array ? 'R8UI' : 'R16UI';
  t.needsUpdate = true;
  return t;
}

function floatTexture(data: Float32Array, width: number): THREE.DataTexture {
  const t = new THREE.DataTexture(data, width, 1, THREE.RGBAFormat, THREE.FloatType);
  t.internalFormat = 'RGBA32F';
  t.needsUpdate = true;
  return t;
}

export class SplatHighlighter {
  private readonly mesh: SplatMesh;
  private readonly semantic: THREE.DataTexture;
  private flags: THREE.DataTexture;
  private boxes: THREE.DataTexture;
  // Uniforms: the textures (swapped when a table outgrows its texture) and the counts the shader guards with.
  private readonly uSemantic: D.DynoUsampler2D<'highlightSemantic', THREE.Texture>;
  private readonly uFlags: D.DynoUsampler2D<'highlightFlags', THREE.Texture>;
  private readonly uBoxes: D.DynoSampler2D<'highlightBoxes', THREE.Texture>;
  private readonly uActive = new D.DynoInt({ key: 'highlightActive', value: 0 });
  private readonly uSemanticCount = new D.DynoInt({ key: 'highlightSemanticCount', value: 0 });
  private readonly uRows = new D.DynoInt({ key: 'highlightRows', value: 0 });
  private readonly uBoxCount = new D.DynoInt({ key: 'highlightBoxCount', value: 0 });
  /** Bytes sent to the GPU by the last `set` (the page shows it; the benchmark reports it). */
  lastUploadBytes = 0;
  /** Bytes of the per-scene semantic texture. */
  readonly semanticBytes: number;

  /** Installs the modifier on `mesh` (its objectModifier; the mesh must have no other). */
  constructor(mesh: SplatMesh, gaussians: Pick<GaussianArrays, 'count' | 'semantic'>, style: HighlightStyle = DEFAULT_HIGHLIGHT) {
    this.mesh = mesh;
    const sem = gaussians.semantic;
    // Without semantics only boxes can select: a 1-texel texture and count 0 keep the shader off it.
    const t = sem ? semanticTextureData(sem, gaussians.count) : { data: new Uint16Array(1), width: 1, height: 1 };
    this.semantic = uintTexture(t.data, t.width, t.height);
    this.semanticBytes = t.data.byteLength;
    this.uSemanticCount.value = sem ? gaussians.count : 0;
    const fl = flagTextureData(new Uint8Array(0));
    this.flags = uintTexture(fl.data, fl.width, fl.height);
    const bx = boxTextureData(new Float32Array(0));
    this.boxes = floatTexture(bx.data, bx.width);
    this.uSemantic = new D.DynoUsampler2D({ key: 'highlightSemantic', value: this.semantic });
    this.uFlags = new D.DynoUsampler2D({ key: 'highlightFlags', value: this.flags });
    this.uBoxes = new D.DynoSampler2D({ key: 'highlightBoxes', value: this.boxes });
    mesh.objectModifier = this.modifier(style);
    mesh.updateGenerator();
  }

  private modifier(style: HighlightStyle) {
    const u = { semantic: this.uSemantic, flags: this.uFlags, boxes: this.uBoxes, active: this.uActive, semanticCount: this.uSemanticCount, rows: this.uRows, boxCount: this.uBoxCount };
    const [tr, tg, tb] = style.tint;
    return D.dynoBlock({ gsplat: D.Gsplat }, { gsplat: D.Gsplat }, ({ gsplat }) => {
      if (!gsplat) throw new Error('splat highlight: no gsplat input');
      const d = D.dyno({
        inTypes: { gsplat: D.Gsplat, semantic: 'usampler2D', flags: 'usampler2D', boxes: 'sampler2D', active: 'int', semanticCount: 'int', rows: 'int', boxCount: 'int' },
        outTypes: { gsplat: D.Gsplat },
        inputs: { gsplat, ...u },
        statements: ({ inputs: i, outputs: o }) => [
          `${o.gsplat} = ${i.gsplat};`,
          `if (${i.active} != 0) {`,
          `  int idx = ${i.gsplat}.index;`,
          '  bool hit = false;',
          `  if (idx >= 0 && idx < ${i.semanticCount}) {`,
          `    int row = int(texelFetch(${i.semantic}, ivec2(idx & ${SEMANTIC_TEXTURE_WIDTH - 1}, idx >> ${SEM_SHIFT}), 0).r);`,
          `    hit = row != 0 && row < ${i.rows} && texelFetch(${i.flags}, ivec2(row & ${FLAG_TEXTURE_WIDTH - 1}, row >> ${FLAG_SHIFT}), 0).r != 0u;`,
          '  }',
          `  vec3 c = ${i.gsplat}.center;`,
          `  for (int b = 0; b < ${i.boxCount} && !hit; b++) {`,
          `    vec3 lo = texelFetch(${i.boxes}, ivec2(2 * b, 0), 0).xyz;`,
          `    vec3 hi = texelFetch(${i.boxes}, ivec2(2 * b + 1, 0), 0).xyz;`,
          '    hit = all(greaterThanEqual(c, lo)) && all(lessThanEqual(c, hi));',
          '  }',
          `  vec4 rgba = ${i.gsplat}.rgba;`,
          '  if (hit) {',
          `    rgba.rgb = mix(rgba.rgb, vec3(${f(tr)}, ${f(tg)}, ${f(tb)}), ${f(style.tintAmount)});`,
          `    rgba.a = min(1.0, rgba.a * ${f(style.opacityGain)} + ${f(style.opacityLift)});`,
          '  } else {',
          '    float grey = dot(rgba.rgb, vec3(0.299, 0.587, 0.114));',
          `    rgba.rgb = ${f(style.dimBrightness)} * mix(rgba.rgb, vec3(grey), ${f(style.desaturate)});`,
          `    rgba.a *= ${f(style.dimOpacity)};`,
          '  }',
          `  ${o.gsplat}.rgba = rgba;`,
          '}',
        ],
      });
      return { gsplat: d.outputs.gsplat };
    });
  }

  /** Shows `h` (null: the splats as they are) from the next generated frame on. */
  set(h: SplatHighlight | null): void {
    if (!h) {
      this.uActive.value = 0;
      this.lastUploadBytes = 0;
    } else {
      checkHighlight(h);
      const fl = flagTextureData(h.entries, this.flags.image.data as Uint8Array);
      if (fl.data !== this.flags.image.data) {
        this.flags.dispose();
        this.flags = uintTexture(fl.data, fl.width, fl.height);
        this.uFlags.value = this.flags;
      } else this.flags.needsUpdate = true;
      const bx = boxTextureData(h.boxes, this.boxes.image.data as Float32Array);
      if (bx.data !== this.boxes.image.data) {
        this.boxes.dispose();
        this.boxes = floatTexture(bx.data, bx.width);
        this.uBoxes.value = this.boxes;
      } else if (h.boxes.length) this.boxes.needsUpdate = true;
      this.uRows.value = h.entries.length;
      this.uBoxCount.value = h.boxes.length / 6;
      this.uActive.value = 1;
      this.lastUploadBytes = fl.data.byteLength + (h.boxes.length ? bx.data.byteLength : 0);
    }
    this.mesh.updateVersion();
  }

  /**
   * The bank row per splat changed in place (the live scan's display, lib/splat/scene-delta.ts): copies
   * rows [0, count) into the per-scene texture, which must already be large enough (size it for the
   * display's capacity), and regenerates.
   */
  updateSemantic(semantic: Uint16Array, count: number): void {
    const data = this.semantic.image.data as Uint16Array;
    if (count > data.length || semantic.length < count) throw new Error(`splat highlight: ${count} bank rows do not fit the texture of ${data.length}`);
    data.set(semantic.subarray(0, count));
    this.semantic.needsUpdate = true;
    this.uSemanticCount.value = count;
    this.mesh.updateVersion();
  }

  /** Frees the textures (call with the mesh's dispose; the modifier is useless without them). */
  dispose(): void {
    this.semantic.dispose();
    this.flags.dispose();
    this.boxes.dispose();
  }
}
