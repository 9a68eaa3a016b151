import { sql, type Kysely } from 'kysely';
import type { DB } from '../../generated/db.js';
import type { TablePlan } from './plan-table.js';
import { trackWritten } from '../ledger/seed-rows.js';
import { incoming, keyMatch, rowHash } from './table-sql.js';
import type { AnySeedTable } from './types.js';

/**
 * Carries out a table's plan: inserts the missing rows (in file order, so ids are the same on
 * every fresh database), updates the seed's own rows whose values the seed changed, and records
 * what it wrote in the ledger, each in one statement. Rows planned `unchanged` or `kept` are not
 * touched, so their `xmin` and `updated_at` stay as they were. Each statement re-checks its
 * condition (no row with the key; the row still as the seed left it), so an edit made between
 * planning and writing is never overwritten.
 *
 * @example
 * await writeTable(db, table, JSON.stringify(documents), plan, 'controls');
 */
export async function writeTable(
  db: Kysely<DB>,
  table: AnySeedTable,
  documents: string,
  plan: TablePlan,
  setName: string,
): Promise<void> {
  const from = incoming(table, documents);
  const inserts = plan.rows.filter((row) => row.action === 'insert').map((row) => row.key);
  if (inserts.length) {
    const columns = [...new Set([...table.key, ...table.owned, ...table.initial])];
    await sql`WITH ${from}, written AS (
        INSERT INTO ${sql.table(table.table)} (${sql.join(columns.map((column) => sql.ref(column)))})
        SELECT ${sql.join(columns.map((column) => sql.ref(`n.${column}`)))} FROM incoming n
         WHERE n.seed_key = ANY(${inserts}::text[])
           AND NOT EXISTS (SELECT 1 FROM ${sql.table(table.table)} t WHERE ${keyMatch(table, 't', 'n')})
         ORDER BY n.ord
        RETURNING 1)
      ${trackWritten(table.table, setName, inserts, rowHash('incoming', table.owned))}`.execute(db);
  }
  const updates = plan.rows.filter((row) => row.action === 'update').map((row) => row.key);
  if (updates.length) {
    const assignments = table.owned.map((column) => sql`${sql.ref(column)} = ${sql.ref(`n.${column}`)}`);
    if (table.stamp) assignments.push(sql`${sql.ref(table.stamp)} = (now() AT TIME ZONE 'UTC')`);
    await sql`WITH ${from}, written AS (
        UPDATE ${sql.table(table.table)} AS t SET ${sql.join(assignments)}
          FROM incoming n JOIN rasdb.seed_rows r ON r.table_name = ${table.table} AND r.natural_key = n.seed_key
         WHERE ${keyMatch(table, 't', 'n')} AND n.seed_key = ANY(${updates}::text[]) AND r.row_hash = ${rowHash('t', table.owned)}
        RETURNING n.seed_key)
      ${trackWritten(table.table, setName, 'written', rowHash('incoming', table.owned))}`.execute(db);
  }
  if (plan.retrack) {
    await sql`WITH ${from}, written AS (
        SELECT n.seed_key FROM incoming n
          JOIN ${sql.table(table.table)} t ON ${keyMatch(table, 't', 'n')}
          JOIN rasdb.seed_rows r ON r.table_name = ${table.table} AND r.natural_key = n.seed_key
         WHERE ${rowHash('t', table.owned)} = ${rowHash('n', table.owned)} AND r.row_hash <> ${rowHash('n', table.owned)})
      ${trackWritten(table.table, setName, 'written', rowHash('incoming', table.owned))}`.execute(db);
  }
}
