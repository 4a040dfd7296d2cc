/**
 * Answers from stored labels: when no CLIP text encoder is installed, a question is matched against the
 * names the bank entries carry (the vocabulary labeler's names at build time, or a capture's own
 * annotations) through the same synonym tables as the headset's room labels (device-labels.ts) and the
 * labeler's vocabulary (indoor-vocabulary.ts). "sofa" finds an entry named "couch" or "COUCH",
 * "where are the lamps?" finds "lamp" / "LAMP" / "floor lamp". Closed vocabulary: a word no table and no
 * stored label knows finds nothing, and the answer says so.
 *
 * Matching works on phrase spans of the question's words: every phrase of every table that occurs in the
 * question is a span with a key (dev:LAMP, voc:lamp, lit:<stored label>); a span inside a longer span is
 * dropped ("light switch" is not a "light", "floor lamp" is not a "floor"). An entry matches when one of its
 * own keys is among the question's.
 */
import { canonicalDeviceLabel, DEVICE_LABEL_SYNONYMS, isEmptyQuery, words } from './device-labels';
import { INDOOR_VOCABULARY } from './indoor-vocabulary';
import { answerFromRows, SelectionScratch, type QueryAnswer, type QueryOptions, type QueryScene } from './query';

interface Phrase {
  words: string[];
  key: string;
}

let tables: { phrases: Phrase[]; devSynonym: Map<string, string>; vocName: Map<string, string[]> } | null = null;

/** The synonym tables as folded phrases, built once. */
function phraseTables() {
  if (tables) return tables;
  const phrases: Phrase[] = [];
  const devSynonym = new Map<string, string>();
  for (const [label, syns] of Object.entries(DEVICE_LABEL_SYNONYMS))
    for (const s of [label.toLowerCase().replace(/_/g, ' '), ...syns]) {
      const w = words(s);
      phrases.push({ words: w, key: `dev:${label}` });
      if (!devSynonym.has(w.join(' '))) devSynonym.set(w.join(' '), label);
    }
  const vocName = new Map<string, string[]>();
  for (const v of INDOOR_VOCABULARY)
    for (const s of [v.name, ...v.synonyms]) {
      const w = words(s);
      phrases.push({ words: w, key: `voc:${v.name}` });
      const k = w.join(' ');
      vocName.set(k, [...(vocName.get(k) ?? []), v.name]);
    }
  tables = { phrases, devSynonym, vocName };
  return tables;
}

/** Keys a stored label answers to: its Space Setup label, its vocabulary entries and itself. */
export function keysForStoredLabel(label: string): Set<string> {
  const keys = new Set<string>();
  const w = words(label);
  if (w.length === 0) return keys;
  const folded = w.join(' ');
  keys.add(`lit:${folded}`);
  const { devSynonym, vocName } = phraseTables();
  const upper = label.trim().toUpperCase().replace(/[\s-]+/g, '_');
  const vocab = vocName.get(folded) ?? [];
  for (const v of vocab) keys.add(`voc:${v}`);
  if (upper in DEVICE_LABEL_SYNONYMS) keys.add(`dev:${upper}`);
  else if (devSynonym.has(folded)) keys.add(`dev:${devSynonym.get(folded)}`);
  else if (vocab.length === 0) {
    // A WebXR registry name the vocabulary does not know ("global mesh" stays out: it is never an answer).
    const c = canonicalDeviceLabel(label);
    if (c in DEVICE_LABEL_SYNONYMS) keys.add(`dev:${c}`);
  }
  return keys;
}

/** Keys the question names (spans inside longer spans dropped). `stored`: the scene's own labels, matched literally too. */
export function keysForQuestion(text: string, stored: readonly string[] = []): Set<string> {
  const ws = words(text);
  const spans: { key: string; start: number; end: number }[] = [];
  const phrases = [...phraseTables().phrases, ...stored.map((l) => ({ words: words(l), key: `lit:${words(l).join(' ')}` }))];
  for (const p of phrases) {
    const n = p.words.length;
    if (n === 0) continue;
    for (let i = 0; i + n <= ws.length; i++) {
      let ok = true;
      for (let j = 0; j < n && ok; j++) ok = ws[i + j] === p.words[j];
      if (ok) spans.push({ key: p.key, start: i, end: i + n });
    }
  }
  const keys = new Set<string>();
  for (const s of spans) {
    const inside = spans.some((t) => t.start <= s.start && s.end <= t.end && t.end - t.start > s.end - s.start);
    if (!inside) keys.add(s.key);
  }
  return keys;
}

/** How a stored label is shown: "WALL_ART" -> "wall art". */
export function displayLabel(label: string): string {
  return label.trim().toLowerCase().replace(/_/g, ' ');
}

const DEFAULT_LABEL_QUERY: Pick<Required<QueryOptions>, 'grouping' | 'voxelSize' | 'minGaussians'> = { grouping: 'auto', voxelSize: 0.1, minGaussians: 20 };

/**
 * Answers `text` from the bank's stored labels. Matched rows score 1, the rest 0; grouping into instances is
 * the relevancy path's (answerFromRows). The answer's `answeredFrom` is 'stored labels'.
 */
export function answerFromStoredLabels(scene: QueryScene, text: string, options: QueryOptions = {}, scratch = new SelectionScratch()): QueryAnswer {
  if (typeof text !== 'string' || !text.trim()) throw new Error('answerFromStoredLabels: empty query');
  const bank = scene.bank;
  const t0 = performance.now();
  const stored = [...new Set(bank.meta.slice(1).map((m) => m.label).filter(Boolean))];
  const asked = keysForQuestion(text, stored);
  const rows = new Uint8Array(bank.count);
  const entryScores = new Float32Array(bank.count);
  const keyCache = new Map<string, Set<string>>();
  for (let r = 1; r < bank.count; r++) {
    const label = bank.meta[r].label;
    if (!label) continue;
    let keys = keyCache.get(label);
    if (!keys) keyCache.set(label, (keys = keysForStoredLabel(label)));
    for (const k of keys)
      if (asked.has(k)) {
        rows[r] = 1;
        entryScores[r] = 1;
        break;
      }
  }
  const t1 = performance.now();
  const known = stored.map(displayLabel);
  const list = [...new Set(known)].sort().slice(0, 12).join(', ');
  const why = isEmptyQuery(text)
    ? 'the question names nothing to look for'
    : asked.size === 0
      ? `no stored label or synonym matches its words; the scene's labels: ${list || 'none'}`
      : `the scene's stored labels have no ${[...asked].map((k) => displayLabel(k.slice(4))).filter((v, i, a) => a.indexOf(v) === i).join(' or ')}; they are: ${list || 'none'}`;
  const o = { ...DEFAULT_LABEL_QUERY, ...options };
  const a = answerFromRows(scene, text, rows, entryScores, o, scratch, why);
  const t2 = performance.now();
  const instances = a.instances.map((i) => ({ ...i, label: displayLabel(i.label) }));
  const { selectMs, ...rest } = a;
  return { ...rest, instances, answeredFrom: 'stored labels', timings: { embedMs: 0, scoreMs: t1 - t0, selectMs, groupMs: t2 - t1 - selectMs } };
}
