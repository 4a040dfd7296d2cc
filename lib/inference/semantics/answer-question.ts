/**
 * The one way a question about a scene is answered, for /view, /demo, /scan, the CLI and the voice
 * transcriber: with a text encoder (CLIP text tower, SemanticQuery) and a bank of embeddings, LERF
 * relevancy over the bank (open vocabulary); otherwise the bank entries' stored labels through the
 * synonym tables (label-answers.ts), marked answeredFrom 'stored labels' with a note saying what the
 * model would add. Never throws for a scene without semantics: the answer says why it is empty.
 */
import { answerFromStoredLabels } from './label-answers';
import type { QueryAnswer, QueryOptions, QueryScene, SemanticQuery } from './query';

export interface AnswerQuestionOptions {
  /** The loaded text-query engine; null/absent: no text encoder is available. */
  engine?: SemanticQuery | null;
  /** Why there is no engine, for the answer ("semantic model not installed"). */
  noEngine?: string;
  /** What would give open vocabulary, appended to label answers ("download the semantic model"). */
  openVocabulary?: string;
  /** Grouping options for answers from stored labels (the engine has its own). */
  labels?: QueryOptions;
}

/** A not-found answer for a scene nothing can be asked of. */
function emptyAnswer(text: string, bankRows: number, reason: string, answeredFrom: QueryAnswer['answeredFrom']): QueryAnswer {
  return {
    query: text,
    instances: [],
    reason,
    entryScores: new Float32Array(bankRows),
    rows: new Uint8Array(bankRows),
    selection: new Uint32Array(0),
    answeredFrom,
    timings: { embedMs: 0, scoreMs: 0, selectMs: 0, groupMs: 0 },
  };
}

export async function answerQuestion(scene: QueryScene | null | undefined, text: string, opts: AnswerQuestionOptions = {}): Promise<QueryAnswer> {
  if (typeof text !== 'string' || !text.trim()) throw new Error('answerQuestion: empty question');
  const noEngine = opts.noEngine ?? 'no text encoder (CLIP text model) is loaded';
  if (!scene || scene.bank.count <= 1) return emptyAnswer(text, scene?.bank.count ?? 1, 'the scene has no semantics (geometry only)', 'stored labels');
  const bank = scene.bank;
  const embedded = bank.hasEmbeddings();
  const engine = opts.engine ?? null;
  if (engine && embedded) return engine.query(scene, text);
  if (!bank.hasLabels())
    return emptyAnswer(text, bank.count, embedded ? `${noEngine}, and the scene's bank has no stored labels to answer from` : 'the scene has no semantics (its bank has neither embeddings nor labels)', 'stored labels');
  const a = answerFromStoredLabels(scene, text, opts.labels);
  const more = embedded ? `${noEngine}; ${opts.openVocabulary ?? 'install the semantic model to ask in open vocabulary'}` : "the scene's bank holds labels only (no embeddings): open-vocabulary questions need a scene built with the semantic models";
  return { ...a, note: `from stored labels (${more})` };
}
