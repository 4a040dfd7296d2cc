import type { ProgressEvent } from '@/lib/pipeline/progress';

export function ProgressBar({ event, label }: { event: ProgressEvent | null; label?: string }) {
  const frac = event && event.total > 0 ? Math.min(1, event.done / event.total) : 0;
  return (
    <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(frac * 100)} data-testid="progress">
      <div className="progress-label">
        {label ?? 'Loading'}
        {event ? ` — ${event.stage} ${event.done}/${event.total}${event.detail ? ` (${event.detail})` : ''}` : '…'}
      </div>
      <div className="progress-track">
        <div className="progress-fill" style={{ width: `${(frac * 100).toFixed(1)}%` }} />
      </div>
    </div>
  );
}
