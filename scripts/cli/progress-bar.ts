/** Terminal progress bars on stderr (one line per stage, redrawn in place on a TTY, throttled lines otherwise). */
import type { ProgressCallback } from '../../lib/pipeline/progress';

export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): ProgressCallback & { finish(): void } {
  const tty = !!stream.isTTY;
  let current = '';
  let lastPrinted = 0;
  const cb = ((e) => {
    const frac = e.total > 0 ? Math.min(1, e.done / e.total) : 0;
    const width = 24;
    const filled = Math.round(frac * width);
    const line = `${e.stage.padEnd(12)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${e.done}/${e.total}${e.detail ? ' ' + e.detail : ''}`;
    if (tty) {
      if (current && current !== e.stage) stream.write('\n');
      stream.write('\r' + line.padEnd(78));
    } else {
      const now = Date.now();
      if (current !== e.stage || e.done >= e.total || now - lastPrinted > 2000) {
        stream.write(line + '\n');
        lastPrinted = now;
      }
    }
    current = e.stage;
  }) as ProgressCallback & { finish(): void };
  cb.finish = () => {
    if (tty && current) stream.write('\n');
    current = '';
  };
  return cb;
}
