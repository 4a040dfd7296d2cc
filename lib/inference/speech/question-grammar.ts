/**
 * The recogniser's grammar for spoken questions about a scene, built at run time from what the scene
 * can answer: its bank labels, the room's labels (with their synonyms) and, so that any indoor object
 * can be asked for, the indoor vocabulary. Questions take the forms people use for finding things:
 * "where is the lamp", "where are all the chairs", "find my keys", "show me all the plants",
 * "highlight the couch", or just "lamp". Words the pronouncing dictionary lacks cannot be spoken to a
 * grammar recogniser: their phrases are left out and reported (`skipped`).
 *
 * The grammar is JSGF (PocketSphinx's ps_set_jsgf_string); object phrases from the scene itself weigh
 * more than the general vocabulary, so a room with a lamp hears "lamp" over a similar-sounding name.
 */
import { INDOOR_VOCABULARY } from '../semantics/indoor-vocabulary';
import { DEVICE_LABEL_SYNONYMS, canonicalDeviceLabel, deviceLabelsForQuery } from '../semantics/device-labels';
import type { PronouncingDictionary } from './pronouncing-dictionary';

/** Leading words of a question, each an alternative (JSGF syntax; [x] optional). */
export const QUESTION_CARRIERS: readonly string[] = Object.freeze([
  'where is',
  'where are',
  'where can i find',
  'find',
  'find me',
  'show me',
  'show',
  'highlight',
  'locate',
  'point to',
  'look for',
  'is there',
  'are there',
  'which is',
  'what is',
]);
export const QUESTION_DETERMINERS: readonly string[] = Object.freeze(['the', 'a', 'an', 'my', 'all', 'all the', 'all of the', 'any', 'some', 'every']);
export const QUESTION_TAILS: readonly string[] = Object.freeze(['please', 'in the room', 'in this room']);

export interface PhraseSource {
  /** Bank entry labels of the scene ("lamp", "sofa", ...). */
  sceneLabels?: readonly string[];
  /** Room labels the headset reports (Space Setup or WebXR names: "TABLE", "wall art"). */
  roomLabels?: readonly string[];
  /** Add the indoor vocabulary (names and synonyms); default true. */
  vocabulary?: boolean;
}

export interface QuestionGrammar {
  /** JSGF text for the recogniser. */
  jsgf: string;
  /** Every word the grammar uses (for the dictionary subset). */
  words: string[];
  /** Object phrases the grammar can hear, scene ones first. */
  phrases: string[];
  /** Phrases left out because the dictionary lacks a word. */
  skipped: { phrase: string; missing: string[] }[];
}

/** Lower case, letters and apostrophes only, single spaces ("Wall_Art" → "wall art", "post-it" → "post it"). */
export function spokenForm(s: string): string {
  return s
    .toLowerCase()
    .replace(/[_\-/]+/g, ' ')
    .replace(/[^a-z' ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The plural the dictionary knows for a phrase's last word ("lamp" → "lamps", "shelf" → "shelves"), or null. */
export function pluralPhrase(phrase: string, dict: PronouncingDictionary): string | null {
  const ws = phrase.split(' ');
  const w = ws[ws.length - 1];
  if (!w || w.endsWith('s')) return null;
  const cands = [`${w}s`, `${w}es`];
  if (w.endsWith('y')) cands.unshift(`${w.slice(0, -1)}ies`);
  if (w.endsWith('f')) cands.unshift(`${w.slice(0, -1)}ves`);
  if (w.endsWith('fe')) cands.unshift(`${w.slice(0, -2)}ves`);
  for (const c of cands) if (dict.has(c)) return [...ws.slice(0, -1), c].join(' ');
  return null;
}

/** Object phrases (spoken forms), scene labels first, then room labels and their synonyms, then the vocabulary. */
export function objectPhrases(src: PhraseSource): { scene: string[]; general: string[] } {
  const scene = new Set<string>();
  // A scene label is asked for by its synonyms too ("couch": "sofa"; "storage": "shelf"): the answer
  // path matches them to the label, so the recogniser must be able to hear them.
  for (const l of src.sceneLabels ?? []) {
    const s = spokenForm(l);
    if (!s) continue;
    scene.add(s);
    for (const e of INDOOR_VOCABULARY) if (e.name === s || e.synonyms.includes(s)) for (const n of [e.name, ...e.synonyms]) scene.add(spokenForm(n));
    for (const key of deviceLabelsForQuery(s)) for (const n of DEVICE_LABEL_SYNONYMS[key] ?? []) scene.add(spokenForm(n));
  }
  for (const l of src.roomLabels ?? []) {
    const key = canonicalDeviceLabel(l);
    const syns = DEVICE_LABEL_SYNONYMS[key];
    const s = spokenForm(l);
    if (s && s !== 'other' && s !== 'global mesh') scene.add(s);
    for (const syn of syns ?? []) scene.add(spokenForm(syn));
  }
  const general = new Set<string>();
  if (src.vocabulary !== false) {
    for (const e of INDOOR_VOCABULARY) for (const n of [e.name, ...e.synonyms]) general.add(spokenForm(n));
    for (const syns of Object.values(DEVICE_LABEL_SYNONYMS)) for (const n of syns) general.add(spokenForm(n));
  }
  for (const s of scene) general.delete(s);
  general.delete('');
  return { scene: [...scene], general: [...general] };
}

const SCENE_WEIGHT = 4;

/** The question grammar for a scene; throws when no object phrase can be spoken at all. */
export function buildQuestionGrammar(src: PhraseSource, dict: PronouncingDictionary): QuestionGrammar {
  const { scene, general } = objectPhrases(src);
  const skipped: QuestionGrammar['skipped'] = [];
  const words = new Set<string>();
  const fixed = [...QUESTION_CARRIERS, ...QUESTION_DETERMINERS, ...QUESTION_TAILS].flatMap((p) => p.split(' '));
  for (const w of fixed) {
    if (!dict.has(w)) throw new Error(`buildQuestionGrammar: the dictionary lacks the question word "${w}"`);
    words.add(w);
  }
  const keep = (list: string[]): string[] => {
    const out: string[] = [];
    const seen = new Set<string>();
    for (const p of list) {
      const missing = p.split(' ').filter((w) => !dict.has(w));
      if (missing.length) {
        skipped.push({ phrase: p, missing });
        continue;
      }
      for (const form of [p, pluralPhrase(p, dict)]) {
        if (!form || seen.has(form)) continue;
        seen.add(form);
        out.push(form);
        for (const w of form.split(' ')) words.add(w);
      }
    }
    return out;
  };
  const sceneForms = keep(scene);
  const generalForms = keep(general).filter((p) => !sceneForms.includes(p));
  if (sceneForms.length + generalForms.length === 0) throw new Error('buildQuestionGrammar: no object phrase can be spoken (all words missing from the dictionary)');
  const alt = (xs: readonly string[]) => xs.join(' | ');
  const objects = [
    ...sceneForms.map((p) => `/${SCENE_WEIGHT}/ ${p}`),
    ...generalForms.map((p) => `/1/ ${p}`),
  ];
  const jsgf = [
    '#JSGF V1.0;',
    'grammar question;',
    `<carrier> = ${alt(QUESTION_CARRIERS)};`,
    `<det> = ${alt(QUESTION_DETERMINERS)};`,
    `<tail> = ${alt(QUESTION_TAILS)};`,
    `<object> = ${objects.join(' | ')};`,
    'public <question> = [<carrier>] [<det>] <object> [<tail>];',
    '',
  ].join('\n');
  return { jsgf, words: [...words], phrases: [...sceneForms, ...generalForms], skipped };
}
