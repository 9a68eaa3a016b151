import type pg from 'pg';
import { writingLedger } from './first-use.js';
import { isoText } from '../db/time-text.js';
import { withTransaction } from '../db/transaction.js';
import { actor } from './actor.js';

/** One table's size in a snapshot. */
export interface SnapshotTable {
  readonly table: string;
  readonly heapBytes: number;
  readonly toastBytes: number;
  readonly indexBytes: number;
  readonly totalBytes: number;
  readonly rows: number | null;
  readonly deadRows: number;
}

export interface Snapshot {
  readonly id: number;
  /** ISO 8601 in UTC: snapshots are moments, not readings of the data's clock. */
  readonly takenAt: string;
  readonly takenBy: string;
  readonly tables: SnapshotTable[];
}

/**
 * Whether this database's ledger has the snapshot tables (a ledger upgraded by `rasdb migrate`).
 *
 * @example
 * await hasSnapshotTables(client) // true
 */
export async function hasSnapshotTables(client: pg.Client): Promise<boolean> {
  const { rows } = await client.query(
    `SELECT to_regnamespace('rasdb') IS NOT NULL AND to_regclass('rasdb.capacity_snapshot_tables') IS NOT NULL AS present`,
  );
  return Boolean(rows[0].present);
}

/**
 * The time (ISO 8601, UTC) of the newest snapshot taken at or after `takenAt`, or null when there
 * is none (nor a snapshot table yet).
 *
 * @example
 * await newestSnapshotSince(client, '2026-06-01 04:00:00+00') // '2026-06-02T04:00:00.000Z'
 */
export async function newestSnapshotSince(client: pg.Client, takenAt: string): Promise<string | null> {
  if (!(await hasSnapshotTables(client))) return null;
  const { rows } = await client.query<{ taken_at: string | null }>(
    `SELECT ${isoText('max(taken_at)')} AS taken_at FROM rasdb.capacity_snapshots WHERE taken_at >= $1::timestamptz`,
    [takenAt],
  );
  return rows[0].taken_at;
}

/**
 * Records one snapshot, taken at `takenAt` (a timestamptz the server reads; the server's clock
 * when null), in one transaction. Returns its id and time (ISO 8601, UTC).
 *
 * @example
 * await recordSnapshot(client, null, [{ table: 'api_call_logs', heapBytes: 1, toastBytes: 0, indexBytes: 0, totalBytes: 1, rows: 1, deadRows: 0 }]) // { id: 7, takenAt: '2026-06-01T04:00:00.000Z' }
 */
export async function recordSnapshot(
  client: pg.Client,
  takenAt: string | null,
  tables: readonly SnapshotTable[],
): Promise<{ id: number; takenAt: string }> {
  // A first snapshot after migrate makes the capacity tables, and goes again.
  return writingLedger(client, () =>
    withTransaction(client, async () => {
      const { rows } = await client.query<{ id: string; taken_at: string }>(
        `INSERT INTO rasdb.capacity_snapshots (taken_at, taken_by) VALUES (coalesce($1::timestamptz, now()), current_user || ' (' || $2 || ')')
       RETURNING id, ${isoText('taken_at')} AS taken_at`,
        [takenAt, actor()],
      );
      const id = Number(rows[0].id);
      await client.query(
        `INSERT INTO rasdb.capacity_snapshot_tables (snapshot_id, table_name, heap_bytes, toast_bytes, index_bytes, total_bytes, row_count, dead_rows)
       SELECT $1, * FROM unnest($2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[])`,
        [
          id,
          tables.map((t) => t.table),
          tables.map((t) => t.heapBytes),
          tables.map((t) => t.toastBytes),
          tables.map((t) => t.indexBytes),
          tables.map((t) => t.totalBytes),
          tables.map((t) => t.rows),
          tables.map((t) => t.deadRows),
        ],
      );
      return { id, takenAt: rows[0].taken_at };
    }),
  );
}

/**
 * The snapshots of the last `days` days by the server's clock (all when null), oldest first,
 * each with its tables.
 *
 * @example
 * (await readSnapshots(client, 90)).length // 90
 */
export async function readSnapshots(client: pg.Client, days: number | null): Promise<Snapshot[]> {
  return snapshotsFrom((await client.query<SnapshotRow>(snapshotsSql('$1'), [days])).rows);
}

/** The statement readSnapshots runs, `days` an expression of the days (null for all), for a caller that batches reads. */
export const snapshotsSql = (
  days: string,
): string => `SELECT s.id, ${isoText('s.taken_at')} AS taken_at, s.taken_by, t.table_name, t.heap_bytes, t.toast_bytes, t.index_bytes,
            t.total_bytes, t.row_count, t.dead_rows
       FROM rasdb.capacity_snapshots s JOIN rasdb.capacity_snapshot_tables t ON t.snapshot_id = s.id
      WHERE (${days}::float8 IS NULL OR s.taken_at >= now() - ${days}::float8 * interval '1 day')
        -- One dated ahead of the server's clock is no measurement yet.
        AND s.taken_at <= now()
      ORDER BY s.taken_at, s.id, t.table_name`;

export type SnapshotRow = {
  id: string;
  taken_at: string;
  taken_by: string;
  table_name: string;
  heap_bytes: string;
  toast_bytes: string;
  index_bytes: string;
  total_bytes: string;
  row_count: string | null;
  dead_rows: string;
};

/** The rows of snapshotsSql as snapshots, oldest first. */
export function snapshotsFrom(rows: readonly SnapshotRow[]): Snapshot[] {
  const byId = new Map<number, Snapshot>();
  for (const r of rows) {
    const id = Number(r.id);
    let snapshot = byId.get(id);
    if (!snapshot) {
      snapshot = { id, takenAt: r.taken_at, takenBy: r.taken_by, tables: [] };
      byId.set(id, snapshot);
    }
    snapshot.tables.push({
      table: r.table_name,
      heapBytes: Number(r.heap_bytes),
      toastBytes: Number(r.toast_bytes),
      indexBytes: Number(r.index_bytes),
      totalBytes: Number(r.total_bytes),
      rows: r.row_count === null ? null : Number(r.row_count),
      deadRows: Number(r.dead_rows),
    });
  }
  return [...byId.values()];
}
