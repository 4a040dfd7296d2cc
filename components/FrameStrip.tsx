'use client';
/** Thumbnails of the capture frames; click one to look through that camera. */
import { useEffect, useRef } from 'react';
import type { FrameSummary } from '@/lib/web/scene-build';

function Thumb({ frame }: { frame: FrameSummary }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = ref.current;
    const ctx = c?.getContext('2d');
    if (!c || !ctx) return;
    const t = frame.thumbnail;
    c.width = t.width;
    c.height = t.height;
    ctx.putImageData(new ImageData(new Uint8ClampedArray(t.data), t.width, t.height), 0, 0);
  }, [frame]);
  return <canvas ref={ref} aria-hidden="true" />;
}

export function FrameStrip({ frames, selected, onSelect }: { frames: FrameSummary[]; selected: number; onSelect: (i: number) => void }) {
  return (
    <ol className="frame-strip" data-testid="frame-strip" aria-label="Capture frames">
      {frames.map((f, i) => (
        <li key={f.id}>
          <button
            type="button"
            className={i === selected ? 'thumb selected' : 'thumb'}
            data-testid="frame-thumb"
            aria-pressed={i === selected}
            title={`${f.id}: view from this camera`}
            onClick={() => onSelect(i)}
          >
            <Thumb frame={f} />
            <span>{f.id}</span>
          </button>
        </li>
      ))}
    </ol>
  );
}
