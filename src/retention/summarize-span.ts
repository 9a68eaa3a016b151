import type { BucketUnit } from './summaries.js';
import { addUnits, earlier } from './time.js';

/**
 * Catching up, buckets are computed a READ span at a time (a year of days, a month of hours, three
 * years of months) in one pass over the raw rows in time order, and written a WRITE span per
 * transaction, each with its watermark: the speed of one big statement, and a killed run loses at
 * most the span it was reading. A run with less than one WRITE span to do computes it directly.
 */
export const READ_SPAN = { hour: 24 * 31, day: 366, month: 36 } as const;
export const WRITE_SPAN = { hour: 24 * 7, day: 31, month: 3 } as const;
/**
 * A READ span is shortened to about this many raw rows (by the planner's estimate), so it stays
 * well inside statement_timeout.
 */
export const READ_ROWS = 5_000_000;

/** Where summarize stands before its next span, and what it read to get there. */
export interface SpanInput {
  readonly unit: BucketUnit;
  /** The start of the bucket still open at the run's "now": nothing from there on is summarized. */
  readonly closedUntil: string;
  /** Buckets per transaction (see `writeSpan`). */
  readonly write: number;
  /** The watermark: buckets before it are summarized; null before the first. */
  readonly until: string | null;
  /** The start of the first bucket with rows at or after `until` and before `closedUntil`; null when none. */
  readonly firstWithRows: string | null;
  /** The planner's estimate of the raw rows in `readRange(input)`, when that is not null. */
  readonly estimatedRows?: number;
}

/** Buckets in [from, to), written in one transaction that moves the watermark to `to`. */
export interface BucketRange {
  readonly from: string;
  readonly to: string;
}

/** The next stretch of summarize's catch-up. */
export interface SpanPlan {
  /** False when no rows are left before `closedUntil`: the watermark only moves there. */
  readonly hasRows: boolean;
  readonly from: string;
  readonly to: string;
  /** Compute [from, to) into a staging table once, then write it a range at a time. */
  readonly staged: boolean;
  /** One transaction each, in order, covering [from, to); the last ends at `to`. */
  readonly ranges: readonly BucketRange[];
}

/**
 * Buckets per transaction: a WRITE span, or fewer when the caller asks for fewer, never none.
 *
 * @example
 * writeSpan('day') // 31
 * writeSpan('hour', 10) // 10
 */
export function writeSpan(unit: BucketUnit, maxBucketsPerTransaction?: number): number {
  return Math.max(1, Math.min(WRITE_SPAN[unit], maxBucketsPerTransaction ?? Infinity));
}

/**
 * The raw rows whose count decides how far the next span reads ahead, or null when it does not
 * read ahead (no rows left, or one transaction's worth or less: the daily run).
 *
 * @example
 * const at = { unit: 'day', closedUntil: '2026-06-01 00:00:00', write: 31, until: null } as const;
 * readRange({ ...at, firstWithRows: '2025-01-01 00:00:00' })
 * // { from: '2025-01-01 00:00:00', until: '2026-01-02 00:00:00' }: count these rows, then planSpan
 */
export function readRange(input: SpanInput): { from: string; until: string } | null {
  const from = spanStart(input);
  if (from === null || directEnd(input, from) === input.closedUntil) return null;
  return { from, until: earlier(addUnits(from, READ_SPAN[input.unit], input.unit), input.closedUntil) };
}

/**
 * The next span of buckets to summarize: it starts at the watermark or, past a stretch without
 * rows, at the first bucket with rows; it ends a READ span later (shorter when the estimate says
 * the raw rows would be too many), a WRITE span later when that reaches the open bucket, or at the
 * open bucket. With no rows left it is the empty range at the open bucket, which moves the
 * watermark there.
 *
 * @example
 * const at = { unit: 'day', closedUntil: '2026-01-03 00:00:00', write: 31, until: '2026-01-01 00:00:00' } as const;
 * planSpan({ ...at, firstWithRows: '2026-01-02 00:00:00' }).ranges
 * // [{ from: '2026-01-02 00:00:00', to: '2026-01-03 00:00:00' }]: the day without rows is skipped
 */
export function planSpan(input: SpanInput): SpanPlan {
  const { unit, closedUntil, write } = input;
  const from = spanStart(input);
  if (from === null) {
    const ranges = [{ from: closedUntil, to: closedUntil }];
    return { hasRows: false, from: closedUntil, to: closedUntil, staged: false, ranges };
  }
  const direct = directEnd(input, from);
  const to = direct === closedUntil ? closedUntil : readEnd(input, from);
  const ranges: BucketRange[] = [];
  for (let at = from; at < to;) {
    const end = earlier(addUnits(at, write, unit), to);
    ranges.push({ from: at, to: end });
    at = end;
  }
  return { hasRows: true, from, to, staged: direct < to, ranges };
}

/** Null when no bucket with rows is left. */
function spanStart({ until, firstWithRows }: SpanInput): string | null {
  if (firstWithRows === null) return null;
  return until !== null && until > firstWithRows ? until : firstWithRows;
}

/** Where one transaction from `from` ends. */
function directEnd({ unit, closedUntil, write }: SpanInput, from: string): string {
  return earlier(addUnits(from, write, unit), closedUntil);
}

function readEnd(input: SpanInput, from: string): string {
  const { unit, closedUntil, estimatedRows } = input;
  if (estimatedRows === undefined) {
    throw new Error('internal error: a span that reads ahead needs the estimate of readRange (this is a bug in rasdb)');
  }
  const end = earlier(addUnits(from, READ_SPAN[unit], unit), closedUntil);
  if (estimatedRows <= READ_ROWS) return end;
  const buckets = Math.max(WRITE_SPAN[unit], Math.floor((READ_SPAN[unit] * READ_ROWS) / estimatedRows));
  return earlier(addUnits(from, buckets, unit), closedUntil);
}
