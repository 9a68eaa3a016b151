import { SingleBar } from 'cli-progress';
import { num } from './text.js';

/**
 * A progress display for long work: one line per stage, redrawn in place and cleared when the stage
 * ends, so that the command's own lines, which say how each stage ended, are all that stays.
 */
export interface Progress {
  /** `label` names the stage (a table); `total` is an estimate, left out when there is none. */
  update(label: string, done: number, total?: number): void;
  /** Clears the line of the stage in progress, if any, leaving the cursor where the line began. */
  done(): void;
}

/** Rates from the first instants of a stage are noise (a small table "at" millions of rows/s). */
const RATE_AFTER_MS = 1000;

/**
 * A progress line on a terminal's stderr, drawn by cli-progress. None (undefined) when stderr is
 * not a terminal, when the terminal cannot move its cursor (`TERM=dumb`), or under --quiet or
 * --json: cron logs and pipes get no escape codes.
 *
 * @example
 * const progress = progressBar(settings); await prune(client, { onProgress: (p) => progress?.update(p.table, p.done, p.estimated) }); progress?.done();
 */
export function progressBar(
  settings: { readonly quiet?: boolean; readonly json?: boolean },
  verb: string,
  stream: NodeJS.WriteStream = process.stderr,
  env: NodeJS.ProcessEnv = process.env,
): Progress | undefined {
  if (!stream.isTTY || env.TERM === 'dumb' || settings.quiet || settings.json) return undefined;
  let bar: SingleBar | undefined;
  let label = '';
  let started = 0;
  const format = (
    _options: unknown,
    params: { value: number; total: number },
    payload: { label: string; estimated: boolean },
  ): string => {
    const elapsed = performance.now() - started;
    const rate = elapsed >= RATE_AFTER_MS ? params.value / (elapsed / 1000) : undefined;
    const of = payload.estimated && params.total > params.value ? ` of ~${num(params.total)}` : '';
    const speed = rate === undefined ? '' : `, ${num(Math.round(rate))} rows/s`;
    const left =
      rate && payload.estimated && params.total > params.value
        ? `, ~${seconds((params.total - params.value) / rate)} left`
        : '';
    return `  ${payload.label}: ${num(params.value)} rows ${verb}${of}${speed}${left}`;
  };
  const finish = (): void => {
    if (!bar) return;
    bar.stop();
    bar = undefined;
  };
  return {
    update: (next, done, total) => {
      if (next !== label || !bar) {
        finish();
        label = next;
        started = performance.now();
        bar = new SingleBar({
          stream,
          format,
          hideCursor: true,
          clearOnComplete: true,
          stopOnComplete: false,
          fps: 4,
          noTTYOutput: false,
        });
        bar.start(Math.max(total ?? 0, done), done, { label, estimated: total !== undefined });
      }
      // The estimate is the planner's: once the work outgrows it, the line stops quoting it.
      if (total !== undefined && total < done) bar.setTotal(done);
      bar.update(done, { label, estimated: total !== undefined && total >= done });
    },
    done: finish,
  };
}

function seconds(s: number): string {
  if (s < 90) return `${Math.ceil(s)} s`;
  if (s < 5400) return `${Math.ceil(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}
