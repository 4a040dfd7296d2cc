'use client';
/**
 * The same query box as /view (components/query/QueryPanel), asking the scan worker's live scene. The
 * answer lives in the controller's state (`state.answer`), where the XR canvas draws it too; the rows
 * show each answer's distance from the user as the canvas measured it.
 */
import { useState } from 'react';
import { QueryPanel, type QueryAnswerRow } from '../query/QueryPanel';
import type { ScanAnswerState, ScanController } from '@/lib/web/scan/scan-controller';

export function ScanQuery({ controller, semantics, answer }: { controller: ScanController; semantics: boolean; answer: ScanAnswerState | null }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const onAsk = async (text: string) => {
    setBusy(true);
    setError(null);
    try {
      await controller.ask(text);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  const rows: QueryAnswerRow[] | null = error || !answer ? null : answer.answers.map((a, i) => ({ ...a, distance: answer.distances[i] ?? null }));
  return (
    <QueryPanel
      onAsk={(t) => void onAsk(t)}
      busy={busy}
      answers={rows}
      asked={answer?.asked ?? null}
      notFound={answer?.reason ?? null}
      error={error}
      placeholder="Ask about the scan, e.g. “where is the lamp?”"
      notice={semantics ? null : <p className="hint">No semantic model yet: the scan is geometry only, so queries cannot be answered (use “Download semantic model” above).</p>}
    />
  );
}
