/** Messages between the page (voice-input.ts) and the speech worker (speech.worker.ts). */
import type { PhraseSource } from '../../inference/speech/question-grammar';
import type { Transcript } from '../../inference/speech/transcriber';
import type { VoiceState } from '../../inference/speech/voice-activity';

export type ToSpeechWorker =
  | { type: 'init'; base: string }
  | { type: 'begin'; id: number; sampleRate: number; source: PhraseSource }
  | { type: 'audio'; id: number; samples: Float32Array }
  | { type: 'end'; id: number };

export type FromSpeechWorker =
  | { type: 'ready'; recogniser: string; loadMs: number }
  | { type: 'grammar'; phrases: number; skipped: { phrase: string; missing: string[] }[]; ms: number }
  | { type: 'level'; id: number; level: number; state: VoiceState }
  | { type: 'result'; id: number; transcript: Transcript }
  | { type: 'error'; id: number | null; message: string };
