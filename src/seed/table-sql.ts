import { sql, type RawBuilder } from 'kysely';
import type { AnySeedTable } from './types.js';

/**
 * SQL pieces shared by planning and writing a table. The seed's rows travel as one JSON document
 * and become typed rows of the target table with `jsonb_populate_record`, so every value is cast
 * by PostgreSQL itself (varchar lengths, numeric scales, arrays) exactly as the table stores it,
 * and a hash of the seed's values can be compared with a hash of the stored ones. Identifiers come
 * from the set definitions and are quoted by Kysely, never spliced in.
 */

/**
 * `incoming(ord, seed_key, <every column of the table>)`: the seed's rows in file order.
 *
 * @example
 * sql`WITH ${incoming(table, json)} SELECT count(*) FROM incoming`
 */
export function incoming(table: AnySeedTable, documents: string): RawBuilder<unknown> {
  return sql`incoming AS (
    SELECT e.ord, e.doc->>'$key' AS seed_key, i.*
      FROM jsonb_array_elements(${documents}::jsonb) WITH ORDINALITY AS e(doc, ord)
     CROSS JOIN LATERAL jsonb_populate_record(NULL::${sql.table(table.table)}, e.doc) AS i)`;
}

/** md5 of the row's owned columns as PostgreSQL prints them; a constant when the seed owns none. */
export function rowHash(alias: string, columns: readonly string[]): RawBuilder<string> {
  if (columns.length === 0) return sql<string>`md5('()')`;
  return sql<string>`md5(ROW(${sql.join(columns.map((column) => sql.ref(`${alias}.${column}`)))})::text)`;
}

/** `t.k1 = n.k1 AND t.k2 = n.k2`: a NULL key (an unresolved parent) matches nothing. */
export function keyMatch(table: AnySeedTable, target: string, source: string): RawBuilder<boolean> {
  return sql<boolean>`${sql.join(
    table.key.map((column) => sql`${sql.ref(`${target}.${column}`)} = ${sql.ref(`${source}.${column}`)}`),
    sql` AND `,
  )}`;
}

/** The names of the owned columns whose stored value differs from the seed's. */
export function differingColumns(table: AnySeedTable, target: string, source: string): RawBuilder<string[]> {
  if (table.owned.length === 0) return sql<string[]>`ARRAY[]::text[]`;
  const checks = table.owned.map(
    (column) =>
      sql`CASE WHEN ${sql.ref(`${target}.${column}`)} IS DISTINCT FROM ${sql.ref(`${source}.${column}`)} THEN ${column}::text END`,
  );
  return sql<string[]>`array_remove(ARRAY[${sql.join(checks)}]::text[], NULL)`;
}
