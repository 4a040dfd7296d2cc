/**
 * Closed-vocabulary answers from the headset's own room understanding: WebXR detected planes and meshes
 * carry a `semanticLabel` (Quest Space Setup: TABLE, COUCH, LAMP, SCREEN, ...). A query such as
 * "where is the lamp?" is mapped to labels through synonyms and answered with the labelled entities'
 * centroids and boxes, in the same reference space as the points given (local-floor in the app).
 *
 * Plain TypeScript: the page turns XRPlane polygons / XRMesh vertices into world points (pose applied)
 * and hands them here as DeviceEntity values, so Node tests run the same code on @iwer/sem room data.
 */
import type { Box3 } from '../../splat/semantic-bank';

/** Space Setup labels (Meta's semanticLabel values, upper case as the runtime reports them). */
export const DEVICE_LABELS = [
  'TABLE', 'COUCH', 'LAMP', 'SCREEN', 'STORAGE', 'PLANT', 'WALL_ART', 'BED', 'DOOR_FRAME', 'WINDOW_FRAME',
  'FLOOR', 'CEILING', 'WALL_FACE', 'INVISIBLE_WALL_FACE', 'OTHER', 'GLOBAL_MESH',
] as const;

/**
 * Words (already lower case, singular) that name each label. Multi-word phrases are matched as phrases.
 * GLOBAL_MESH / OTHER are never answers: they are the whole room or unnamed.
 */
export const DEVICE_LABEL_SYNONYMS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  TABLE: ['table', 'desk', 'coffee table', 'dining table', 'side table', 'nightstand', 'counter', 'workbench'],
  COUCH: ['couch', 'sofa', 'settee', 'loveseat', 'love seat', 'sectional', 'futon'],
  LAMP: ['lamp', 'light', 'floor lamp', 'desk lamp', 'lampshade', 'lamp shade', 'light fixture'],
  SCREEN: ['screen', 'tv', 'television', 'monitor', 'display', 'telly', 'computer screen'],
  STORAGE: ['storage', 'shelf', 'shelves', 'bookshelf', 'bookcase', 'cabinet', 'cupboard', 'dresser', 'drawer', 'wardrobe', 'closet', 'sideboard'],
  PLANT: ['plant', 'flower', 'houseplant', 'pot plant', 'potted plant', 'tree'],
  WALL_ART: ['wall art', 'art', 'picture', 'painting', 'poster', 'frame', 'photo', 'artwork', 'print'],
  BED: ['bed', 'mattress'],
  DOOR_FRAME: ['door', 'doorway', 'door frame', 'exit'],
  WINDOW_FRAME: ['window', 'window frame'],
  FLOOR: ['floor', 'ground'],
  CEILING: ['ceiling', 'roof'],
  WALL_FACE: ['wall', 'walls'],
});

/**
 * Runtimes report room labels in two vocabularies: Meta's Space Setup names (TABLE, STORAGE, WALL_FACE, …; the
 * @iwer/sem captures) and the WebXR semantic-labels registry (desk, shelf, wall, door, window, wall art, global
 * mesh; what Quest Browser and iwer's emulated planes/meshes report). Everything here speaks Space Setup: this
 * maps either to it (idempotent; unknown labels are kept, upper-cased).
 */
const WEBXR_TO_SPACE_SETUP: Readonly<Record<string, string>> = Object.freeze({
  DESK: 'TABLE',
  SHELF: 'STORAGE',
  WALL: 'WALL_FACE',
  INNER_WALL_FACE: 'WALL_FACE',
  DOOR: 'DOOR_FRAME',
  WINDOW: 'WINDOW_FRAME',
  WALL_ART: 'WALL_ART',
  GLOBAL_MESH: 'GLOBAL_MESH',
  CHAIR: 'COUCH',
});

export function canonicalDeviceLabel(raw: string): string {
  if (typeof raw !== 'string') throw new Error(`canonicalDeviceLabel: label must be a string, got ${typeof raw}`);
  const key = raw.trim().toUpperCase().replace(/[\s-]+/g, '_');
  return WEBXR_TO_SPACE_SETUP[key] ?? (key || 'OTHER');
}

/** Words that say nothing about what is asked for ("where is the ...?"). */
const FILLER = new Set(['where', 'is', 'are', 'the', 'a', 'an', 'my', 'show', 'me', 'find', 'locate', 'please', 'what', 'which', 'there', 'any', 'some', 'of', 'in', 'room', 'this']);

/**
 * Lower case, punctuation to spaces, crude plural folding ("lamps" -> "lamp", "shelves" kept as a synonym).
 * Exported so stored bank labels are matched with the same folding (label-answers.ts).
 */
export function words(text: string): string[] {
  const out: string[] = [];
  for (const w of text.toLowerCase().replace(/[^a-z0-9_\s-]+/g, ' ').replace(/[-_]/g, ' ').split(/\s+/)) {
    if (!w) continue;
    out.push(w.length > 3 && w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w);
  }
  return out;
}

/**
 * Device labels the query names, in the order they first appear. "where is the lamp?" -> ['LAMP'];
 * "sofa" -> ['COUCH']; "tv or monitor" -> ['SCREEN']. A label name itself ("wall_art") also matches.
 */
export function deviceLabelsForQuery(text: string): string[] {
  if (typeof text !== 'string') throw new Error('deviceLabelsForQuery: query must be a string');
  const ws = words(text);
  const joined = ` ${ws.join(' ')} `;
  const hits: { label: string; at: number }[] = [];
  for (const [label, syns] of Object.entries(DEVICE_LABEL_SYNONYMS)) {
    let at = Infinity;
    for (const s of [label.toLowerCase().replace(/_/g, ' '), ...syns]) {
      const phrase = words(s).join(' ');
      const i = joined.indexOf(` ${phrase} `);
      if (i >= 0 && i < at) at = i;
    }
    if (at < Infinity) hits.push({ label, at });
  }
  // "wall art" also contains "wall": prefer the longer phrase's label when both start at one place.
  const labels = hits.sort((a, b) => a.at - b.at).map((h) => h.label);
  if (labels.includes('WALL_ART')) return labels.filter((l) => l !== 'WALL_FACE');
  if (labels.includes('DOOR_FRAME') && labels.includes('WALL_FACE') && !ws.some((w) => w === 'wall')) return labels.filter((l) => l !== 'WALL_FACE');
  return labels;
}

/**
 * What the question asks for, as a short label for answers that have no name of their own:
 * "Where is the lamp?" -> "lamp", "show me the red chairs" -> "red chair". The trimmed, lower-cased
 * text when nothing but filler is left.
 */
export function queryTopic(text: string): string {
  if (typeof text !== 'string') throw new Error('queryTopic: query must be a string');
  const rest = words(text).filter((w) => !FILLER.has(w));
  return rest.length ? rest.join(' ') : text.trim().toLowerCase();
}

/** True when the query is only filler words (nothing to look for). */
export function isEmptyQuery(text: string): boolean {
  return words(text).every((w) => FILLER.has(w));
}

/** One labelled plane or mesh, its points already in the reference space (metres, y up). */
export interface DeviceEntity {
  label: string;
  kind: 'plane' | 'mesh';
  /** xyz triples in the reference space: a plane's polygon corners or a mesh's vertices. */
  points: Float32Array;
  /** Triangle vertex indices into points (meshes; absent for planes and boxes given as corners). */
  indices?: Uint32Array;
  /** Stable id for the UI (XR object identity, uuid in captures). */
  id?: string;
}

export interface DeviceAnswerInstance {
  source: 'device';
  label: string;
  kind: 'plane' | 'mesh';
  centroid: [number, number, number];
  box: Box3;
  /** Number of points the entity had. */
  count: number;
  id?: string;
}

export interface DeviceAnswer {
  query: string;
  labels: string[];
  instances: DeviceAnswerInstance[];
  /** Why there is nothing (absent when something was found). */
  reason?: string;
}

/** Centroid (mean of points) and axis-aligned box of an entity's points. */
export function describeEntity(points: Float32Array): { centroid: [number, number, number]; box: Box3 } {
  if (!(points instanceof Float32Array) || points.length === 0 || points.length % 3 !== 0)
    throw new Error(`describeEntity: points must be a non-empty Float32Array of xyz triples (got ${points?.length ?? 'none'} values)`);
  const n = points.length / 3;
  const min: [number, number, number] = [Infinity, Infinity, Infinity];
  const max: [number, number, number] = [-Infinity, -Infinity, -Infinity];
  const s = [0, 0, 0];
  for (let i = 0; i < n; i++)
    for (let k = 0; k < 3; k++) {
      const v = points[3 * i + k];
      if (!Number.isFinite(v)) throw new Error(`describeEntity: point ${i} has a non-finite coordinate`);
      s[k] += v;
      if (v < min[k]) min[k] = v;
      if (v > max[k]) max[k] = v;
    }
  // A polygon's corner mean is biased by uneven corners; the box centre is the better anchor for a
  // plane's label, the vertex mean for a mesh. Both are within the object, which is what an answer needs.
  return { centroid: [s[0] / n, s[1] / n, s[2] / n], box: { min, max } };
}

/** Answers a query from labelled entities. Entities with labels the query does not name are ignored. */
export function answerFromDeviceLabels(text: string, entities: readonly DeviceEntity[]): DeviceAnswer {
  const labels = deviceLabelsForQuery(text);
  if (labels.length === 0)
    return { query: text, labels, instances: [], reason: `"${text}" names no room label the headset knows (${Object.keys(DEVICE_LABEL_SYNONYMS).join(', ').toLowerCase()})` };
  const want = new Set(labels);
  const picked = entities.filter((e) => want.has(canonicalDeviceLabel(e.label)));
  // Quest reports a 3D-bounded object both as a mesh (box) and as its top plane: keep the mesh and
  // drop planes whose centre lies inside a kept mesh's box of the same label.
  const meshes = picked.filter((e) => e.kind === 'mesh').map((e) => ({ e, d: describeEntity(e.points) }));
  const out: DeviceAnswerInstance[] = meshes.map(({ e, d }) => ({ source: 'device', label: canonicalDeviceLabel(e.label), kind: 'mesh', count: e.points.length / 3, id: e.id, ...d }));
  for (const e of picked) {
    if (e.kind !== 'plane') continue;
    const d = describeEntity(e.points);
    const c = [(d.box.min[0] + d.box.max[0]) / 2, (d.box.min[1] + d.box.max[1]) / 2, (d.box.min[2] + d.box.max[2]) / 2];
    const inside = meshes.some(({ e: m, d: md }) => canonicalDeviceLabel(m.label) === canonicalDeviceLabel(e.label) && c.every((v, k) => v >= md.box.min[k] - 0.05 && v <= md.box.max[k] + 0.05));
    if (!inside) out.push({ source: 'device', label: canonicalDeviceLabel(e.label), kind: 'plane', count: e.points.length / 3, id: e.id, centroid: c as [number, number, number], box: d.box });
  }
  if (out.length === 0) return { query: text, labels, instances: [], reason: `the headset's room setup has no ${labels.map((l) => l.toLowerCase().replace(/_/g, ' ')).join(' or ')}` };
  return { query: text, labels, instances: out };
}

/** Applies a column-major 4x4 rigid transform (XRPose.transform.matrix) to local xyz points. */
export function transformPoints(local: ArrayLike<number>, m: ArrayLike<number>): Float32Array {
  if (local.length % 3 !== 0) throw new Error(`transformPoints: ${local.length} values is not a whole number of xyz points`);
  if (m.length !== 16) throw new Error(`transformPoints: matrix must have 16 values, got ${m.length}`);
  const out = new Float32Array(local.length);
  for (let i = 0; i < local.length; i += 3) {
    const x = local[i], y = local[i + 1], z = local[i + 2];
    out[i] = m[0] * x + m[4] * y + m[8] * z + m[12];
    out[i + 1] = m[1] * x + m[5] * y + m[9] * z + m[13];
    out[i + 2] = m[2] * x + m[6] * y + m[10] * z + m[14];
  }
  return out;
}

/** XRPlane.polygon (DOMPointReadOnly-like, plane space, y = 0) -> xyz triples. */
export function polygonPoints(polygon: readonly { x: number; y: number; z: number }[]): Float32Array {
  const out = new Float32Array(polygon.length * 3);
  polygon.forEach((p, i) => out.set([p.x, p.y, p.z], 3 * i));
  return out;
}

/** An answer row both sources share: where it is, what it is called, and where it came from. */
export interface MergedInstance {
  source: 'scene' | 'device' | 'both';
  label: string;
  centroid: [number, number, number];
  box: Box3;
  /** Relevancy for scene answers; 1 for device-label answers (a closed-vocabulary match is certain). */
  score: number;
  /** Index into the scene answer's instances, when the scene found it. */
  sceneIndex?: number;
}

/**
 * Scene (open-vocabulary) instances plus device-label instances, deduplicated: a device instance whose
 * centroid lies within `dedupeDistance` metres of a scene instance's centroid, or inside its box, is the
 * same object and is reported once (source 'both', the device label kept since it is certain).
 */
export function mergeAnswers(
  scene: readonly { label: string; centroid: [number, number, number]; box: Box3; score: number }[],
  device: readonly DeviceAnswerInstance[],
  dedupeDistance = 0.3,
): MergedInstance[] {
  if (!(dedupeDistance >= 0)) throw new Error(`mergeAnswers: dedupeDistance must be >= 0, got ${dedupeDistance}`);
  const out: MergedInstance[] = scene.map((s, i) => ({ source: 'scene', label: s.label, centroid: s.centroid, box: s.box, score: s.score, sceneIndex: i }));
  for (const d of device) {
    let best = -1;
    let bestDist = Infinity;
    for (let i = 0; i < scene.length; i++) {
      const c = scene[i].centroid;
      const dist = Math.hypot(c[0] - d.centroid[0], c[1] - d.centroid[1], c[2] - d.centroid[2]);
      const inBox = d.centroid.every((v, k) => v >= scene[i].box.min[k] && v <= scene[i].box.max[k]);
      if ((dist <= dedupeDistance || inBox) && dist < bestDist) {
        best = i;
        bestDist = dist;
      }
    }
    if (best >= 0 && out[best].source === 'scene') {
      out[best] = { ...out[best], source: 'both', label: d.label };
    } else out.push({ source: 'device', label: d.label, centroid: d.centroid, box: d.box, score: 1 });
  }
  return out;
}
