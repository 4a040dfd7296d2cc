'use client';
/**
 * Query box + answer list, shared by /view and /scan: a text box, voice input through the Web Speech API
 * where the browser has it (SpeechRecognition / webkitSpeechRecognition; Quest Browser has neither, so it
 * says so and typing keeps working), the answers with where each came from and how far it is, and the
 * "not found" line. It only shows state: asking, models and highlighting belong to the page.
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';

export interface QueryAnswerRow {
  label: string;
  source: 'scene' | 'device' | 'both';
  score: number;
  centroid: [number, number, number];
  /** Metres from the user, when known. */
  distance?: number | null;
}

interface SpeechRecognitionLike {
  lang: string;
  interimResults: boolean;
  maxAlternatives: number;
  onresult: ((e: { results: ArrayLike<ArrayLike<{ transcript: string }>> }) => void) | null;
  onerror: ((e: { error: string }) => void) | null;
  onend: (() => void) | null;
  start(): void;
  stop(): void;
}
type SpeechCtor = new () => SpeechRecognitionLike;

export function speechRecognitionCtor(): SpeechCtor | null {
  const g = globalThis as { SpeechRecognition?: SpeechCtor; webkitSpeechRecognition?: SpeechCtor };
  return g.SpeechRecognition ?? g.webkitSpeechRecognition ?? null;
}

const SOURCE_TEXT = { scene: 'scene', device: 'room label', both: 'scene + room label' } as const;
const STORED_TEXT = { scene: 'from stored labels', device: 'room label', both: 'stored label + room label' } as const;

export function QueryPanel(props: {
  onAsk: (text: string) => void;
  busy?: boolean;
  disabled?: boolean;
  placeholder?: string;
  /** null: nothing asked yet. */
  answers: readonly QueryAnswerRow[] | null;
  asked?: string | null;
  notFound?: string | null;
  error?: string | null;
  /** Model state, download button and progress (ModelNotice). */
  notice?: ReactNode;
  /** How the scene answered (QueryAnswer.answeredFrom): 'stored labels' rows say so instead of a score. */
  sceneFrom?: 'relevancy' | 'stored labels' | null;
  /** Said with the answer (QueryAnswer.note: "from stored labels (...)"). */
  note?: string | null;
}) {
  const { onAsk, busy = false, disabled = false, answers, asked, notFound, error, notice, sceneFrom = null, note = null } = props;
  const fromLabels = sceneFrom === 'stored labels';
  const [text, setText] = useState('');
  const [listening, setListening] = useState(false);
  const [voiceMsg, setVoiceMsg] = useState<string | null>(null);
  // Read once on mount: whether the browser can listen does not change while the page is open.
  const [Speech] = useState<SpeechCtor | null>(() => speechRecognitionCtor());
  const rec = useRef<SpeechRecognitionLike | null>(null);
  useEffect(() => () => rec.current?.stop(), []);
  const submit = (t: string) => {
    const q = t.trim();
    if (q && !busy && !disabled) onAsk(q);
  };
  const listen = () => {
    if (!Speech) return;
    try {
      const r = new Speech();
      r.lang = navigator.language || 'en-US';
      r.interimResults = false;
      r.maxAlternatives = 1;
      r.onresult = (e) => {
        const said = e.results[0]?.[0]?.transcript ?? '';
        setText(said);
        submit(said);
      };
      r.onerror = (e) => setVoiceMsg(`voice input failed (${e.error}): type instead`);
      r.onend = () => setListening(false);
      rec.current = r;
      setVoiceMsg(null);
      setListening(true);
      r.start();
    } catch (e) {
      setListening(false);
      setVoiceMsg(`voice input failed (${(e as Error).message}): type instead`);
    }
  };
  return (
    <section className="query-panel" data-testid="query-panel" data-busy={busy ? '1' : '0'}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit(text);
        }}
        style={{ display: 'flex', gap: '0.4rem' }}
      >
        <input
          type="text"
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder={props.placeholder ?? 'Ask: where is the lamp?'}
          aria-label="Query"
          data-testid="query-input"
          disabled={disabled}
          style={{ flex: 1, minWidth: 0 }}
        />
        <button type="submit" className="primary" disabled={busy || disabled || !text.trim()} data-testid="query-ask">
          {busy ? 'Asking…' : 'Ask'}
        </button>
        {Speech && (
          <button type="button" onClick={listen} disabled={busy || disabled || listening} data-testid="query-voice" title="Ask by voice">
            {listening ? 'Listening…' : 'Speak'}
          </button>
        )}
      </form>
      {!Speech && (
        <p className="hint" data-testid="voice-unavailable">
          voice not available in this browser (Quest Browser): type instead
        </p>
      )}
      {voiceMsg && <p className="warn">{voiceMsg}</p>}
      {notice}
      {error && (
        <p className="error" role="alert" data-testid="query-error">
          {error}
        </p>
      )}
      {answers && note && (
        <p className="hint" data-testid="answer-note" data-from={sceneFrom ?? ''}>
          {note}
        </p>
      )}
      {answers && answers.length > 0 && (
        <ol className="answers" data-testid="answers" style={{ paddingLeft: '1.4rem' }}>
          {answers.map((a, i) => (
            <li
              key={i}
              data-testid="answer"
              data-source={a.source}
              data-label={a.label}
              data-x={a.centroid[0].toFixed(3)}
              data-y={a.centroid[1].toFixed(3)}
              data-z={a.centroid[2].toFixed(3)}
            >
              <strong>{a.label.toLowerCase().replace(/_/g, ' ')}</strong>{' '}
              <span className="hint">
                ({fromLabels ? STORED_TEXT[a.source] : SOURCE_TEXT[a.source]}
                {a.source !== 'device' && !fromLabels ? `, score ${a.score.toFixed(2)}` : ''})
              </span>
              {a.distance != null && <span data-testid="answer-distance"> · {a.distance.toFixed(1)} m away</span>}
            </li>
          ))}
        </ol>
      )}
      {answers && answers.length === 0 && (
        <p className="warn" data-testid="not-found">
          not found{asked ? `: "${asked}"` : ''}
          {notFound ? ` (${notFound})` : ''}
        </p>
      )}
    </section>
  );
}
