import { sql, type Kysely } from 'kysely';
import type { DB } from '../../generated/db.js';
import { ExitCode, RasdbError } from '../errors.js';
import type { AnySeedTable } from './types.js';

const UNIT = '\u001f';

/**
 * The table's rows as the JSON documents planning and writing read: each row's values, its
 * foreign keys resolved from the parents' natural keys to their ids (null while a parent does not
 * exist yet, as in a dry run), and its natural key under `$key`. Rows whose required tables are
 * missing are left out by the caller.
 *
 * @example
 * const json = JSON.stringify(await documentsOf(db, table, table.rows));
 */
export async function documentsOf(
  db: Kysely<DB>,
  table: AnySeedTable,
  rows: AnySeedTable['rows'],
): Promise<Record<string, unknown>[]> {
  assertComplete(table, rows);
  const resolved = new Map<string, Map<string, number>>();
  for (const [column, lookup] of Object.entries(table.lookups)) {
    const wanted = [...new Set(rows.map((row) => (row.parents?.[column] ?? []).join(UNIT)))];
    const keyText = sql.join(lookup.key.map((part) => sql`${sql.ref(part)}::text`));
    const { rows: found } = await sql<{ id: number; natural_key: string }>`
      SELECT id, concat_ws(${UNIT}, ${keyText}) AS natural_key FROM ${sql.table(lookup.table)}
       WHERE concat_ws(${UNIT}, ${keyText}) = ANY(${wanted}::text[])`.execute(db);
    resolved.set(column, new Map(found.map((row) => [row.natural_key, row.id])));
  }
  return rows.map((row) => {
    const document: Record<string, unknown> = { ...row.values, $key: row.key };
    for (const column of Object.keys(table.lookups)) {
      document[column] = resolved.get(column)?.get((row.parents?.[column] ?? []).join(UNIT)) ?? null;
    }
    return document;
  });
}

/**
 * Every row must give every column the seed writes (null when it means null): a column left out
 * would be written as NULL over the table's default, silently. Finding one is a bug in the set.
 */
function assertComplete(table: AnySeedTable, rows: AnySeedTable['rows']): void {
  const columns = [...table.key, ...table.owned, ...table.initial].filter((column) => !(column in table.lookups));
  for (const row of rows) {
    const missing = columns.filter((column) => row.values[column] === undefined);
    if (missing.length) {
      throw new RasdbError(
        ExitCode.failed,
        `internal error: seed row ${table.table} ${row.key} gives no value for ${missing.join(', ')} (this is a bug in rasdb)`,
      );
    }
  }
}
