'use client';
/**
 * Query box + answer list, shared by /view and /scan: a text box, a mic button (press: listen until
 * silence; press again to stop) or the V key held down (desktop), a status line ("listening / thinking /
 * heard: ...") with a level meter, the answers with where each came from and how far it is, and the
 * "not found" line. Voice is recognised on the device (PocketSphinx in a worker, lib/web/speech/); where
 * the browser also has SpeechRecognition (Chrome) the user can pick it, and the line says which is used.
 * The transcript is asked through `onAsk`, like typed text. It only shows state: asking, models and
 * highlighting belong to the page.
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useVoiceStatus, voiceLine } from './useVoiceStatus';

export interface QueryAnswerRow {
  label: string;
  source: 'scene' | 'device' | 'both';
  score: number;
  centroid: [number, number, number];
  /** Metres from the user, when known. */
  distance?: number | null;
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
  const [voiceStatus, voice] = useVoiceStatus();
  const submit = (t: string) => {
    const q = t.trim();
    if (q && !busy && !disabled) onAsk(q);
  };
  // The latest submit for the voice callbacks (the transcript is asked like typed text).
  const submitRef = useRef(submit);
  useEffect(() => {
    submitRef.current = submit;
  });
  const askHeard = (said: string) => {
    setText(said);
    submitRef.current(said);
  };
  const voiceActive = voiceStatus.phase === 'listening' || voiceStatus.phase === 'thinking' || voiceStatus.phase === 'loading';
  const toggleVoice = () => {
    if (voiceStatus.phase === 'listening') voice.stop();
    else if (!voiceActive) void voice.start(askHeard);
  };
  // Desktop: hold V (outside a text field) to talk, release to stop.
  useEffect(() => {
    const typing = (t: EventTarget | null) => t instanceof HTMLElement && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.isContentEditable);
    const down = (e: KeyboardEvent) => {
      if (e.key.toLowerCase() !== 'v' || e.repeat || e.ctrlKey || e.metaKey || e.altKey || typing(e.target) || disabled) return;
      e.preventDefault();
      void voice.start(askHeard);
    };
    const up = (e: KeyboardEvent) => {
      if (e.key.toLowerCase() === 'v' && !typing(e.target)) voice.stop();
    };
    window.addEventListener('keydown', down);
    window.addEventListener('keyup', up);
    return () => {
      window.removeEventListener('keydown', down);
      window.removeEventListener('keyup', up);
    };
  }, [voice, disabled]);
  const line = voiceLine(voiceStatus);
  const engineName = voiceStatus.engine === 'browser' ? "the browser's SpeechRecognition (audio goes to the browser's service)" : `on-device${voiceStatus.recogniser ? ` (${voiceStatus.recogniser})` : ' (PocketSphinx)'}`;
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
        <button
          type="button"
          onClick={toggleVoice}
          disabled={disabled || voiceStatus.phase === 'thinking' || voiceStatus.phase === 'loading'}
          data-testid="query-voice"
          aria-pressed={voiceStatus.phase === 'listening'}
          title="Ask by voice (or hold V)"
        >
          {voiceStatus.phase === 'listening' ? '■ Stop' : '🎤 Speak'}
        </button>
      </form>
      <div className="voice" data-testid="voice-status" data-phase={voiceStatus.phase} data-engine={voiceStatus.engine} data-recogniser={voiceStatus.recogniser ?? ''} data-mic={voiceStatus.mic} data-speech={voice.last.transcript ? `${voice.last.transcript.speechStartS.toFixed(2)}-${voice.last.transcript.speechEndS.toFixed(2)}/${voice.last.transcript.audioS.toFixed(2)}` : ''} data-heard={voiceStatus.phase === 'heard' ? voiceStatus.text : ''}>
        <span className="hint">
          voice: {engineName}
          {voiceStatus.browserEngine && (
            <>
              {' · '}
              <select value={voiceStatus.engine} onChange={(e) => voice.setEngine(e.target.value as 'on-device' | 'browser')} aria-label="Voice recogniser" data-testid="voice-engine">
                <option value="on-device">on-device</option>
                <option value="browser">browser</option>
              </select>
            </>
          )}
          {' · hold V to talk'}
        </span>
        {voiceStatus.phase === 'listening' && <meter min={0} max={1} value={voiceStatus.level} data-testid="voice-level" style={{ marginLeft: '0.5rem', width: '6rem' }} />}
        {line && (
          <p className={voiceStatus.phase === 'error' ? 'warn' : 'hint'} data-testid="voice-line">
            {line}
          </p>
        )}
        {voiceStatus.mic !== 'granted' && voiceStatus.engine === 'on-device' && (
          <p className="hint">
            <button type="button" onClick={() => void voice.prepareMicrophone()} data-testid="voice-allow">
              Allow the microphone
            </button>{' '}
            before entering the headset view: Quest Browser cannot ask inside an immersive session.
          </p>
        )}
      </div>
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
