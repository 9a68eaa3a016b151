import type { CapacityReport } from '../capacity/capacity.js';
import type { Overrun } from '../capacity/fail-over.js';
import type { Trend } from '../capacity/trend.js';
import { num, timeText } from './text.js';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/**
 * Bytes as pg_size_pretty would say them, with one decimal: `1.5 GiB`.
 *
 * @example
 * bytes(1536) // '1.5 KiB'
 */
export function bytes(value: number): string {
  let unit = 0;
  let v = value;
  while (Math.abs(v) >= 1024 && unit < UNITS.length - 1) {
    v /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(v)} B` : `${v.toFixed(1)} ${UNITS[unit]}`;
}

/** A whole count with thousands separators. */
const count = (value: number): string => num(Math.round(value));

/** 24 cells cover 0-2x the estimate; the mark at cell 12 is the estimate itself. */
const BAR_CELLS = 24;

/**
 * A ratio as a bar against the estimate: `██████░░░░░░|░░░░░░░░░░░` for 0.5, an arrow past 2x.
 *
 * @example
 * ratioBar(1) // '████████████|           '
 */
export function ratioBar(ratio: number): string {
  const filled = Math.min(BAR_CELLS, Math.round((ratio / 2) * BAR_CELLS));
  const cells: string[] = [...Array(BAR_CELLS).keys()].map((i) => (i < filled ? '█' : ' '));
  cells.splice(BAR_CELLS / 2, 0, '|');
  return cells.join('') + (ratio > 2 ? '>' : ' ');
}

/**
 * A ratio with two decimals, or two significant digits below 0.1: `1.25x`, `0.0031x`.
 *
 * @example
 * ratioText(0.00314) // '0.0031x'
 */
export function ratioText(ratio: number): string {
  return ratio === 0 || ratio >= 0.1 ? `${ratio.toFixed(2)}x` : `${ratio.toPrecision(2)}x`;
}

function trendText(trend: Trend): string {
  if (trend.perDay === null || trend.confidence === 'none') return `no trend (${trend.reason})`;
  const error = trend.perDayStdError === null ? '' : ` ± ${bytes(trend.perDayStdError)}`;
  return `${bytes(trend.perDay)}/day${error}, R² ${(trend.r2 ?? 0).toFixed(2)}, ${trend.confidence}`;
}

const pad = (text: string, width: number): string => text.padEnd(width);
const right = (text: string, width: number): string => text.padStart(width);

/**
 * The report as terminal lines: per category (flow against estimate with a bar, stock at 1, 3 and
 * 7 years under retention, the snapshot trend), then per table.
 *
 * @example
 * for (const line of renderCapacity('db:5432/ras', report)) out.line(line);
 */
export function renderCapacity(database: string, report: CapacityReport): string[] {
  const lines: string[] = [];
  const snaps = report.snapshots.count
    ? report.snapshots.count === 1
      ? `1 snapshot, at ${timeText(report.snapshots.first)}`
      : `${num(report.snapshots.count)} snapshots, ${timeText(report.snapshots.first)} to ${timeText(report.snapshots.last)}`
    : 'no snapshots yet (rasdb capacity snapshot records one)';
  lines.push(
    `Capacity of ${database} as of ${timeText(report.asOf)} ${report.timeZone}; flow over the last ${report.windowDays} days; ${snaps}`,
  );
  lines.push('');
  lines.push('Yearly flow against the design estimate (bar: 0-2x, | = estimate); stock under retention');
  lines.push(
    `  ${pad('category', 20)} ${right('estimate/y', 10)} ${right('flow/y', 10)} ${right('ratio', 8)}  ${pad('', BAR_CELLS + 2)} ${right('now', 10)} ${right('1 y', 10)} ${right('3 y', 10)} ${right('7 y', 10)} ${right('saved 7 y', 10)}  trend of snapshots`,
  );
  for (const c of report.categories) {
    const ratio = c.ratio === null ? '' : ratioText(c.ratio);
    const bar = c.ratio === null ? pad('(no estimate)', BAR_CELLS + 2) : ratioBar(c.ratio);
    const [y1, y3, y7] = c.stock;
    lines.push(
      `  ${pad(c.name, 20)} ${right(c.estimateBytes === null ? '-' : bytes(c.estimateBytes), 10)} ${right(bytes(c.bytesPerYear), 10)} ${right(ratio, 8)}  ${bar} ${right(bytes(c.currentBytes), 10)} ${right(bytes(y1.withRetention), 10)} ${right(bytes(y3.withRetention), 10)} ${right(bytes(y7.withRetention), 10)} ${right(bytes(y7.saved), 10)}  ${trendText(c.trend)}`,
    );
  }
  const unassigned = report.categories.find((c) => c.name === 'unassigned');
  if (unassigned?.tables.length) lines.push(`  no estimate in the document for: ${unassigned.tables.join(', ')}`);
  lines.push('');
  lines.push('Per table (sizes summed over partitions; rows from statistics)');
  lines.push(
    `  ${pad('table', 31)} ${pad('category', 19)} ${right('total', 10)} ${right('heap', 10)} ${right('toast', 10)} ${right('indexes', 10)} ${right('rows', 12)} ${right('B/row', 7)} ${right('dead', 9)} ${right('rows/day', 10)} ${right('bytes/day', 10)}  how  keep`,
  );
  for (const t of report.tables) {
    if (!t.present) {
      lines.push(`  ${pad(t.table, 31)} not in this database`);
      continue;
    }
    const name = t.partitioned ? `${t.table} (${t.leaves} parts)` : t.table;
    const category = `${t.category ?? '-'}${t.categorySource === 'override' ? '*' : ''}`;
    const how = t.flowSource === 'snapshots' ? 'snapshots' : t.flow.method;
    const keep = t.keep.days === null ? 'for ever' : `${Math.round(t.keep.days)} days`;
    lines.push(
      `  ${pad(name, 31)} ${pad(category, 19)} ${right(bytes(t.totalBytes), 10)} ${right(bytes(t.heapBytes), 10)} ${right(bytes(t.toastBytes), 10)} ${right(bytes(t.indexBytes), 10)} ${right(t.rows === null ? '?' : count(t.rows), 12)} ${right(t.bytesPerRow === null ? '-' : count(t.bytesPerRow), 7)} ${right(count(t.deadRows), 9)} ${right(count(t.flow.rowsPerDay), 10)} ${right(bytes(t.bytesPerYear / 365.25), 10)}  ${pad(how, 8)} ${keep}`,
    );
  }
  if (report.tables.some((t) => t.categorySource === 'override')) lines.push('  * category set by --category');
  return lines;
}

/**
 * The line --fail-over prints for a category over its limit.
 *
 * @example
 * describeOverrun({ name: 'analytics', ratio: 1.5 }, report, 1.2) // 'analytics: projected yearly flow 300.0 GiB is 1.50x its estimate of 200.0 GiB (over --fail-over 1.2)'
 */
export function describeOverrun(overrun: Overrun, report: CapacityReport, limit: number): string {
  const c = report.categories.find((x) => x.name === overrun.name);
  return `${overrun.name}: projected yearly flow ${bytes(c?.bytesPerYear ?? 0)} is ${ratioText(overrun.ratio)} its estimate of ${bytes(c?.estimateBytes ?? 0)} (over --fail-over ${limit})`;
}
