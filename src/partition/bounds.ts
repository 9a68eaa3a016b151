import type { PartitionInterval } from '../ledger/partitions.js';

/**
 * Partition bounds are readings of the data's clock: the tables' time columns are TIMESTAMP
 * without time zone, written in the data's zone, so "the first of the month" is the literal
 * `YYYY-MM-01 00:00:00` whatever the zone, and "now" is `now() AT TIME ZONE <data zone>`. The
 * arithmetic here works on those readings as text (`YYYY-MM-DD HH:MM:SS`); it goes through Date
 * in UTC only as a calendar, never as a zone.
 */
export type Reading = string;

export const INTERVALS: readonly PartitionInterval[] = ['day', 'week', 'month'];

const PATTERN = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?)?$/;

function toDate(reading: Reading): Date {
  const m = PATTERN.exec(reading.trim());
  if (!m) throw new Error(`not a timestamp reading: "${reading}"`);
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0)));
}

function toReading(date: Date): Reading {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * The start of the interval holding `reading` (weeks start on Monday, as ISO weeks do).
 *
 * @example
 * floorTo('month', '2026-12-17 08:30:00') // '2026-12-01 00:00:00'
 */
export function floorTo(interval: PartitionInterval, reading: Reading): Reading {
  const d = toDate(reading);
  const day = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  if (interval === 'day') return toReading(day);
  if (interval === 'week') return toReading(new Date(day.getTime() - ((day.getUTCDay() + 6) % 7) * 86_400_000));
  return toReading(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)));
}

/**
 * `reading` moved by `n` intervals (n may be negative); months keep the first of the month.
 *
 * @example
 * addIntervals('month', '2026-12-01 00:00:00', 2) // '2027-02-01 00:00:00'
 */
export function addIntervals(interval: PartitionInterval, reading: Reading, n: number): Reading {
  const d = toDate(reading);
  if (interval === 'month') {
    return toReading(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, d.getUTCDate(), d.getUTCHours())));
  }
  return toReading(new Date(d.getTime() + n * (interval === 'day' ? 1 : 7) * 86_400_000));
}

/**
 * The first interval boundary at or after `reading`.
 *
 * @example
 * ceilTo('day', '2026-12-01 00:00:01') // '2026-12-02 00:00:00'
 */
export function ceilTo(interval: PartitionInterval, reading: Reading): Reading {
  const floor = floorTo(interval, reading);
  return floor === toReading(toDate(reading)) ? floor : addIntervals(interval, floor, 1);
}

/** How far ahead of now the bound C of a live table is put at least: the adoption must end before it. */
export const BOUND_MARGIN_HOURS = 24;

/**
 * The bound C of a live table: the first boundary at least a day after `now` (writers keep
 * stamping rows with now() while the bound is proved and the swap waits for its locks; every such
 * row must fall before C) and after the latest row.
 *
 * @example
 * chooseBound('month', '2026-12-01 12:00:00', '2026-12-01 11:59:00') // '2027-01-01 00:00:00'
 */
export function chooseBound(interval: PartitionInterval, now: Reading, latest: Reading | null): Reading {
  const soonest = toReading(new Date(toDate(now).getTime() + BOUND_MARGIN_HOURS * 3_600_000));
  const after =
    latest && toDate(latest) >= toDate(soonest) ? toReading(new Date(toDate(latest).getTime() + 1000)) : soonest;
  return ceilTo(interval, after);
}

/** Whether a recorded bound is still far enough ahead of `now` for the swap to happen before it. */
export function boundStillAhead(bound: Reading, now: Reading): boolean {
  return msUntil(bound, now) >= 3_600_000;
}

/**
 * How far `bound` lies ahead of `now`, in milliseconds (negative once passed).
 *
 * @example
 * msUntil('2026-12-03 00:00:00', '2026-12-02 23:00:00') // 3600000
 */
export function msUntil(bound: Reading, now: Reading): number {
  return toDate(bound).getTime() - toDate(now).getTime();
}

/** One range partition: rows with `from <= time < to`. */
export interface RangePartition {
  name: string;
  from: Reading;
  to: Reading;
}

/**
 * The name of the partition starting at `from`: `<table>_p202612` for months, `<table>_p20261201`
 * for days and weeks (a week is named by its Monday).
 *
 * @example
 * partitionName('api_call_logs', 'month', '2026-12-01 00:00:00') // 'api_call_logs_p202612'
 */
export function partitionName(table: string, interval: PartitionInterval, from: Reading): string {
  const digits = from.slice(0, 10).replace(/-/g, '');
  return `${table}_p${interval === 'month' ? digits.slice(0, 6) : digits}`;
}

/** The adopted heap: the DEFAULT partition, holding every row before C and every row with no time. */
export const legacyName = (table: string): string => `${table}_legacy`;
/** The partition from the last premade bound to MAXVALUE: far-future rows and bursts beyond the premade range. */
export const futureName = (table: string): string => `${table}_future`;
/** The CHECK (time < C) that proves the adopted heap holds nothing a range partition would. */
export const boundCheckName = (table: string): string => `${table}_rasdb_before_bound`;
/** The unique index on (id, time) built concurrently on the heap, attached to the parent's key. */
export const uniqueIndexName = (table: string, key: readonly string[]): string =>
  `${table}_${key.join('_')}_key`.slice(0, 63);

/**
 * The partitions from `from` up to (at least) `premake` intervals past the interval holding `now`.
 *
 * @example
 * partitionsAhead('api_call_logs', 'month', '2027-01-01 00:00:00', '2026-12-01 12:00:00', 2).map((p) => p.name)
 * // ['api_call_logs_p202701', 'api_call_logs_p202702']
 */
export function partitionsAhead(
  table: string,
  interval: PartitionInterval,
  from: Reading,
  now: Reading,
  premake: number,
): RangePartition[] {
  const until = addIntervals(interval, floorTo(interval, now), premake + 1);
  const out: RangePartition[] = [];
  for (let start = from; toDate(start) < toDate(until); start = addIntervals(interval, start, 1)) {
    out.push({ name: partitionName(table, interval, start), from: start, to: addIntervals(interval, start, 1) });
  }
  return out;
}

/** The default number of intervals made ahead: about four months of partitions. */
export function defaultPremake(interval: PartitionInterval): number {
  return interval === 'day' ? 120 : interval === 'week' ? 17 : 4;
}
