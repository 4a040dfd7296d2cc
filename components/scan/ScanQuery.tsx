'use client';
/** The same query box as /view (components/query/QueryPanel), asking the scan worker's live scene. */
import { useState } from 'react';
import { QueryPanel, type QueryAnswerRow } from '../query/QueryPanel';
import type { ScanController } from '@/lib/web/scan/scan-controller';

export function ScanQuery({ controller, semantics }: { controller: ScanController; semantics: boolean }) {
  const [busy, setBusy] = useState(false);
  const [asked, setAsked] = useState<string | null>(null);
  const [answers, setAnswers] = useState<QueryAnswerRow[] | null>(null);
  const [notFound, setNotFound] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const onAsk = async (text: string) => {
    setBusy(true);
    setAsked(text);
    setError(null);
    try {
      const r = await controller.ask(text);
      setAnswers(r.answers.map((a) => ({ label: a.label, source: 'scene', score: a.score, centroid: a.centroid, distance: null })));
      setNotFound(r.reason);
    } catch (e) {
      setAnswers(null);
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <QueryPanel
      onAsk={(t) => void onAsk(t)}
      busy={busy}
      answers={answers}
      asked={asked}
      notFound={notFound}
      error={error}
      placeholder="Ask about the scan, e.g. “where is the lamp?”"
      notice={semantics ? null : <p className="hint">No semantic model yet: the scan is geometry only, so queries cannot be answered (use “Download semantic model” above).</p>}
    />
  );
}
