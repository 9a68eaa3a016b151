import type pg from 'pg';
import type { SnapshotTable } from '../ledger/capacity-snapshots.js';

/**
 * A table's footprint, summed over its partitions (or inheritance children) when it has any:
 * heap (main fork with its free-space and visibility maps), TOAST (table and index), indexes and
 * total; rows as the statistics count them (the larger of pg_stat's live count and reltuples at
 * the relation's current size, see currentRows; null when never counted).
 */
export interface TableSize extends SnapshotTable {
  /** False when the table does not exist in this database (a phase not applied yet). */
  readonly present: boolean;
  /** Leaf relations summed: 1 for a plain table, its partitions for a partitioned one. */
  readonly leaves: number;
  readonly partitioned: boolean;
}

/**
 * Sizes of `tables` from the catalog alone (no row is read): heap, TOAST, indexes and total,
 * rows from the statistics, dead rows. A partitioned table is summed over every relation under it
 * in pg_inherits (its own pg_total_relation_size is 0), to any depth; so is a table with
 * inheritance children.
 *
 * @example
 * (await readSizes(client, ['api_call_logs']))[0].totalBytes // 2437120000
 */
export async function readSizes(client: pg.Client, tables: readonly string[]): Promise<TableSize[]> {
  return sizesFrom((await client.query<SizeRow>(sizesSql(client, tables))).rows);
}

/** A row of sizesSql. */
export interface SizeRow {
  name: string;
  present: boolean;
  leaves: number;
  partitioned: boolean;
  heap: string;
  toast: string;
  indexes: string;
  total: string;
  rows: string | null;
  dead: string;
}

/**
 * The statement readSizes runs, without parameters, for a caller that batches it with other
 * reads: a row per table, in the order given.
 */
export function sizesSql(client: pg.Client, tables: readonly string[]): string {
  const names = tables.length ? `ARRAY[${tables.map((t) => client.escapeLiteral(t)).join(', ')}]` : `'{}'::text[]`;
  return `WITH RECURSIVE wanted AS (
       SELECT w.name, w.ord, to_regclass(quote_ident(w.name)) AS root
         FROM unnest(${names}::text[]) WITH ORDINALITY AS w(name, ord)
     ), tree AS (
       SELECT name, root AS rel, true AS is_root FROM wanted WHERE root IS NOT NULL
       UNION ALL
       SELECT tree.name, i.inhrelid::regclass, false FROM tree JOIN pg_inherits i ON i.inhparent = tree.rel
     ), member AS (
       -- pg_class read once for the roots and their leaves (a probe per root reads three pages a root).
       SELECT tree.name, tree.is_root, c.oid, c.relkind, c.reltuples, c.relpages, c.reltoastrelid
         FROM tree JOIN pg_class c ON c.oid = tree.rel
     ), leaf AS (
       -- The functions behind pg_stat_all_tables, called for these relations only (the view groups them all).
       SELECT c.name, c.oid, c.reltuples, c.relpages,
              pg_stat_get_live_tuples(c.oid) AS n_live_tup, pg_stat_get_dead_tuples(c.oid) AS n_dead_tup,
              -- Each fork, TOAST table and index measured once (each measure opens the relation, and
              -- pg_table_size would open the TOAST table again): heap with its maps, TOAST, indexes.
              pg_relation_size(c.oid) AS main, pg_relation_size(c.oid, 'fsm') + pg_relation_size(c.oid, 'vm') AS maps,
              pg_indexes_size(c.oid) AS indexes,
              CASE WHEN c.reltoastrelid = 0 THEN 0 ELSE pg_total_relation_size(c.reltoastrelid) END AS toast
         FROM member c
        WHERE c.relkind IN ('r', 'm')
     ), root AS (
       SELECT name, relkind = 'p' AS partitioned FROM member WHERE is_root
     )
     SELECT w.name, w.root IS NOT NULL AS present,
            count(l.oid)::int AS leaves,
            coalesce(r.partitioned, false) AS partitioned,
            coalesce(sum(l.main + l.maps), 0) AS heap,
            coalesce(sum(l.toast), 0) AS toast,
            coalesce(sum(l.indexes), 0) AS indexes,
            coalesce(sum(l.main + l.maps + l.toast + l.indexes), 0) AS total,
            -- As currentRows (histogram.ts): the larger of the live count and reltuples at today's size.
            CASE WHEN count(l.oid) = 0 THEN 0
                 WHEN bool_and(l.n_live_tup > 0 OR l.reltuples >= 0)
                 THEN round(sum(CASE WHEN l.reltuples < 0 THEN l.n_live_tup
                                     ELSE greatest(l.n_live_tup, CASE WHEN l.relpages > 0
                                          THEN l.reltuples / l.relpages * (l.main / current_setting('block_size')::int)
                                          ELSE l.reltuples END) END))::bigint END AS rows,
            coalesce(sum(l.n_dead_tup), 0) AS dead
       FROM wanted w LEFT JOIN root r ON r.name = w.name LEFT JOIN leaf l ON l.name = w.name
      GROUP BY w.name, w.ord, w.root, r.partitioned
      ORDER BY w.ord`;
}

/** The sizes in the rows of sizesSql. */
export function sizesFrom(rows: readonly SizeRow[]): TableSize[] {
  return rows.map((r) => ({
    table: r.name,
    present: r.present,
    leaves: r.leaves,
    partitioned: r.partitioned,
    heapBytes: Number(r.heap),
    toastBytes: Number(r.toast),
    indexBytes: Number(r.indexes),
    totalBytes: Number(r.total),
    rows: r.rows === null ? null : Number(r.rows),
    deadRows: Number(r.dead),
  }));
}
