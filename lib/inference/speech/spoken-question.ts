/**
 * A spoken question about a scene, end to end, the same for the CLI (scripts/transcribe.ts), the
 * eval and the bench: the scene's labels make the grammar, the recogniser hears the audio (stopping
 * where the voice detector hears the end of speech), and the transcript is answered by answerQuestion,
 * the path typed text takes (relevancy with a text encoder, the stored labels without).
 */
import { answerQuestion, type AnswerQuestionOptions } from '../semantics/answer-question';
import type { QueryAnswer, QueryScene } from '../semantics/query';
import type { PocketSphinxRecognizer } from './pocketsphinx-recognizer';
import { buildQuestionGrammar, type PhraseSource, type QuestionGrammar } from './question-grammar';
import { Transcriber, type Transcript } from './transcriber';
import type { VoiceActivityOptions } from './voice-activity';

/** The bank's entry labels (row 0, the background, excluded; empty labels dropped). */
export function sceneLabels(scene: Pick<QueryScene, 'bank'> | null | undefined): string[] {
  if (!scene) return [];
  const out = new Set<string>();
  for (let r = 1; r < scene.bank.count; r++) {
    const l = scene.bank.meta[r].label?.trim();
    if (l) out.add(l);
  }
  return [...out];
}

export interface SpokenAnswer {
  transcript: Transcript;
  /** null when nothing was heard (no question to answer) or no scene was given. */
  answer: QueryAnswer | null;
  /** Milliseconds from the detector's end of speech to the answer: the hangover (audio the detector
   * waited through) + decoding + answering. */
  latencyMs: { hangover: number; decode: number; answer: number; total: number };
}

export class SpokenQuestions {
  readonly transcriber: Transcriber;
  private key = '';
  grammar: QuestionGrammar | null = null;

  constructor(recognizer: PocketSphinxRecognizer, vad: VoiceActivityOptions = {}) {
    this.transcriber = new Transcriber(recognizer, vad);
  }

  /** Builds (or keeps) the grammar for what can be asked. */
  useGrammar(src: PhraseSource): QuestionGrammar {
    const g = buildQuestionGrammar(src, this.transcriber.recognizer.dictionary);
    if (g.jsgf !== this.key) {
      this.transcriber.setGrammar(g);
      this.key = g.jsgf;
    }
    this.grammar = g;
    return g;
  }

  async ask(samples: Float32Array, sampleRate: number, scene: QueryScene | null, opts: AnswerQuestionOptions = {}): Promise<SpokenAnswer> {
    const transcript = this.transcriber.transcribe(samples, sampleRate);
    const t0 = performance.now();
    const answer = scene && transcript.text ? await answerQuestion(scene, transcript.text, opts) : null;
    const answerMs = performance.now() - t0;
    const hangover = transcript.stoppedBy === 'silence' ? (transcript.audioS - transcript.speechEndS) * 1000 : 0;
    return { transcript, answer, latencyMs: { hangover, decode: transcript.finalizeMs, answer: answerMs, total: hangover + transcript.finalizeMs + answerMs } };
  }
}
