import type pg from 'pg';
import { isLockMode, type LockMode } from './lock-modes.js';
import type { RelationKind } from './types.js';

/** A relation of the scratch database, as the observation keeps track of it. */
export interface RelationInfo {
  readonly oid: number;
  /** `name` in public, `schema.name` elsewhere. */
  readonly relation: string;
  readonly kind: RelationKind;
  /** For an index: its table. */
  readonly table?: string;
  readonly relfilenode: number;
  /** Sequential scans of it counted in this backend's pending statistics (pg_stat_get_xact_numscans). */
  readonly scans: number;
}

/** One lock a backend holds, or waits for, on a relation. */
export interface HeldLock {
  readonly oid: number;
  readonly mode: LockMode;
  readonly granted: boolean;
}

/** pg_class.relkind in words. */
export const KINDS: Record<string, RelationKind> = {
  r: 'table',
  p: 'partitioned table',
  v: 'view',
  m: 'materialized view',
  f: 'foreign table',
  i: 'index',
  I: 'partitioned index',
  S: 'sequence',
};

/** The kinds the application reads and writes: a report names these. */
export const TABLE_KINDS: readonly RelationKind[] = [
  'table',
  'partitioned table',
  'view',
  'materialized view',
  'foreign table',
];

// User objects only (the first OID initdb leaves free is 16384), never TOAST or temporary ones.
const USER_RELATION = `c.oid >= 16384 AND c.relkind IN ('r','p','v','m','f','i','I','S')
  AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'`;

const NAMED = `json_build_array(c.oid::int8, n.nspname, c.relname, c.relkind, c.relfilenode::int8,
  pg_stat_get_xact_numscans(c.oid), tn.nspname, t.relname)`;
const NAMED_FROM = `pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_index i ON i.indexrelid = c.oid LEFT JOIN pg_class t ON t.oid = i.indrelid
  LEFT JOIN pg_namespace tn ON tn.oid = t.relnamespace`;

type NamedRow = [number, string, string, string, number, number, string | null, string | null];

/** `name` in public, `schema.name` elsewhere. */
export function qualified(schema: string, name: string): string {
  return schema === 'public' ? name : `${schema}.${name}`;
}

function toInfo([oid, schema, name, kind, relfilenode, scans, tableSchema, table]: NamedRow): RelationInfo {
  return {
    oid,
    relation: qualified(schema, name),
    kind: KINDS[kind] ?? 'other',
    ...(tableSchema !== null && table !== null ? { table: qualified(tableSchema, table) } : {}),
    relfilenode,
    scans,
  };
}

/**
 * Every user relation of the database `client` is on, by OID.
 *
 * @example
 * const before = await relationsNow(scratch); before.get(oid)?.relation // 'ingestion_assets'
 */
export async function relationsNow(client: pg.Client): Promise<Map<number, RelationInfo>> {
  // Named: the server plans it once per connection, not once per migration.
  const { rows } = await client.query<{ r: NamedRow }>({
    name: 'rasdb_plan_relations',
    text: `SELECT ${NAMED} AS r FROM ${NAMED_FROM} WHERE ${USER_RELATION}`,
  });
  return new Map(rows.map(({ r }) => [r[0], toInfo(r)]));
}

/** What one read of the own backend's locks returns (see ownSnapshot). */
export interface OwnSnapshot {
  readonly locks: readonly HeldLock[];
  /** relfilenode and scan count now, of the relations asked about. */
  readonly state: ReadonlyMap<number, { relfilenode: number; scans: number }>;
  /** Relations locked that were not known yet (made by this migration). */
  readonly named: readonly RelationInfo[];
}

/**
 * In one round trip, inside the migration's transaction: the relation locks this backend holds,
 * the relfilenode and pending scan count of `watched`, and the names of locked relations not in
 * `known`. Reading pg_locks and pg_class takes locks only on system catalogs, which are left out.
 *
 * @example
 * const snap = await ownSnapshot(scratch, [...before.keys()], known);
 */
export async function ownSnapshot(
  client: pg.Client,
  watched: readonly number[],
  known: readonly number[],
): Promise<OwnSnapshot> {
  const { rows } = await client.query<{
    locks: [number, string, boolean][];
    state: [number, number, number][];
    named: NamedRow[];
  }>({
    // Named: planned once per connection, not after every statement of every migration.
    name: 'rasdb_plan_own_snapshot',
    text: `WITH held AS (
       SELECT relation::int8 AS oid, mode, granted FROM pg_locks
        WHERE pid = pg_backend_pid() AND locktype = 'relation' AND relation >= 16384
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))
     SELECT (SELECT coalesce(json_agg(json_build_array(oid, mode, granted)), '[]') FROM held) AS locks,
            (SELECT coalesce(json_agg(json_build_array(c.oid::int8, c.relfilenode::int8, pg_stat_get_xact_numscans(c.oid))), '[]')
               FROM pg_class c WHERE c.oid = ANY($1::oid[])) AS state,
            (SELECT coalesce(json_agg(${NAMED}), '[]') FROM ${NAMED_FROM}
              WHERE c.oid IN (SELECT oid FROM held) AND NOT c.oid = ANY($2::oid[]) AND ${USER_RELATION}) AS named`,
    values: [watched, known],
  });
  const { locks, state, named } = rows[0];
  return {
    locks: locks.flatMap(([oid, mode, granted]) => (isLockMode(mode) ? [{ oid, mode, granted }] : [])),
    state: new Map(state.map(([oid, relfilenode, scans]) => [oid, { relfilenode, scans }])),
    named: named.map(toInfo),
  };
}

/**
 * The relation locks another backend holds or waits for, and whether `holder` is what it waits on.
 *
 * @example
 * const { locks, blockedByHolder } = await locksOf(watcher, migrationPid, holderPid);
 */
export async function locksOf(
  watcher: pg.Client,
  pid: number,
  holder: number | undefined,
): Promise<{ locks: HeldLock[]; blockedByHolder: boolean }> {
  const { rows } = await watcher.query<{ locks: [number, string, boolean][]; blocked: boolean }>(
    `SELECT (SELECT coalesce(json_agg(json_build_array(relation::int8, mode, granted)), '[]') FROM pg_locks
              WHERE pid = $1 AND locktype = 'relation' AND relation >= 16384
                AND database = (SELECT oid FROM pg_database WHERE datname = current_database())) AS locks,
            coalesce($2::int = ANY(pg_blocking_pids($1)), false) AS blocked`,
    [pid, holder ?? null],
  );
  return {
    locks: rows[0].locks.flatMap(([oid, mode, granted]) => (isLockMode(mode) ? [{ oid, mode, granted }] : [])),
    blockedByHolder: rows[0].blocked,
  };
}
