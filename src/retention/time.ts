import type pg from 'pg';
import { sql, type Kysely } from 'kysely';
import { utcText } from '../db/time-text.js';
import { option, usageError } from '../errors.js';
import { parseOperatorTime, zonedSql } from './operator-time.js';

/** How far ahead of the server's clock a given "now" may be: clocks of two hosts differ a little. */
export const NOW_SKEW_MINUTES = 5;

/**
 * The "now" a run computes its horizons from, as a reading of the data's clock (`timeZone`): the
 * server's clock, or `override` (the hidden `--now`, for tests and for replaying a run). An
 * override is parsed strictly (see parseOperatorTime; without an offset it is a reading in
 * `timeZone`) and refused (exit 2) when it lies more than a few minutes ahead of the server's
 * clock: a "now" in the future would put every horizon in the future and prune what must be kept.
 *
 * @example
 * await resolveAsOf(client, 'America/New_York') // '2026-03-09 11:02:13.52' (16:02 UTC)
 * await resolveAsOf(client, 'UTC', '2026-01-01T00:00:00Z') // '2026-01-01 00:00:00'
 */
export async function resolveAsOf(client: pg.Client, timeZone: string, override?: string): Promise<string> {
  if (override === undefined || override.trim() === '') {
    const { rows } = await client.query(`SELECT ${utcText(`now() AT TIME ZONE $1::text`)} AS t`, [timeZone]);
    return rows[0].t;
  }
  const time = parseOperatorTime('now', override);
  const [value, given] = zonedSql(time, 1, 2);
  const { rows } = await client.query(
    `SELECT ${utcText(value)} AS t, (${value} AT TIME ZONE $2::text) > now() + interval '${NOW_SKEW_MINUTES} minutes' AS ahead,
            ${utcText('now() AT TIME ZONE $2::text')} AS server`,
    [given, timeZone],
  );
  if (rows[0].ahead) {
    throw usageError(
      `${option('now')} ${override} is ahead of the server's clock (${rows[0].server} ${timeZone}); it may only replay the past, at most ${NOW_SKEW_MINUTES} minutes ahead`,
    );
  }
  return rows[0].t;
}

/**
 * The planner's estimate of the rows of `table` with `column` in [from, until): cheap, for progress only.
 *
 * @example
 * await estimateRows(db, 'api_call_logs', 'called_at', null, '2026-03-03 00:00:00') // ~3870000
 */
export async function estimateRows(
  db: Kysely<any>,
  table: string,
  column: string,
  from: string | null,
  until: string,
): Promise<number> {
  const time = sql.ref(column);
  const floor = from === null ? sql`true` : sql`${time} >= ${from}::timestamp`;
  const { rows } = await sql<{ 'QUERY PLAN': [{ Plan: { 'Plan Rows': number } }] }>`
    EXPLAIN (FORMAT JSON) SELECT 1 FROM ${sql.table(table)} WHERE ${floor} AND ${time} < ${until}::timestamp`.execute(
    db,
  );
  return rows[0]['QUERY PLAN'][0].Plan['Plan Rows'];
}

const TEXT = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(\.\d+)?$/;

/**
 * Bucket arithmetic on the text spelling above, done here rather than in a round trip to the
 * server. PostgreSQL's rules are kept: `date_trunc`, and `+ interval 'n months'` clamping the day
 * to the end of a shorter month.
 *
 * @example
 * truncateTo('month', '2026-01-31 23:59:59.5') // '2026-01-01 00:00:00'
 * addUnits('2026-01-31 00:00:00', 1, 'month') // '2026-02-28 00:00:00'
 */
export function truncateTo(unit: 'hour' | 'day' | 'month', at: string): string {
  const [y, mo, d, h] = parts(at);
  return format(Date.UTC(y, mo - 1, unit === 'month' ? 1 : d, unit === 'hour' ? h : 0), '');
}

export function addUnits(at: string, count: number, unit: 'hour' | 'day' | 'month'): string {
  const [y, mo, d, h, mi, s, fraction] = parts(at);
  if (unit === 'month') {
    const first = new Date(Date.UTC(y, mo - 1 + count, 1));
    const lastDay = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
    return format(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), Math.min(d, lastDay), h, mi, s), fraction);
  }
  return format(Date.UTC(y, mo - 1, d, h, mi, s) + count * (unit === 'hour' ? 3_600_000 : 86_400_000), fraction);
}

/** The earlier of two times in the text spelling (which sorts as text). */
export function earlier(a: string, b: string): string {
  return b < a ? b : a;
}

function parts(at: string): [number, number, number, number, number, number, string] {
  const m = TEXT.exec(at);
  if (!m) throw new Error(`not a UTC time in rasdb's spelling: ${at}`);
  return [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), m[7] ?? ''];
}

function format(ms: number, fraction: string): string {
  const iso = new Date(ms).toISOString(); // 2026-01-31T00:00:00.000Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction}`;
}
