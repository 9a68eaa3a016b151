import type pg from 'pg';
import { DEFAULT_STORAGE, STORAGE_COLUMNS, storageFrom, type PartitionStorage } from './storage.js';

/** What the catalog says about a table rasdb partitions, read before each step. */
export interface TableFacts {
  /** 'r' plain table, 'p' partitioned, null absent. */
  kind: 'r' | 'p' | null;
  timeNullable: boolean;
  timeType: string | null;
  /** Foreign keys of other tables that point at this one: partitioning would break them. */
  inbound: string[];
  /** Indexes left invalid (a failed CREATE INDEX CONCURRENTLY), other than rasdb's own. */
  invalidIndexes: string[];
  /** Views, materialized views and rules that depend on the table. */
  views: string[];
  /** Triggers and row-level security policies rasdb does not carry over. */
  triggers: string[];
  policies: string[];
  /** Primary key and unique constraints: their name and columns. */
  keys: { name: string; primary: boolean; columns: string[] }[];
  /** Every index: name, definition, valid, whether it backs a constraint, and its columns. */
  indexes: {
    name: string;
    definition: string;
    valid: boolean;
    constraint: boolean;
    unique: boolean;
    columns: string[];
  }[];
  /** Outbound foreign keys and checks: name and definition. */
  foreignKeys: { name: string; definition: string }[];
  checks: { name: string; definition: string; validated: boolean }[];
  /** Sequences owned by the table's columns. */
  sequences: { sequence: string; column: string }[];
  /** Privileges granted on the table to roles other than its owner. */
  grants: { grantee: string; privilege: string }[];
  /** COMMENT ON TABLE, null without one. */
  comment: string | null;
  /** Storage parameters and replica identity, which the partitions made later copy. */
  storage: PartitionStorage;
}

/**
 * Reads the table's facts from the catalog (schema public).
 *
 * @example
 * (await readTableFacts(client, 'api_call_logs', 'called_at')).kind // 'r'
 */
export async function readTableFacts(client: pg.Client, table: string, timeColumn: string): Promise<TableFacts> {
  const { rows: rel } = await client.query(
    `SELECT c.oid, c.relkind, a.attnotnull, format_type(a.atttypid, a.atttypmod) AS type,
            obj_description(c.oid, 'pg_class') AS comment, ${STORAGE_COLUMNS}
       FROM pg_class c LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = $2 AND NOT a.attisdropped
      WHERE c.relname = $1 AND c.relnamespace = 'public'::regnamespace`,
    [table, timeColumn],
  );
  const empty: TableFacts = {
    kind: null,
    timeNullable: true,
    timeType: null,
    inbound: [],
    invalidIndexes: [],
    views: [],
    triggers: [],
    policies: [],
    keys: [],
    indexes: [],
    foreignKeys: [],
    checks: [],
    sequences: [],
    grants: [],
    comment: null,
    storage: DEFAULT_STORAGE,
  };
  if (!rel.length) return empty;
  const oid = rel[0].oid;
  const list = async (query: string): Promise<string[]> =>
    (await client.query<{ name: string }>(query, [oid])).rows.map((r) => r.name);
  const inbound = await list(
    `SELECT conrelid::regclass || '.' || conname AS name FROM pg_constraint
      WHERE contype = 'f' AND confrelid = $1 AND conrelid <> $1 AND conparentid = 0 ORDER BY 1`,
  );
  const views = await list(
    `SELECT DISTINCT v.oid::regclass::text AS name FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid
       JOIN pg_class v ON v.oid = r.ev_class
      WHERE d.classid = 'pg_rewrite'::regclass AND d.refobjid = $1 AND v.oid <> $1 ORDER BY 1`,
  );
  const triggers = await list(
    `SELECT tgname AS name FROM pg_trigger WHERE tgrelid = $1 AND NOT tgisinternal ORDER BY 1`,
  );
  const policies = await list(`SELECT polname AS name FROM pg_policy WHERE polrelid = $1 ORDER BY 1`);
  const { rows: idx } = await client.query(
    `SELECT ic.relname AS name, pg_get_indexdef(i.indexrelid) AS definition, i.indisvalid AS valid, i.indisunique AS unique,
            EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = $1) AS constraint,
            ARRAY(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
                    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY k.n)::text[] AS columns
       FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid WHERE i.indrelid = $1 ORDER BY ic.relname`,
    [oid],
  );
  const { rows: cons } = await client.query(
    `SELECT conname AS name, contype, convalidated, pg_get_constraintdef(oid) AS definition,
            ARRAY(SELECT a.attname FROM unnest(conkey) WITH ORDINALITY AS k(attnum, n)
                    JOIN pg_attribute a ON a.attrelid = conrelid AND a.attnum = k.attnum ORDER BY k.n)::text[] AS columns
       FROM pg_constraint WHERE conrelid = $1 AND contype IN ('p', 'u', 'f', 'c') ORDER BY conname`,
    [oid],
  );
  const { rows: seqs } = await client.query(
    `SELECT d.objid::regclass::text AS sequence, a.attname AS column FROM pg_depend d
       JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
       JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
      WHERE d.refobjid = $1 AND d.deptype IN ('a', 'i') ORDER BY 1`,
    [oid],
  );
  const { rows: grants } = await client.query(
    `SELECT g.grantee::regrole::text AS grantee, g.privilege_type AS privilege
       FROM pg_class c, aclexplode(c.relacl) g WHERE c.oid = $1 AND g.grantee <> c.relowner AND g.grantee <> 0 ORDER BY 1, 2`,
    [oid],
  );
  return {
    kind: rel[0].relkind === 'p' ? 'p' : 'r',
    timeNullable: !rel[0].attnotnull,
    timeType: rel[0].type,
    inbound,
    invalidIndexes: idx.filter((i) => !i.valid).map((i) => i.name),
    views,
    triggers,
    policies,
    keys: cons
      .filter((c) => c.contype === 'p' || c.contype === 'u')
      .map((c) => ({ name: c.name, primary: c.contype === 'p', columns: c.columns })),
    indexes: idx.map((i) => ({
      name: i.name,
      definition: i.definition,
      valid: i.valid,
      constraint: i.constraint,
      unique: i.unique,
      columns: i.columns,
    })),
    foreignKeys: cons.filter((c) => c.contype === 'f').map((c) => ({ name: c.name, definition: c.definition })),
    checks: cons
      .filter((c) => c.contype === 'c')
      .map((c) => ({ name: c.name, definition: c.definition, validated: c.convalidated })),
    sequences: seqs,
    grants,
    comment: rel[0].comment,
    storage: storageFrom(rel[0].options, rel[0].toast_options, rel[0].identity),
  };
}
