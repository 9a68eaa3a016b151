import type pg from 'pg';
import type { SnapshotTable } from '../ledger/capacity-snapshots.js';
import { currentRows } from './histogram.js';

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

/** A relation that holds a table's rows (the table itself, or a partition or child of it), as measured. */
export interface Leaf {
  readonly oid: number;
  readonly reltuples: number;
  readonly relpages: number;
  /** Pages of the main fork now. */
  readonly pages: number;
  readonly liveTuples: number;
}

/** What the catalog says of a table beyond its size: its oid and the relations that hold its rows. */
export interface TableRelations {
  readonly table: string;
  /** Null when the table does not exist. */
  readonly oid: number | null;
  readonly leaves: readonly Leaf[];
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
  return sizesFrom(tables, (await client.query<SizeRow>(sizesSql(client, tables))).rows);
}

/** A row of sizesSql: a table (its root, `rel` null when absent) or a relation under it. */
export interface SizeRow {
  ord: number;
  /** The table itself rather than a relation under it. */
  root: boolean;
  rel: number | null;
  relkind: string | null;
  reltuples: number;
  relpages: number;
  live: string;
  dead: string;
  main: string;
  maps: string;
  indexes: string;
  toast: string;
  /** The server's page size, to count the main fork's pages. */
  block: number;
}

/**
 * The statement readSizes runs, without parameters, for a caller that batches it with other
 * reads: a row per table (`ord`, from 1 in the order given) and per relation under it, each
 * measured once. Rows rather than sums: summed in SQL, the statement's planning cost more than
 * its measuring.
 */
export function sizesSql(client: pg.Client, tables: readonly string[]): string {
  const names = tables.length ? `ARRAY[${tables.map((t) => client.escapeLiteral(t)).join(', ')}]` : `'{}'::text[]`;
  // Each fork, TOAST table and index measured once (each measure opens the relation, and
  // pg_table_size would open the TOAST table again); only relations that hold rows are measured.
  const measured = (expression: string) => `CASE WHEN c.relkind IN ('r', 'm') THEN ${expression} END`;
  return `WITH RECURSIVE tree AS (
       SELECT w.ord::int AS ord, true AS root, to_regclass(quote_ident(w.name)) AS rel
         FROM unnest(${names}::text[]) WITH ORDINALITY AS w(name, ord)
       UNION ALL
       SELECT tree.ord, false, i.inhrelid::regclass FROM tree JOIN pg_inherits i ON i.inhparent = tree.rel
     )
     SELECT t.ord, t.root, c.oid AS rel, c.relkind, c.reltuples, c.relpages,
            ${measured('pg_stat_get_live_tuples(c.oid)')} AS live, ${measured('pg_stat_get_dead_tuples(c.oid)')} AS dead,
            ${measured('pg_relation_size(c.oid)')} AS main,
            ${measured(`pg_relation_size(c.oid, 'fsm') + pg_relation_size(c.oid, 'vm')`)} AS maps,
            ${measured('pg_indexes_size(c.oid)')} AS indexes,
            ${measured('CASE WHEN c.reltoastrelid = 0 THEN 0 ELSE pg_total_relation_size(c.reltoastrelid) END')} AS toast,
            current_setting('block_size')::int AS block
       FROM tree t LEFT JOIN pg_class c ON c.oid = t.rel`;
}

/** The sizes of `tables` in the rows sizesSql gave for them. */
export function sizesFrom(tables: readonly string[], rows: readonly SizeRow[]): TableSize[] {
  const sums = tables.map((table): { -readonly [K in keyof TableSize]: TableSize[K] } => ({
    table,
    present: false,
    leaves: 0,
    partitioned: false,
    heapBytes: 0,
    toastBytes: 0,
    indexBytes: 0,
    totalBytes: 0,
    rows: 0,
    deadRows: 0,
  }));
  for (const r of rows) {
    const sum = sums[r.ord - 1];
    if (r.rel === null) continue;
    // A view or a foreign table under a document table's name holds none of its rows: absent.
    if (r.root && (r.relkind === 'r' || r.relkind === 'p' || r.relkind === 'm')) {
      sum.present = true;
      sum.partitioned = r.relkind === 'p';
    }
    if (r.relkind !== 'r' && r.relkind !== 'm') continue;
    const heap = Number(r.main) + Number(r.maps);
    const toast = Number(r.toast);
    const indexes = Number(r.indexes);
    const leafRows = currentRows(leafOf(r));
    sum.leaves += 1;
    sum.heapBytes += heap;
    sum.toastBytes += toast;
    sum.indexBytes += indexes;
    sum.totalBytes += heap + toast + indexes;
    sum.rows = sum.rows === null || leafRows === null ? null : sum.rows + leafRows;
    sum.deadRows += Number(r.dead);
  }
  return sums.map((s) => (s.rows === null ? s : { ...s, rows: Math.round(s.rows) }));
}

/** Each table's oid and the relations that hold its rows, from the same rows. */
export function relationsFrom(tables: readonly string[], rows: readonly SizeRow[]): TableRelations[] {
  const found = tables.map((table) => ({ table, oid: null as number | null, leaves: [] as Leaf[] }));
  for (const r of rows) {
    if (r.rel === null) continue;
    const table = found[r.ord - 1];
    if (r.root) table.oid = Number(r.rel);
    if (r.relkind === 'r' || r.relkind === 'm') table.leaves.push(leafOf(r));
  }
  return found;
}

function leafOf(r: SizeRow): Leaf {
  return {
    oid: Number(r.rel),
    reltuples: Number(r.reltuples),
    relpages: Number(r.relpages),
    pages: Math.floor(Number(r.main) / r.block),
    liveTuples: Number(r.live),
  };
}
