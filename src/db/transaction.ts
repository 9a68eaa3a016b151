import type pg from 'pg';

export interface TransactionOptions {
  /** `SET LOCAL` assignments sent with the BEGIN, in the same round trip: `lock_timeout = 2000`. */
  readonly settings?: readonly string[];
  /** BEGIN READ ONLY: the server refuses every write. */
  readonly readOnly?: boolean;
  /** Ends the transaction with ROLLBACK even when `work` succeeds: a dry run, a throwaway replay. */
  readonly rollback?: boolean;
}

/**
 * Runs `work` in a transaction on `client`: COMMIT when it resolves, ROLLBACK when it throws (the
 * error propagates; a failing ROLLBACK on a broken connection does not hide it).
 *
 * @example
 * const id = await withTransaction(client, async () => (await client.query('INSERT ... RETURNING id')).rows[0].id);
 */
export async function withTransaction<T>(
  client: pg.Client,
  work: () => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  await client.query(beginStatement(options));
  let result: T;
  try {
    result = await work();
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  await client.query(options.rollback ? 'ROLLBACK' : 'COMMIT');
  return result;
}

/**
 * Statements without parameters run as one transaction in one round trip (BEGIN, them, COMMIT as
 * one simple query). On a failure the transaction is rolled back and the error thrown.
 *
 * @example
 * await oneTripTransaction(client, ['CREATE TABLE a (id int)', 'CREATE TABLE b (id int)']);
 */
export async function oneTripTransaction(client: pg.Client, statements: readonly string[]): Promise<void> {
  try {
    await client.query(['BEGIN', ...statements, 'COMMIT'].join(';\n'));
  } catch (error) {
    // A failed statement leaves the transaction open and aborted; a failed COMMIT has ended it.
    if (client.getTransactionStatus() !== 'I') await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * Errors worth one more try of the same work: a lock wait cut short by lock_timeout, a deadlock,
 * a serialization failure, or a foreign-key violation because a referencing row appeared between
 * the guard that looked for one and the delete (the retry's guard sees it and holds the row back).
 */
const RETRYABLE = new Set(['55P03', '40P01', '40001', '23503']);

/**
 * Runs `work` in a transaction, retrying it from the start with growing pauses (100 ms, 400 ms,
 * 1.6 s...) when it fails for a retryable reason; other errors roll back and propagate.
 *
 * @example
 * const deleted = await retryingTransaction(client, async () => (await client.query('DELETE ...')).rowCount);
 */
export async function retryingTransaction<T>(
  client: pg.Client,
  work: () => Promise<T>,
  settings: readonly string[] = [],
  retries = 4,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await withTransaction(client, work, { settings });
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (attempt >= retries || !code || !RETRYABLE.has(code)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * 4 ** attempt));
    }
  }
}

function beginStatement(options: TransactionOptions): string {
  const begin = options.readOnly ? 'BEGIN READ ONLY' : 'BEGIN';
  return [begin, ...(options.settings ?? []).map((setting) => `SET LOCAL ${setting}`)].join('; ');
}
