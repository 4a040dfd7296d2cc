/**
 * The words on the in-XR query panel besides its keys: the quick-pick chips (recent questions, the room's
 * Space Setup objects, the scene's own entry labels) and the one-line readout of the last answer, both
 * built from the same state the page's DOM query box shows.
 */
import { canonicalDeviceLabel, DEVICE_LABEL_SYNONYMS, deviceLabelsForQuery } from '../../inference/semantics/device-labels';

/** Labels that are the room's shell or unnamed: never offered as a chip. */
const NOT_PICKS = new Set(['FLOOR', 'CEILING', 'WALL_FACE', 'INVISIBLE_WALL_FACE', 'OTHER', 'GLOBAL_MESH']);

/** The word a Space Setup label is asked by ("LAMP" → "lamp", "WALL_ART" → "wall art"). */
export function deviceLabelWord(label: string): string {
  return DEVICE_LABEL_SYNONYMS[label]?.[0] ?? label.toLowerCase().replace(/_/g, ' ');
}

/**
 * Chips, most useful first, without duplicates (case-insensitive), at most `max`: recent questions (newest
 * first, up to 3), then the room's labelled objects (in the order given), then the scene's entry labels.
 * Room labels are canonicalised (WebXR "shelf" → STORAGE) and offered only when their word asks for that very
 * label, so no chip answers nothing.
 */
export function quickPicks(opts: { recent?: readonly string[]; roomLabels?: readonly string[]; entryLabels?: readonly string[]; max?: number }): string[] {
  const max = opts.max ?? 10;
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (s: string) => {
    const t = s.trim().replace(/\s+/g, ' ');
    const k = t.toLowerCase();
    if (!t || seen.has(k) || out.length >= max) return;
    seen.add(k);
    out.push(t);
  };
  for (const r of (opts.recent ?? []).slice(0, 3)) add(r);
  for (const raw of opts.roomLabels ?? []) {
    const l = canonicalDeviceLabel(raw);
    if (NOT_PICKS.has(l)) continue;
    const w = deviceLabelWord(l);
    if (deviceLabelsForQuery(w).includes(l)) add(w);
  }
  for (const e of opts.entryLabels ?? []) if (e !== 'background') add(e);
  return out;
}

export interface ReadoutState {
  asking: boolean;
  /** The question being asked (while `asking`). */
  asked?: string | null;
  error?: string | null;
  /** The last answer (null: nothing asked since the scene opened). */
  answer?: { text: string; labels: readonly string[]; distances: readonly (number | null)[]; notFound: string } | null;
  /** Set when the scene has a bank but its semantic model is not installed. */
  modelMissing?: string | null;
}

/**
 * One line: "asking "lamp"…", "2 × lamp · nearest 1.8 m", "2 × lamp, 1 × table · nearest 0.9 m",
 * "not found: …", "error: …", or before any question the model notice / a hint.
 */
export function answerReadout(s: ReadoutState): string {
  if (s.asking) return s.asked ? `asking “${s.asked}”…` : 'asking…';
  if (s.error) return `error: ${s.error}`;
  const a = s.answer;
  if (a) {
    if (a.labels.length === 0) return `not found: ${a.notFound || `“${a.text}”`}`;
    const counts = new Map<string, number>();
    for (const l of a.labels) {
      const k = deviceLabelWordOrSelf(l);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    const what = [...counts].map(([l, n]) => `${n} × ${l}`).join(', ');
    const ds = a.distances.filter((d): d is number => d != null && Number.isFinite(d));
    return ds.length ? `${what} · nearest ${Math.min(...ds).toFixed(1)} m` : what;
  }
  if (s.modelMissing) return s.modelMissing;
  return 'type a question or pick one below';
}

/** Answer labels are Space Setup names (LAMP) or scene labels (free text): show the former as words. */
function deviceLabelWordOrSelf(label: string): string {
  return /^[A-Z_]+$/.test(label) ? deviceLabelWord(label) : label;
}
