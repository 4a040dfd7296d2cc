'use client';
/** The page's voice input (lib/web/speech/voice-input.ts) and its live status, for the query panels. */
import { useEffect, useState } from 'react';
import { voiceInput, type VoiceInput, type VoiceStatus } from '@/lib/web/speech/voice-input';

export function useVoiceStatus(): [VoiceStatus, VoiceInput] {
  const [voice] = useState(() => voiceInput());
  const [status, setStatus] = useState<VoiceStatus>(() => voice.state);
  useEffect(() => voice.subscribe(setStatus), [voice]);
  return [status, voice];
}

/** One line for the panels: "listening…", "thinking…", "heard: where is the lamp". */
export function voiceLine(s: VoiceStatus): string {
  switch (s.phase) {
    case 'loading':
      return 'loading the speech model…';
    case 'listening':
      return s.engine === 'browser' ? 'listening (browser recogniser)…' : 'listening…';
    case 'thinking':
      return 'thinking…';
    case 'heard':
      return `heard: "${s.text}"`;
    case 'error':
      return s.text;
    default:
      return '';
  }
}
