/** The smallest client these reads need: a pg `Client`, `Pool` or `PoolClient` fits. */
interface QueryClient {
  query(text: string, values?: unknown[]): Promise<{ rows: any[] }>;
}

/** What PostgreSQL does to referencing rows when a referenced row is deleted (pg_constraint.confdeltype). */
export type DeleteAction = 'no action' | 'restrict' | 'cascade' | 'set null' | 'set default';

/** A foreign key of any table, in any schema, that points at a table. */
export interface CatalogReference {
  /** The table the key points at, as asked for. */
  readonly referenced: string;
  readonly constraint: string;
  readonly schema: string;
  readonly table: string;
  /** The referencing columns, in key order. */
  readonly columns: readonly string[];
  /** The columns of the referenced table they match, in the same order. */
  readonly referencedColumns: readonly string[];
  readonly onDelete: DeleteAction;
}

const ACTIONS: Readonly<Record<string, DeleteAction>> = {
  a: 'no action',
  r: 'restrict',
  c: 'cascade',
  n: 'set null',
  d: 'set default',
};

// A key on a partitioned table is cloned onto each partition (conparentid set): the parent's
// constraint stands for all of them. Column arrays keep the key's order through WITH ORDINALITY.
const REFERENCES_SQL = `
  SELECT t.name AS referenced, c.conname AS constraint, n.nspname AS schema, r.relname AS table, c.confdeltype AS action,
         ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, i)
                 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.i) AS columns,
         ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, i)
                 JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum ORDER BY k.i) AS referenced_columns
    FROM unnest($1::text[]) AS t(name)
    JOIN pg_constraint c ON c.confrelid = to_regclass(quote_ident(t.name)) AND c.contype = 'f' AND c.conparentid = 0
    JOIN pg_class r ON r.oid = c.conrelid
    JOIN pg_namespace n ON n.oid = r.relnamespace
   ORDER BY t.name, n.nspname COLLATE "C", r.relname COLLATE "C", c.conname COLLATE "C"`;

/**
 * Every foreign key that points at one of `tables` (names as the search path finds them), from
 * any table of any schema, read from the catalog at the time of the call: what keeps a row of
 * those tables from being deleted, whoever created the key.
 *
 * @example
 * (await readReferences(client, ['integration_operations'])).get('integration_operations')?.map((r) => r.table)
 * // ['api_call_logs', 'integration_operations', 'sync_conflicts']
 */
export async function readReferences(
  client: QueryClient,
  tables: readonly string[],
): Promise<Map<string, CatalogReference[]>> {
  const result = new Map<string, CatalogReference[]>(tables.map((t) => [t, []]));
  const { rows } = await client.query(REFERENCES_SQL, [tables]);
  for (const row of rows) {
    result.get(row.referenced)?.push({
      referenced: row.referenced,
      constraint: row.constraint,
      schema: row.schema,
      table: row.table,
      columns: row.columns,
      referencedColumns: row.referenced_columns,
      onDelete: ACTIONS[row.action] ?? 'no action',
    });
  }
  return result;
}
