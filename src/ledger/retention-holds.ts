import type pg from 'pg';
import { readingLedger, writingLedger } from './first-use.js';
import { isoText, utcText } from '../db/time-text.js';

/**
 * A legal hold: rows of one table, by a time range or by id, that no retention run may delete
 * until the hold is released. Holds stack: a row is deletable only when no active hold covers it.
 */
export interface Hold {
  id: number;
  table: string;
  /** Inclusive lower bound on the table's time column (a reading of the data's zone); null: from the beginning. */
  from: string | null;
  /** Exclusive upper bound (a reading of the data's zone); null: no end. */
  until: string | null;
  ids: number[] | null;
  reason: string;
  placedBy: string;
  placedAt: string;
  releasedAt: string | null;
  releasedBy: string | null;
  releaseReason: string | null;
}

const SELECT_HOLDS = `SELECT id, table_name, ${utcText('from_time')} AS from_time, ${utcText('until_time')} AS until_time, row_ids, reason,
         placed_by, ${isoText('placed_at')} AS placed_at, ${isoText('released_at')} AS released_at,
         released_by, release_reason
    FROM rasdb.retention_holds`;

/**
 * Records a hold, checked by its caller, and returns its id. `who` is the OS account (and whoever
 * asked); the database role is added by the server.
 *
 * @example
 * const id = await insertHold(client, { table: 'api_call_logs', from: '2025-03-01', until: null, ids: null, reason: 'case 17' }, 'ops@bastion');
 */
export async function insertHold(
  client: pg.Client,
  hold: { table: string; from: string | null; until: string | null; ids: readonly number[] | null; reason: string },
  who: string,
): Promise<number> {
  const { rows } = await writingLedger(client, () =>
    client.query<{ id: number }>(
      `INSERT INTO rasdb.retention_holds (table_name, from_time, until_time, row_ids, reason, placed_by)
       VALUES ($1, $2::timestamp, $3::timestamp, $4::bigint[], $5, current_user || ' (' || $6 || ')') RETURNING id`,
      [hold.table, hold.from, hold.until, hold.ids, hold.reason, who],
    ),
  );
  return Number(rows[0].id);
}

/**
 * Active holds, or all of them with `includeReleased`, oldest first.
 *
 * @example
 * (await listHolds(client, { table: 'api_call_logs' })).length // 1
 */
export async function listHolds(
  client: pg.Client,
  options: { includeReleased?: boolean; table?: string } = {},
): Promise<Hold[]> {
  const rows = await readingLedger(client, () =>
    client.query(
      `${SELECT_HOLDS} WHERE ($1 OR released_at IS NULL) AND ($2::text IS NULL OR table_name = $2) ORDER BY id`,
      [Boolean(options.includeReleased), options.table ?? null],
    ),
  );
  return rows.map((r) => ({
    id: r.id,
    table: r.table_name,
    from: r.from_time,
    until: r.until_time,
    ids: r.row_ids ? r.row_ids.map(Number) : null,
    reason: r.reason,
    placedBy: r.placed_by,
    placedAt: r.placed_at,
    releasedAt: r.released_at,
    releasedBy: r.released_by,
    releaseReason: r.release_reason,
  }));
}

/**
 * Marks an active hold released, with who and why; false when no active hold has that id.
 *
 * @example
 * await markHoldReleased(client, 3, 'legal via ops@bastion', 'case closed') // true
 */
export async function markHoldReleased(client: pg.Client, id: number, who: string, reason: string): Promise<boolean> {
  const { rowCount } = await writingLedger(client, () =>
    client.query(
      `UPDATE rasdb.retention_holds SET released_at = now(), released_by = current_user || ' (' || $2 || ')', release_reason = $3
        WHERE id = $1 AND released_at IS NULL`,
      [id, who, reason],
    ),
  );
  return Boolean(rowCount);
}

/**
 * Active holds on one table, read under a SHARE lock so no hold can be added until this
 * transaction ends. Call it inside the transaction that deletes.
 *
 * @example
 * await withTransaction(client, async () => { const holds = await lockedHolds(client, 'api_call_logs'); ... });
 */
export async function lockedHolds(client: pg.Client, table: string): Promise<Hold[]> {
  await client.query('LOCK TABLE rasdb.retention_holds IN SHARE MODE');
  return listHolds(client, { table });
}

/**
 * Active holds on any of `tables`, oldest first. With `lock`, read under a SHARE lock on the
 * holds, so no hold can be placed until the caller's transaction ends: call it inside the
 * transaction that drops the tables.
 *
 * @example
 * (await activeHoldsOn(client, ['api_call_logs', 'integration_operations'], { lock: true })).map((h) => h.id) // [3]
 */
export async function activeHoldsOn(
  client: pg.Client,
  tables: readonly string[],
  options: { lock?: boolean } = {},
): Promise<Hold[]> {
  if (options.lock) await client.query('LOCK TABLE rasdb.retention_holds IN SHARE MODE');
  const holds = await listHolds(client);
  return holds.filter((hold) => tables.includes(hold.table));
}
