import type pg from 'pg';
import { ExitCode, RasdbError } from '../errors.js';
import { POLICIES } from './policies.js';

/** How many of the rows a refusal names. */
const NAMED = 5;

/** A policy retention leaves alone in a run: its table holds rows dated before year 1. */
export interface OffCalendarRefusal {
  readonly policy: string;
  readonly table: string;
  /** Up to five of the rows, oldest first. */
  readonly ids: string[];
  /** One sentence: which rows, and what to do about them. */
  readonly message: string;
}

/**
 * The policies whose table holds a row dated before year 1: `-infinity`, or a year BC. Retention
 * puts every row in a bucket of the calendar (an hour, a day), summarizes the buckets and deletes
 * only what they counted; a row before the calendar has no bucket, and the arithmetic on it would
 * carry a watermark past rows never summarized, which prune then deletes. So such a policy is
 * neither summarized nor pruned until the rows are fixed; the others go on. Rows at `infinity`
 * or far ahead are after every cutoff and never reached. One index probe per table (each has an
 * index on its time column).
 *
 * @example
 * await offCalendarPolicies(client, ['api_call_logs']) // [{ policy: 'api_call_logs', ids: ['17'], message: 'api_call_logs holds rows dated before year 1 (ids 17) ...' }]
 */
export async function offCalendarPolicies(
  client: pg.Client,
  policies: readonly string[],
): Promise<OffCalendarRefusal[]> {
  const refused: OffCalendarRefusal[] = [];
  for (const policy of POLICIES.filter((p) => policies.includes(p.name))) {
    const time = client.escapeIdentifier(policy.timeColumn);
    const { rows } = await client.query<{ id: string }>(
      `SELECT id::text AS id FROM ${client.escapeIdentifier(policy.table)}
        WHERE ${time} < '0001-01-01 00:00:00'::timestamp ORDER BY ${time}, id LIMIT ${NAMED + 1}`,
    );
    if (!rows.length) continue;
    const ids = rows.slice(0, NAMED).map((r) => r.id);
    refused.push({
      policy: policy.name,
      table: policy.table,
      ids,
      message: `${policy.table} holds rows dated before year 1 (ids ${ids.join(', ')}${rows.length > NAMED ? ', ...' : ''}), at -infinity or BC: retention cannot place them in a day, so it neither summarizes nor prunes ${policy.table} until they are given a time or deleted`,
    });
  }
  return refused;
}

/**
 * Refuses (exit 4) a run all of whose policies are off the calendar: there is nothing left to do.
 *
 * @example
 * throw offCalendarError(await offCalendarPolicies(client, ['api_call_logs'])) // exit 4: api_call_logs holds rows ...
 */
export function offCalendarError(refused: readonly OffCalendarRefusal[]): RasdbError {
  return new RasdbError(ExitCode.check, refused.map((r) => r.message).join('; '), {
    table: refused[0]?.table,
    ids: refused[0]?.ids,
    refused: refused.map(({ policy, table, ids }) => ({ policy, table, ids })),
  });
}
