/**
 * Scoring spoken questions (docs/RESULTS.md, voice): word accuracy of the transcript against what was
 * said (1 − word error rate, Levenshtein over words, floored at 0), and "right object": the spoken
 * question's answers name the same objects as the typed question's (non-empty), so a recogniser that
 * hears "where is a lamp" for "where is the lamp" still finds the lamps.
 */
export function words(s: string): string[] {
  return s.toLowerCase().replace(/[^a-z' ]+/g, ' ').split(/\s+/).filter(Boolean);
}

/** Word-level edit distance (substitutions, insertions, deletions). */
export function wordErrors(ref: string, hyp: string): { errors: number; refWords: number } {
  const r = words(ref), h = words(hyp);
  const d = Array.from({ length: r.length + 1 }, (_, i) => Array.from({ length: h.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= r.length; i++)
    for (let j = 1; j <= h.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (r[i - 1] === h[j - 1] ? 0 : 1));
  return { errors: d[r.length][h.length], refWords: r.length };
}

/** Same multiset-free set of answer labels, both non-empty. */
export function sameObjects(expected: readonly string[], got: readonly string[]): boolean {
  if (expected.length === 0 || got.length === 0) return false;
  const a = new Set(expected.map((l) => l.toLowerCase())), b = new Set(got.map((l) => l.toLowerCase()));
  return a.size === b.size && [...a].every((l) => b.has(l));
}

/** Questions about the shipped sample room (public/samples/living_room: lamps, couches, tables, windows, wall art, storage). */
export const SAMPLE_ROOM_QUESTIONS: readonly string[] = Object.freeze([
  'where is the lamp',
  'where are the lamps',
  'find the table',
  'show me the couch',
  'where is the sofa',
  'highlight the window',
  'where is the wall art',
  'show me all the shelves',
  'where is the picture',
  'find the desk',
]);

export const EVAL_VOICES: readonly string[] = Object.freeze(['en-us', 'en-us+m3', 'en-us+f3', 'en-gb', 'en-us+klatt2']);
export const EVAL_SPEEDS: readonly number[] = Object.freeze([130, 170]);
