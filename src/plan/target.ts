import type pg from 'pg';
import { isLockMode, lockRank } from './lock-modes.js';
import { KINDS } from './relations.js';
import type { TargetTable } from './types.js';

interface Row {
  relation: string;
  relkind: string;
  heap: string | null;
  indexes: string | null;
  toast: string | null;
  total: string | null;
  rows: string | null;
  analyzed: boolean | null;
  sessions: [number, string, string | null][] | null;
}

/**
 * The tables named `relations` (`name` in public, `schema.name` elsewhere) as the target has them
 * now: sizes summed over their partitions (heap with its maps, indexes, TOAST), the planner's row
 * estimate, and the other sessions holding locks on them or their partitions. Only reads catalogs
 * and statistics functions: nothing is written, nothing is locked but system catalogs.
 *
 * @example
 * const [assets] = await readTargetTables(session.client, ['ingestion_assets']);
 * assets.totalBytes // 12_582_912
 */
export async function readTargetTables(client: pg.Client, relations: readonly string[]): Promise<TargetTable[]> {
  if (relations.length === 0) return [];
  const schemas = relations.map((r) => (r.includes('.') ? r.slice(0, r.indexOf('.')) : 'public'));
  const names = relations.map((r) => (r.includes('.') ? r.slice(r.indexOf('.') + 1) : r));
  const { rows } = await client.query<Row>(
    `WITH wanted AS (
       SELECT w.relation, c.oid, c.relkind
         FROM unnest($1::text[], $2::text[], $3::text[]) AS w(relation, schema, name)
         JOIN pg_namespace n ON n.nspname = w.schema
         JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = w.name),
     tree AS (
       SELECT w.relation, p.relid, p.isleaf FROM wanted w, pg_partition_tree(w.oid) p WHERE w.relkind = 'p'
       UNION ALL
       SELECT w.relation, w.oid, true FROM wanted w WHERE w.relkind <> 'p'),
     leaves AS (
       SELECT t.relation, c.oid, c.reltuples, c.reltoastrelid,
              CASE WHEN c.relkind IN ('r', 'm') THEN pg_table_size(c.oid) ELSE 0 END AS table_size,
              CASE WHEN c.relkind IN ('r', 'm') THEN pg_indexes_size(c.oid) ELSE 0 END AS index_size,
              CASE WHEN c.reltoastrelid <> 0 THEN pg_total_relation_size(c.reltoastrelid) ELSE 0 END AS toast_size
         FROM tree t JOIN pg_class c ON c.oid = t.relid WHERE t.isleaf),
     sizes AS (
       SELECT relation, sum(table_size - toast_size) AS heap, sum(index_size) AS indexes, sum(toast_size) AS toast,
              sum(table_size + index_size) AS total, sum(greatest(reltuples, 0)) AS rows,
              bool_and(reltuples >= 0) AS analyzed
         FROM leaves GROUP BY relation),
     holders AS (
       SELECT t.relation, l.pid, l.mode, a.xact_start::text AS xact_start
         FROM tree t JOIN pg_locks l ON l.relation = t.relid AND l.locktype = 'relation' AND l.granted
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
         LEFT JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.pid <> pg_backend_pid())
     SELECT w.relation, w.relkind, s.heap, s.indexes, s.toast, s.total, s.rows, s.analyzed,
            (SELECT json_agg(json_build_array(h.pid, h.mode, h.xact_start)) FROM holders h WHERE h.relation = w.relation) AS sessions
       FROM wanted w LEFT JOIN sizes s ON s.relation = w.relation`,
    [relations, schemas, names],
  );
  return rows.map((row) => {
    const holders = row.sessions ?? [];
    const pids = [...new Set(holders.map(([pid]) => pid))].sort((a, b) => a - b);
    const writing = new Set(
      holders
        .filter(([, mode]) => isLockMode(mode) && lockRank(mode) >= lockRank('RowExclusiveLock'))
        .map(([pid]) => pid),
    );
    const starts = holders.map(([, , start]) => start).filter((s): s is string => s !== null);
    return {
      relation: row.relation,
      kind: KINDS[row.relkind] ?? 'other',
      heapBytes: Number(row.heap ?? 0),
      indexBytes: Number(row.indexes ?? 0),
      toastBytes: Number(row.toast ?? 0),
      totalBytes: Number(row.total ?? 0),
      rowEstimate: row.analyzed ? Math.round(Number(row.rows ?? 0)) : null,
      sessions: {
        total: pids.length,
        writing: writing.size,
        pids,
        oldestTransactionStart: starts.length ? starts.sort()[0] : null,
      },
    };
  });
}
