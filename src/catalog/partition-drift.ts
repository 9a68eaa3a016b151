import type { CatalogClient } from './catalog.js';
import type { Difference } from './catalog-diff.js';

/**
 * The tables of `schema` that are partitions of another. verify compares partitioned parents with
 * what the migrations and the recorded partitioning produce, and the partitions against their
 * parent (see partitionDrift): which partitions exist is data (time passes), not schema.
 *
 * @example
 * await partitionNames(client) // Set { 'api_call_logs_legacy', 'api_call_logs_p202612', ... }
 */
export async function partitionNames(client: CatalogClient, schema = 'public'): Promise<Set<string>> {
  const { rows } = await client.query(
    `SELECT c.relname FROM pg_class c WHERE c.relnamespace = to_regnamespace($1) AND c.relispartition`,
    [schema],
  );
  return new Set(rows.map((r) => r.relname as string));
}

/**
 * How each partition differs from its parent: an index of the parent it lacks, an index or a
 * constraint of its own, a column default or NOT NULL other than the parent's. The adopted heap
 * (`<parent>_legacy`) keeps what it had as a table (renamed `..._legacy`) and its CHECK on the bound:
 * those are expected. Reads only.
 *
 * @example
 * await partitionDrift(client) // [{ kind: 'extra', type: 'index', object: 'api_call_logs_p202612.idx_adhoc', ... }]
 */
export async function partitionDrift(client: CatalogClient, schema = 'public'): Promise<Difference[]> {
  const out: Difference[] = [];
  const missing = await client.query(
    `SELECT p.relname AS part, pi.relname AS index, pg_get_indexdef(pi.oid) AS definition
       FROM pg_inherits h JOIN pg_class p ON p.oid = h.inhrelid JOIN pg_class parent ON parent.oid = h.inhparent
       JOIN pg_index x ON x.indrelid = parent.oid JOIN pg_class pi ON pi.oid = x.indexrelid
      WHERE parent.relnamespace = to_regnamespace($1)
        AND NOT EXISTS (SELECT 1 FROM pg_inherits ih JOIN pg_index cx ON cx.indexrelid = ih.inhrelid
                         WHERE ih.inhparent = pi.oid AND cx.indrelid = p.oid)
      ORDER BY 1, 2`,
    [schema],
  );
  for (const r of missing.rows)
    out.push({ kind: 'missing', type: 'index', object: `${r.part}.${r.index}`, expected: r.definition });
  const extraIndexes = await client.query(
    `SELECT p.relname AS part, ci.relname AS index, pg_get_indexdef(ci.oid) AS definition, parent.relname AS parent
       FROM pg_inherits h JOIN pg_class p ON p.oid = h.inhrelid JOIN pg_class parent ON parent.oid = h.inhparent
       JOIN pg_index x ON x.indrelid = p.oid JOIN pg_class ci ON ci.oid = x.indexrelid
      WHERE parent.relnamespace = to_regnamespace($1) AND NOT ci.relispartition
      ORDER BY 1, 2`,
    [schema],
  );
  for (const r of extraIndexes.rows) {
    if (adopted(r.part, r.parent) && r.index.endsWith('_legacy')) continue;
    out.push({ kind: 'extra', type: 'index', object: `${r.part}.${r.index}`, actual: r.definition });
  }
  const extraConstraints = await client.query(
    `SELECT p.relname AS part, k.conname AS name, pg_get_constraintdef(k.oid) AS definition, parent.relname AS parent
       FROM pg_inherits h JOIN pg_class p ON p.oid = h.inhrelid JOIN pg_class parent ON parent.oid = h.inhparent
       JOIN pg_constraint k ON k.conrelid = p.oid
      WHERE parent.relnamespace = to_regnamespace($1) AND k.contype IN ('p', 'u', 'f', 'c', 'x')
        AND k.conparentid = 0 AND k.coninhcount = 0
      ORDER BY 1, 2`,
    [schema],
  );
  for (const r of extraConstraints.rows) {
    if (adopted(r.part, r.parent) && (r.name.endsWith('_legacy') || r.name === `${r.parent}_rasdb_before_bound`))
      continue;
    out.push({ kind: 'extra', type: 'constraint', object: `${r.part}.${r.name}`, actual: r.definition });
  }
  const columns = await client.query(
    `SELECT p.relname AS part, a.attname AS column, pg_get_expr(pd.adbin, pd.adrelid) AS parent_default,
            pg_get_expr(cd.adbin, cd.adrelid) AS part_default, pa.attnotnull AS parent_not_null, a.attnotnull AS part_not_null
       FROM pg_inherits h JOIN pg_class p ON p.oid = h.inhrelid JOIN pg_class parent ON parent.oid = h.inhparent
       JOIN pg_attribute a ON a.attrelid = p.oid AND a.attnum > 0 AND NOT a.attisdropped
       JOIN pg_attribute pa ON pa.attrelid = parent.oid AND pa.attname = a.attname
       LEFT JOIN pg_attrdef cd ON cd.adrelid = a.attrelid AND cd.adnum = a.attnum
       LEFT JOIN pg_attrdef pd ON pd.adrelid = pa.attrelid AND pd.adnum = pa.attnum
      WHERE parent.relnamespace = to_regnamespace($1)
        AND (pg_get_expr(pd.adbin, pd.adrelid) IS DISTINCT FROM pg_get_expr(cd.adbin, cd.adrelid) OR pa.attnotnull <> a.attnotnull)
      ORDER BY 1, 2`,
    [schema],
  );
  for (const r of columns.rows) {
    const parts: string[] = [];
    if (r.parent_default !== r.part_default)
      parts.push(`default: ${r.parent_default ?? 'none'} -> ${r.part_default ?? 'none'}`);
    if (r.parent_not_null !== r.part_not_null)
      parts.push(`not null: ${String(r.parent_not_null)} -> ${String(r.part_not_null)}`);
    out.push({ kind: 'changed', type: 'column', object: `${r.part}.${r.column}`, detail: parts.join('; ') });
  }
  return out;
}

const adopted = (part: string, parent: string): boolean => part === `${parent}_legacy`;
