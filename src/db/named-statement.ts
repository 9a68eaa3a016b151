import { createHash } from 'node:crypto';

/**
 * `text` as a named statement: PostgreSQL parses it (and rewrites the views it reads) once per
 * connection, and may keep one plan for it, instead of doing so on every call. The name comes
 * from the text, so one text has one name on every connection. For statements a long-lived
 * client repeats (the catalogue reads of a report); the values are still passed on every call.
 * A pooler that hands each transaction another server connection must keep protocol-level
 * prepared statements (PgBouncer 1.21+ with max_prepared_statements); so only the report's two
 * catalogue statements use it, not the statements every command runs.
 *
 * @example
 * await client.query({ ...named('SELECT version FROM rasdb.ledger_info'), values: [] })
 */
export function named(text: string): { name: string; text: string } {
  return { name: `rasdb_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`, text };
}
