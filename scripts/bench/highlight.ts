/**
 * Answer highlight, per question, CPU side: the shader-modifier path (lib/splat/splat-highlight.ts +
 * lib/web/splat-highlight-modifier.ts: flag table + box texels, a few hundred bytes to upload) against
 * the path it replaced, measured in the same run: recolour every Gaussian into new arrays and repack the
 * Spark PackedSplats (16 bytes per splat re-uploaded). The old recolour loop is kept here only as that
 * baseline. GPU time is not measured (no GPU here): the modifier's per-splat work runs inside Spark's
 * splat generation pass, which runs anyway whenever the mesh's version moves.
 *
 *   npx tsx scripts/bench.ts --only highlight [--quick]
 */
import { RELEVANCY_THRESHOLD } from '../../lib/inference/semantics/query';
import {
  boxesFromAabbs,
  boxTextureData,
  DEFAULT_HIGHLIGHT,
  entriesFromScores,
  flagTextureData,
  highlightedCount,
  rowCounts,
  semanticTextureData,
  type HighlightStyle,
} from '../../lib/splat/splat-highlight';
import type { GaussianArrays } from '../../lib/web/scene-build';
import { packedSplatsFromArrays } from '../../lib/web/spark-splats';
import { utils } from '@sparkjsdev/spark';
import { timeIt, type BenchTable } from './table';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** A 6 x 3 x 5 m room of n Gaussians spread over `rows` bank rows (instances: contiguous blobs, like a real scan). */
function scene(n: number, rows: number): GaussianArrays & { semantic: Uint16Array } {
  const r = rng(n);
  const g = {
    count: n,
    positions: new Float32Array(n * 3),
    scales: new Float32Array(n * 3).fill(0.01),
    rotations: new Float32Array(n * 4),
    opacities: new Float32Array(n),
    colors: new Float32Array(n * 3),
    semantic: new Uint16Array(n),
  };
  for (let i = 0; i < n; i++) {
    g.positions.set([r() * 6 - 3, r() * 3, r() * 5 - 2.5], 3 * i);
    g.rotations[4 * i + 3] = 1;
    g.opacities[i] = 0.3 + 0.7 * r();
    g.colors.set([r(), r(), r()], 3 * i);
    g.semantic[i] = 1 + Math.floor((i / n) * (rows - 1));
  }
  return g;
}

// ---- the replaced path (baseline only) ------------------------------------------------------------
function oldSelectionMask(count: number, selections: readonly ArrayLike<number>[]): Uint8Array {
  const m = new Uint8Array(count);
  for (const sel of selections) for (let k = 0; k < sel.length; k++) m[sel[k]] = 1;
  return m;
}
function oldGaussiansNear(g: GaussianArrays, boxes: readonly { min: number[]; max: number[] }[], margin = 0.05): Uint32Array {
  const out: number[] = [];
  for (let i = 0; i < g.count; i++) {
    const x = g.positions[3 * i], y = g.positions[3 * i + 1], z = g.positions[3 * i + 2];
    for (const b of boxes)
      if (x >= b.min[0] - margin && x <= b.max[0] + margin && y >= b.min[1] - margin && y <= b.max[1] + margin && z >= b.min[2] - margin && z <= b.max[2] + margin) {
        out.push(i);
        break;
      }
  }
  return Uint32Array.from(out);
}
function oldHighlightArrays(g: GaussianArrays, mask: Uint8Array, style: HighlightStyle = DEFAULT_HIGHLIGHT): GaussianArrays {
  const colors = new Float32Array(g.count * 3);
  const opacities = new Float32Array(g.count);
  const [tr, tg, tb] = style.tint;
  for (let i = 0; i < g.count; i++) {
    const r = g.colors[3 * i], gg = g.colors[3 * i + 1], b = g.colors[3 * i + 2];
    if (mask[i]) {
      const t = style.tintAmount;
      colors[3 * i] = r + t * (tr - r);
      colors[3 * i + 1] = gg + t * (tg - gg);
      colors[3 * i + 2] = b + t * (tb - b);
      opacities[i] = Math.min(1, g.opacities[i] * 1.2 + 0.05);
    } else {
      const grey = 0.299 * r + 0.587 * gg + 0.114 * b;
      const d = style.desaturate, k = style.dimBrightness;
      colors[3 * i] = k * (r + d * (grey - r));
      colors[3 * i + 1] = k * (gg + d * (grey - gg));
      colors[3 * i + 2] = k * (b + d * (grey - b));
      opacities[i] = g.opacities[i] * style.dimOpacity;
    }
  }
  return { ...g, colors, opacities };
}

export async function run({ quick }: { quick: boolean }): Promise<BenchTable[]> {
  const sizes = quick ? [20_000, 100_000] : [100_000, 1_000_000];
  const rows = 400; // an instance bank of a furnished room
  const repeat = quick ? 3 : 5;
  const perQuestion: (string | number)[][] = [];
  const perScene: (string | number)[][] = [];
  for (const n of sizes) {
    const g = scene(n, rows);
    // One bank answer: 8 of the 400 rows relevant (the query's own selection is what the old path recoloured).
    const scores = new Float32Array(rows);
    for (let k = 0; k < 8; k++) scores[1 + k * 37] = 0.8;
    const selection: number[] = [];
    const entries0 = entriesFromScores(scores, RELEVANCY_THRESHOLD);
    for (let i = 0; i < n; i++) if (entries0[g.semantic[i]]) selection.push(i);
    const sel = Uint32Array.from(selection);
    // One room-label answer: two lamp boxes.
    const lamps = [{ min: [-2.2, 0, -1.9], max: [-1.8, 1.6, -1.5] }, { min: [2.1, 0, 1.2], max: [2.5, 1.6, 1.6] }];

    const counts = rowCounts(g.semantic, n);
    let flags: Uint8Array | undefined, boxTex: Float32Array | undefined;
    let uploadBank = 0, uploadBoxes = 0, litBank = 0, litBoxes = 0;
    const newBank = await timeIt(() => {
      const h = { entries: entriesFromScores(scores, RELEVANCY_THRESHOLD), boxes: new Float32Array(0) };
      flags = flagTextureData(h.entries, flags).data;
      litBank = highlightedCount(h, g, counts);
      uploadBank = flags.byteLength;
    }, repeat);
    const newBoxes = await timeIt(() => {
      const h = { entries: new Uint8Array(0), boxes: boxesFromAabbs(lamps) };
      flags = flagTextureData(h.entries, flags).data;
      boxTex = boxTextureData(h.boxes, boxTex).data;
      litBoxes = highlightedCount(h, g, counts);
      uploadBoxes = flags.byteLength + boxTex.byteLength;
    }, repeat);

    const packedBytes = utils.computeMaxSplats(n) * 16;
    let oldLit = 0;
    const oldBank = await timeIt(() => {
      const mask = oldSelectionMask(n, [sel]);
      oldLit = mask.reduce((a, b) => a + b, 0);
      packedSplatsFromArrays(oldHighlightArrays(g, mask));
    }, repeat);
    if (oldLit !== litBank) throw new Error(`bench highlight: the paths disagree (${oldLit} vs ${litBank} highlighted)`);
    let oldLitBoxes = 0;
    const oldBoxes = await timeIt(() => {
      const mask = oldSelectionMask(n, [oldGaussiansNear(g, lamps)]);
      oldLitBoxes = mask.reduce((a, b) => a + b, 0);
      packedSplatsFromArrays(oldHighlightArrays(g, mask));
    }, repeat);
    if (oldLitBoxes !== litBoxes) throw new Error(`bench highlight: the paths disagree on boxes (${oldLitBoxes} vs ${litBoxes})`);

    const label = n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`;
    perQuestion.push(
      [label, 'bank answer (8 of 400 rows)', litBank, newBank.wallMs, newBank.cpuMs, uploadBank, oldBank.wallMs, oldBank.cpuMs, packedBytes, +(oldBank.wallMs / newBank.wallMs).toFixed(0), +(packedBytes / uploadBank).toFixed(0)],
      [label, 'room labels (2 boxes)', litBoxes, newBoxes.wallMs, newBoxes.cpuMs, uploadBoxes, oldBoxes.wallMs, oldBoxes.cpuMs, packedBytes, +(oldBoxes.wallMs / newBoxes.wallMs).toFixed(1), +(packedBytes / uploadBoxes).toFixed(0)],
    );

    let semBytes = 0;
    const once = await timeIt(() => {
      semBytes = semanticTextureData(g.semantic, n).data.byteLength;
      rowCounts(g.semantic, n);
    }, repeat);
    const build = await timeIt(() => packedSplatsFromArrays(g), repeat);
    perScene.push([label, once.wallMs, semBytes, build.wallMs, packedBytes, +(build.wallMs / once.wallMs).toFixed(1)]);
  }
  return [
    {
      title: 'Answer highlight per question: shader modifier vs recolour + repack (CPU ms, best of runs; bytes to upload)',
      columns: ['Gaussians', 'answer', 'highlighted', 'new wall ms', 'new cpu ms', 'new upload B', 'old wall ms', 'old cpu ms', 'old upload B', 'time ratio', 'upload ratio'],
      rows: perQuestion,
      notes: [
        'new = flag table from the relevancies (+ box texels) and the page\'s highlighted count (by rows for a bank answer; a pass over the centres for boxes); old = selection mask, recolour of every Gaussian into new arrays, PackedSplats repack (copy of the removed lib/web/view/highlight.ts loop).',
        'GPU work not included: with the modifier Spark regenerates the splats from the unchanged PackedSplats in its generate pass; the old path also re-uploaded the whole packed texture.',
      ],
    },
    {
      title: 'Once per scene: semantic row texture (2 B/splat) + row counts vs building the PackedSplats (baseline)',
      columns: ['Gaussians', 'semantic texture + counts ms', 'semantic texture B', 'PackedSplats build ms', 'PackedSplats B', 'ratio'],
      rows: perScene,
    },
  ];
}
