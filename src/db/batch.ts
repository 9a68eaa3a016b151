import type pg from 'pg';

/**
 * Statements without parameters sent as one simple query: one round trip, run in one implicit
 * transaction (one snapshot, one `now()`), a result each in their order. The first that fails
 * ends the batch and nothing of it is returned.
 *
 * @example
 * const [version, zones] = await queryBatch(client, ['SELECT version FROM rasdb.ledger_info', 'SELECT 1']);
 */
export async function queryBatch(client: pg.Client, statements: readonly string[]): Promise<pg.QueryResult[]> {
  // pg types a query's result as one result; a simple query of several statements gives a list.
  const results: pg.QueryResult | pg.QueryResult[] = await client.query(statements.join(';\n'));
  return Array.isArray(results) ? results : [results];
}
