import type pg from 'pg';
import { legacyName } from './bounds.js';
import { literal } from './sql-text.js';

/**
 * What a partition made later takes from the table it was adopted from, since a partitioned
 * parent can hold neither: the storage parameters (`fillfactor`, autovacuum's, and TOAST's as
 * `toast.*`) and the replica identity logical replication reads. An identity USING INDEX names an
 * index of the old heap that a new partition does not have; it gets the default (its primary key).
 */
export interface PartitionStorage {
  /** `name=value` as pg_class.reloptions spells them, TOAST's prefixed `toast.`. */
  readonly options: readonly string[];
  /** pg_class.relreplident: d default, n nothing, f full, i an index. */
  readonly replicaIdentity: 'd' | 'n' | 'f' | 'i';
}

export const DEFAULT_STORAGE: PartitionStorage = { options: [], replicaIdentity: 'd' };

/**
 * The storage as the catalog columns give it.
 *
 * @example
 * storageFrom(['fillfactor=90'], ['autovacuum_enabled=false'], 'f') // { options: ['fillfactor=90', 'toast.autovacuum_enabled=false'], replicaIdentity: 'f' }
 */
export function storageFrom(
  reloptions: readonly string[] | null,
  toastOptions: readonly string[] | null,
  replicaIdentity: string,
): PartitionStorage {
  return {
    options: [...(reloptions ?? []), ...(toastOptions ?? []).map((o) => `toast.${o}`)],
    replicaIdentity:
      replicaIdentity === 'n' || replicaIdentity === 'f' || replicaIdentity === 'i' ? replicaIdentity : 'd',
  };
}

/**
 * ` WITH (...)` for a CREATE TABLE of a partition, or nothing. Names are checked, values quoted.
 *
 * @example
 * withClause({ options: ['fillfactor=90'], replicaIdentity: 'd' }) // " WITH (fillfactor = '90')"
 */
export function withClause(storage: PartitionStorage): string {
  if (!storage.options.length) return '';
  const pairs = storage.options.map((option) => {
    const at = option.indexOf('=');
    const name = option.slice(0, at);
    if (at < 1 || !/^(toast\.)?[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bug: storage parameter ${option}`);
    return `${name} = ${literal(option.slice(at + 1))}`;
  });
  return ` WITH (${pairs.join(', ')})`;
}

/**
 * The statement that gives `relation` the identity, when it is FULL or NOTHING (the others are
 * what a new table has, or cannot carry over).
 *
 * @example
 * identityStatement('"api_call_logs_p202612"', { options: [], replicaIdentity: 'f' }) // 'ALTER TABLE "api_call_logs_p202612" REPLICA IDENTITY FULL'
 */
export function identityStatement(relation: string, storage: PartitionStorage): string | null {
  if (storage.replicaIdentity === 'f') return `ALTER TABLE ${relation} REPLICA IDENTITY FULL`;
  if (storage.replicaIdentity === 'n') return `ALTER TABLE ${relation} REPLICA IDENTITY NOTHING`;
  return null;
}

/** The SQL that reads a relation's storage columns by its oid ($1) as `options`, `toast_options`, `identity`. */
export const STORAGE_COLUMNS = `c.reloptions AS options, (SELECT t.reloptions FROM pg_class t WHERE t.oid = c.reltoastrelid) AS toast_options,
            c.relreplident::text AS identity`;

/**
 * The storage of `table`'s adopted heap (its DEFAULT partition), which every partition made after
 * the swap copies; the default when it is not there.
 *
 * @example
 * (await readPartitionStorage(client, 'api_call_logs')).replicaIdentity // 'f'
 */
export async function readPartitionStorage(client: pg.Client, table: string): Promise<PartitionStorage> {
  const { rows } = await client.query<{ options: string[] | null; toast_options: string[] | null; identity: string }>(
    `SELECT ${STORAGE_COLUMNS} FROM pg_class c WHERE c.relname = $1 AND c.relnamespace = 'public'::regnamespace`,
    [legacyName(table)],
  );
  return rows.length ? storageFrom(rows[0].options, rows[0].toast_options, rows[0].identity) : DEFAULT_STORAGE;
}
