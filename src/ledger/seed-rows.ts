import { sql, type RawBuilder } from 'kysely';

/**
 * `rasdb.seed_rows` remembers, per table and natural key, a hash of the values a seed wrote. Its
 * writes ride in the same statement as the seed's write to the application table (a CTE), so the
 * two cannot disagree; these are the SQL pieces of that statement that touch the ledger.
 */

/**
 * The ledger's rows, or an empty stand-in when this database's ledger has no seed tables yet.
 *
 * @example
 * sql`... LEFT JOIN ${trackedRows(present)} r ON r.table_name = ${table} AND r.natural_key = n.seed_key`
 */
export function trackedRows(present: boolean): RawBuilder<unknown> {
  return present
    ? sql`rasdb.seed_rows`
    : sql`(SELECT NULL::text AS table_name, NULL::text AS natural_key, NULL::text AS row_hash WHERE false)`;
}

/**
 * Records (or re-records) the hash of what the seed wrote, for the `keys` given or for the keys a
 * `written` CTE returned; the statement must define `incoming(seed_key, ...)`.
 *
 * @example
 * sql`WITH ${from}, written AS (UPDATE ... RETURNING n.seed_key) ${trackWritten('controls_extended', 'controls', 'written', hash)}`
 */
export function trackWritten(
  table: string,
  setName: string,
  keys: readonly string[] | 'written',
  incomingHash: RawBuilder<string>,
): RawBuilder<unknown> {
  const which =
    keys === 'written' ? sql`seed_key IN (SELECT seed_key FROM written)` : sql`seed_key = ANY(${keys}::text[])`;
  return sql`INSERT INTO rasdb.seed_rows (table_name, natural_key, set_name, row_hash)
    SELECT ${table}, seed_key, ${setName}, ${incomingHash} FROM incoming WHERE ${which}
    ON CONFLICT (table_name, natural_key) DO UPDATE SET set_name = excluded.set_name, row_hash = excluded.row_hash`;
}
