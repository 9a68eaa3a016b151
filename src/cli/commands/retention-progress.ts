import type { RetentionProgress } from '../../retention/run-context.js';

/**
 * A one-line progress display on a terminal's stderr: rows done, rows per second and time left
 * from the planner's estimate. Returns undefined (no callback, no estimate queries) when stderr is
 * not a terminal or the run is quiet or JSON, as under cron.
 *
 * @example
 * const progress = progressLine(flags); await prune(client, { onProgress: progress?.update }); progress?.done();
 */
export function progressLine(flags: { quiet?: boolean; json?: boolean }, stream: NodeJS.WriteStream = process.stderr) {
  if (!stream.isTTY || flags.quiet || flags.json) return undefined;
  let table = '';
  let started = performance.now();
  let shownAt = 0;
  let shown = false;
  const update = (p: RetentionProgress): void => {
    if (p.table !== table) {
      if (shown) stream.write('\n');
      table = p.table;
      started = performance.now();
    }
    const now = performance.now();
    if (now - shownAt < 250) return;
    shownAt = now;
    const seconds = (now - started) / 1000;
    const rate = seconds > 0 ? p.done / seconds : 0;
    const left = rate > 0 && p.estimated > p.done ? `, ~${formatSeconds((p.estimated - p.done) / rate)} left` : '';
    const verb = p.action === 'prune' ? 'deleted' : 'summarized';
    // The total is the planner's estimate; once the work outgrows it (stale statistics), say nothing of it.
    const of = p.estimated > p.done ? ` of ~${p.estimated.toLocaleString('en-US')}` : '';
    stream.write(`\r\x1b[2K  ${p.table}: ${p.done.toLocaleString('en-US')} rows ${verb}${of}, ${Math.round(rate).toLocaleString('en-US')} rows/s${left}`);
    shown = true;
  };
  const done = (): void => {
    if (shown) stream.write('\n');
  };
  return { update, done };
}

function formatSeconds(s: number): string {
  if (s < 90) return `${Math.ceil(s)} s`;
  if (s < 5400) return `${Math.ceil(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}
