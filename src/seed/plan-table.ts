import { sql, type Kysely } from 'kysely';
import type { DB } from '../../generated/db.js';
import { trackedRows } from '../ledger/seed-rows.js';
import { differingColumns, incoming, keyMatch, rowHash } from './table-sql.js';
import type { AnySeedTable } from './types.js';

/**
 * What a run does with one seed row:
 * - `insert`: no row has its natural key;
 * - `update`: the row is the seed's, unchanged since the seed wrote it, and the seed now says otherwise;
 * - `unchanged`: the row already holds the seed's values;
 * - `kept`: the row differs and is not the seed's to change: an operator edited it (`edited`), it
 *   was there before the seed (`not_seeded`), or several rows share the key (`duplicate`).
 */
export type RowAction = 'insert' | 'update' | 'unchanged' | 'kept';
export type KeptReason = 'edited' | 'not_seeded' | 'duplicate';

/** A row that is not left as it is (or is kept); unchanged rows are only counted. */
export interface RowPlan {
  key: string;
  action: RowAction;
  reason?: KeptReason;
  /** Owned columns whose stored value differs from the seed's. */
  differing: string[];
}

export interface TablePlan {
  inserted: number;
  updated: number;
  unchanged: number;
  kept: number;
  /** Every row planned insert, update or kept, in file order. */
  rows: RowPlan[];
  /** Unchanged rows whose ledger hash is stale (an operator edited the row back to the seed's values). */
  retrack: number;
}

/**
 * Classifies every seed row of one table against the database in one read-only query. The
 * verdict is reached in SQL, so a run where nothing changed moves a handful of counts, not one
 * row per reference row.
 *
 * @example
 * const plan = await planTable(db, table, JSON.stringify(documents), true);
 * plan.rows.filter((row) => row.action === 'kept') // rows an operator changed
 */
export async function planTable(
  db: Kysely<DB>,
  table: AnySeedTable,
  documents: string,
  tracked: boolean,
): Promise<TablePlan> {
  const { rows } = await sql<{ verdict: string; rows: number; details: { key: string; differing: string[] }[] }>`
    WITH ${incoming(table, documents)},
    matched AS (
      SELECT n.seed_key, n.ord, t.ctid IS NOT NULL AS present, count(*) OVER (PARTITION BY n.seed_key) AS matches,
             ${rowHash('t', table.owned)} AS db_hash, ${rowHash('n', table.owned)} AS seed_hash, r.row_hash AS recorded_hash,
             ${differingColumns(table, 't', 'n')} AS differing
        FROM incoming n
        LEFT JOIN ${sql.table(table.table)} t ON ${keyMatch(table, 't', 'n')}
        LEFT JOIN ${trackedRows(tracked)} r ON r.table_name = ${table.table} AND r.natural_key = n.seed_key),
    classified AS (
      SELECT DISTINCT ON (seed_key) seed_key, ord, differing,
             CASE WHEN NOT present THEN 'insert'
                  WHEN matches > 1 THEN 'kept:duplicate'
                  WHEN db_hash = seed_hash THEN CASE WHEN recorded_hash <> seed_hash THEN 'unchanged:retrack' ELSE 'unchanged' END
                  WHEN recorded_hash IS NULL THEN 'kept:not_seeded'
                  WHEN recorded_hash = db_hash THEN 'update'
                  ELSE 'kept:edited' END AS verdict
        FROM matched ORDER BY seed_key)
    SELECT verdict, count(*)::int AS rows,
           COALESCE(jsonb_agg(jsonb_build_object('key', seed_key, 'differing', differing) ORDER BY ord)
                    FILTER (WHERE verdict NOT LIKE 'unchanged%'), '[]'::jsonb) AS details
      FROM classified GROUP BY verdict`.execute(db);
  const plan: TablePlan = { inserted: 0, updated: 0, unchanged: 0, kept: 0, rows: [], retrack: 0 };
  for (const { verdict, rows: n, details } of rows) {
    const [action, reason] = verdict.split(':') as [RowAction, string | undefined];
    if (action === 'insert') plan.inserted += n;
    else if (action === 'update') plan.updated += n;
    else if (action === 'unchanged') plan.unchanged += n;
    else plan.kept += n;
    if (reason === 'retrack') plan.retrack += n;
    for (const detail of details)
      plan.rows.push({
        key: detail.key,
        action,
        ...(reason ? { reason: reason as KeptReason } : {}),
        differing: detail.differing,
      });
  }
  return plan;
}
