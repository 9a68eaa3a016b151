import type pg from 'pg';
import { sql, type RawBuilder } from 'kysely';
import { utcText } from '../db/time-text.js';
import { ExitCode, option, RasdbError, usageError } from '../errors.js';
import { parseOperatorTime, zonedSql } from './operator-time.js';
import { resolveDataZone } from './time-zone.js';
import { actor } from '../ledger/actor.js';
import { POLICIES } from './policies.js';
import { SUMMARIES } from './summaries.js';
import { insertHold, listHolds, markHoldReleased, type Hold } from '../ledger/retention-holds.js';

export interface HoldInput {
  table: string;
  from?: string;
  until?: string;
  ids?: number[];
  reason: string;
  /** Who asks for the hold (a name, a ticket); the OS account and database role are added. */
  by?: string;
}

/** Tables a hold can name: every table retention deletes from. */
const HOLDABLE_TABLES: readonly string[] = [...POLICIES.map((p) => p.table), ...SUMMARIES.map((s) => s.name)];
const TABLES_WITH_IDS: readonly string[] = POLICIES.map((p) => p.table);

/**
 * Records a hold and returns it. Waits for a retention batch in progress to commit (at most one
 * batch): batches read holds under a SHARE lock on the holds table, so a hold that this call has
 * returned is seen by every later batch.
 *
 * @example
 * await addHold(client, { table: 'api_call_logs', from: '2025-03-01', until: '2025-04-01', reason: 'case 2025-17', by: 'legal' });
 */
export async function addHold(client: pg.Client, input: HoldInput): Promise<Hold> {
  if (!HOLDABLE_TABLES.includes(input.table))
    throw usageError(`holds apply to ${HOLDABLE_TABLES.join(', ')}; got "${input.table}"`);
  if (!input.reason.trim()) throw usageError(`a hold needs a ${option('reason')}`);
  const hasRange = input.from !== undefined || input.until !== undefined;
  const hasIds = input.ids !== undefined && input.ids.length > 0;
  if (hasRange === hasIds) {
    const range = `a time range (${option('from')} and/or ${option('until')})`;
    throw usageError(
      hasRange
        ? `a hold names either ${range} or ${option('ids')}, not both`
        : `a hold names ${range} or ${option('ids')}; give one of them`,
    );
  }
  if (hasIds && !TABLES_WITH_IDS.includes(input.table))
    throw usageError(`${input.table} has no id column; hold a time range of it instead`);
  // A hold on a table this database lacks would protect nothing, and say it did.
  const { rows: present } = await client.query<{ present: boolean }>('SELECT to_regclass($1) IS NOT NULL AS present', [
    client.escapeIdentifier(input.table),
  ]);
  if (!present[0].present) {
    throw new RasdbError(ExitCode.check, `this database has no table ${input.table} to hold; run rasdb migrate first`);
  }
  const who = `${input.by ? `${input.by} via ` : ''}${actor()}`;
  const range = hasRange ? await holdRange(client, input.from, input.until) : { from: null, until: null };
  const id = await insertHold(
    client,
    { table: input.table, ...range, ids: hasIds ? (input.ids ?? null) : null, reason: input.reason.trim() },
    who,
  );
  return (await listHolds(client, { includeReleased: true })).find((h) => h.id === id) as Hold;
}

/** A hold may reach this far ahead; a hold meant to last has no end (no `until`). */
export const HOLD_MAX_YEARS_AHEAD = 100;

/**
 * The bounds of a hold as readings of the data's clock, checked for sense: parsed strictly
 * (exit 2 on an impossible or out-of-range time), an offset converted into the data's zone
 * (without one a time is a reading of that zone), `from` before `until`, and `until` at most
 * HOLD_MAX_YEARS_AHEAD years ahead.
 */
async function holdRange(
  client: pg.Client,
  from?: string,
  until?: string,
): Promise<{ from: string | null; until: string | null }> {
  const lower = from === undefined ? null : parseOperatorTime('from', from);
  const upper = until === undefined ? null : parseOperatorTime('until', until);
  const { timeZone } = await resolveDataZone(client, { allowChange: true });
  const [fromSql, fromValue] = lower ? zonedSql(lower, 2, 1) : ['NULL::timestamp', null];
  const [untilSql, untilValue] = upper ? zonedSql(upper, 3, 1) : ['NULL::timestamp', null];
  const { rows } = await client.query(
    `SELECT ${utcText(fromSql)} AS from_time, ${utcText(untilSql)} AS until_time, ${fromSql} >= ${untilSql} AS reversed,
            ${untilSql} > (now() AT TIME ZONE $1::text) + interval '${HOLD_MAX_YEARS_AHEAD} years' AS too_far
       FROM (SELECT $1::text, $2::text, $3::text) AS typed`,
    [timeZone, fromValue, untilValue],
  );
  const [r] = rows;
  if (r.reversed) {
    throw usageError(
      `${option('from')} ${from} must be before ${option('until')} ${until} (in ${timeZone}: ${r.from_time} and ${r.until_time})`,
    );
  }
  if (r.too_far) {
    throw usageError(
      `${option('until')} ${until} is more than ${HOLD_MAX_YEARS_AHEAD} years ahead; leave ${option('until')} out for a hold with no end`,
    );
  }
  return { from: r.from_time, until: r.until_time };
}

/**
 * Releases an active hold; the row stays, with who released it, when and why.
 *
 * @example
 * await releaseHold(client, 3, { reason: 'case closed', by: 'legal' });
 */
export async function releaseHold(
  client: pg.Client,
  id: number,
  input: { reason: string; by?: string },
): Promise<Hold> {
  if (!input.reason.trim()) throw usageError(`releasing a hold needs a ${option('reason')}`);
  const who = `${input.by ? `${input.by} via ` : ''}${actor()}`;
  const released = await markHoldReleased(client, id, who, input.reason.trim());
  const hold = (await listHolds(client, { includeReleased: true })).find((h) => h.id === id);
  if (!hold) throw new RasdbError(ExitCode.usage, `there is no hold ${id}; see rasdb retention hold list --all`);
  if (!released) {
    // An instant in text as rasdb prints them: to the second, in UTC (releasedAt is ISO 8601 in UTC).
    const at = `${(hold.releasedAt ?? '').replace('T', ' ').slice(0, 19)} UTC`;
    throw new RasdbError(ExitCode.check, `hold ${id} was already released at ${at} by ${hold.releasedBy}`);
  }
  return hold;
}

/**
 * The SQL condition "this row is under an active hold" for rows `alias` of a table, or null when
 * no hold names the table. Bounds and ids are bound parameters.
 *
 * @example
 * holdCondition(holds, 's', 'called_at', 'id') // sql`(("s"."called_at" >= $1::timestamp AND true) OR "s"."id" = ANY($2::bigint[]))`
 */
export function holdCondition(
  holds: readonly Hold[],
  alias: string,
  timeColumn: string,
  idColumn: string | null,
): RawBuilder<boolean> | null {
  const time = sql.ref(`${alias}.${timeColumn}`);
  const parts: RawBuilder<boolean>[] = [];
  for (const hold of holds) {
    if (hold.ids && idColumn) parts.push(sql<boolean>`${sql.ref(`${alias}.${idColumn}`)} = ANY(${hold.ids}::bigint[])`);
    else if (!hold.ids) {
      const lower = hold.from === null ? sql`true` : sql`${time} >= ${hold.from}::timestamp`;
      const upper = hold.until === null ? sql`true` : sql`${time} < ${hold.until}::timestamp`;
      parts.push(sql<boolean>`(${lower} AND ${upper})`);
    }
  }
  return parts.length ? sql<boolean>`(${sql.join(parts, sql` OR `)})` : null;
}
