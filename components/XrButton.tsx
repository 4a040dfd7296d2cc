'use client';
/** "Enter AR" button + status line, driven by useXrSession. */
import type { XrUiState } from './useXrSession';

export function XrButton(props: { state: XrUiState; message: string; emulated: boolean; label: string; onEnter: () => void; onExit: () => void }) {
  const { state, message, emulated, label, onEnter, onExit } = props;
  return (
    <div className="xr-controls" data-testid="xr-controls" data-xr-state={state}>
      {state === 'active' ? (
        <button type="button" onClick={onExit}>
          Exit AR
        </button>
      ) : (
        <button type="button" className="primary" onClick={onEnter} disabled={state !== 'ready' && state !== 'error'} data-testid="enter-ar">
          {state === 'entering' ? 'Starting…' : label}
        </button>
      )}
      <span className="xr-status">
        {state === 'checking' && 'Checking WebXR support…'}
        {state === 'active' && 'AR session running'}
        {emulated && ' (emulated Meta Quest 3)'}
        {message && ` ${message}`}
      </span>
    </div>
  );
}
