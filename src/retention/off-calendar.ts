import type pg from 'pg';
import { ExitCode, RasdbError } from '../errors.js';
import { POLICIES } from './policies.js';

/** How many of the rows a refusal names. */
const NAMED = 5;

/**
 * Refuses (exit 4) the policies whose table holds a row dated before year 1: `-infinity`, or a
 * year BC. Retention puts every row in a bucket of the calendar (an hour, a day), summarizes the
 * buckets and deletes only what they counted; a row before the calendar has no bucket, and the
 * arithmetic on it would carry a watermark past rows never summarized, which prune then deletes.
 * Rows at `infinity` or far ahead are after every cutoff and never reached. One index probe per
 * table (each has an index on its time column).
 *
 * @example
 * await assertOnCalendar(client, ['api_call_logs']) // throws: api_call_logs holds rows dated before year 1 (ids 17) ...
 */
export async function assertOnCalendar(client: pg.Client, policies: readonly string[]): Promise<void> {
  for (const policy of POLICIES.filter((p) => policies.includes(p.name))) {
    const time = client.escapeIdentifier(policy.timeColumn);
    const { rows } = await client.query<{ id: string }>(
      `SELECT id::text AS id FROM ${client.escapeIdentifier(policy.table)}
        WHERE ${time} < '0001-01-01 00:00:00'::timestamp ORDER BY ${time}, id LIMIT ${NAMED + 1}`,
    );
    if (!rows.length) continue;
    const ids = rows.slice(0, NAMED).map((r) => r.id);
    throw new RasdbError(
      ExitCode.check,
      `${policy.table} holds rows dated before year 1 (ids ${ids.join(', ')}${rows.length > NAMED ? ', ...' : ''}), at -infinity or BC: retention cannot place them in a day, so it neither summarizes nor prunes ${policy.table} until they are given a time or deleted`,
      { table: policy.table, ids },
    );
  }
}
