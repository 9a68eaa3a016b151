import type pg from 'pg';
import {
  completedLedgerVersion,
  LEDGER_VERSION,
  LEDGER_VERSION_SQL,
  leftToMake,
  type LedgerVersionRow,
} from './upgrade.js';

/** undefined_table: what a statement naming a ledger table not made yet fails with. */
const UNDEFINED_TABLE = '42P01';

/**
 * Runs `write`, a statement on a capability's ledger tables; should one of them be missing because
 * a first `rasdb migrate` left it to be made, makes the tables left (completedLedgerVersion) and
 * runs it again. Costs nothing more once they are made. Inside the caller's transaction, which the
 * failed statement has aborted, the error is the caller's.
 *
 * @example
 * return writingLedger(client, () => client.query('INSERT INTO rasdb.retention_holds ...'));
 */
export async function writingLedger<T>(client: pg.Client, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if ((error as { code?: string }).code !== UNDEFINED_TABLE || client.getTransactionStatus() !== 'I') throw error;
    if ((await completedLedgerVersion(client)) < LEDGER_VERSION) throw error;
    return write();
  }
}

/**
 * The rows of `read`, a query of a capability's ledger tables, or none when they are not made
 * yet because a first `rasdb migrate` left them to be made: a table made later starts empty, and
 * reading it must not make it (a refused command makes nothing). Any other missing table is an
 * error, as is one inside the caller's transaction.
 *
 * @example
 * const rows = await readingLedger(client, () => client.query('SELECT * FROM rasdb.retention_holds'));
 */
export async function readingLedger<R>(client: pg.Client, read: () => Promise<{ rows: R[] }>): Promise<R[]> {
  try {
    return (await read()).rows;
  } catch (error) {
    if ((error as { code?: string }).code !== UNDEFINED_TABLE || client.getTransactionStatus() !== 'I') throw error;
    const state = await client
      .query<LedgerVersionRow>(LEDGER_VERSION_SQL)
      .then((result) => result.rows[0])
      .catch(() => undefined);
    if (!leftToMake(state)) throw error;
    return [];
  }
}
