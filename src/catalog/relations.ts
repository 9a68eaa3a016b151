/** The smallest client these reads need: a pg `Client`, `Pool` or `PoolClient` fits. */
interface QueryClient {
  query(text: string, values?: unknown[]): Promise<{ rows: any[] }>;
}

export type LooseRelationType = 'view' | 'materialized view' | 'sequence' | 'foreign table';

/** A relation of a schema that is not a table nor part of one (an owned sequence, an index). */
export interface LooseRelation {
  readonly name: string;
  readonly type: LooseRelationType;
}

// Sequences owned by a column (SERIAL, identity) belong to their table and are compared with it.
const LOOSE_SQL = `
  SELECT c.relname AS name,
         CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'S' THEN 'sequence' ELSE 'foreign table' END AS type
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = $1 AND c.relkind IN ('v', 'm', 'S', 'f')
     AND NOT EXISTS (SELECT 1 FROM pg_depend d
                      WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')
                        AND d.refclassid = 'pg_class'::regclass)
   ORDER BY c.relname COLLATE "C"`;

/**
 * The views, materialized views, free-standing sequences and foreign tables of `schema`, sorted by
 * name: what `readCatalog` (tables only) does not see, so that verify can tell which of them the
 * migrations make and which someone added by hand.
 *
 * @example
 * await readLooseRelations(client) // [{ name: 'open_alerts', type: 'view' }]
 */
export async function readLooseRelations(client: QueryClient, schema = 'public'): Promise<LooseRelation[]> {
  return (await client.query(LOOSE_SQL, [schema])).rows.map((row) => ({ name: row.name, type: row.type }));
}
