import type pg from 'pg';

/**
 * Errors worth one more try of the same batch: a lock wait cut short by lock_timeout, a deadlock,
 * or a foreign-key violation because a referencing row appeared between the guard that looked for
 * one and the delete (the retry's guard sees it and holds the row back).
 */
const RETRYABLE = new Set(['55P03', '40P01', '40001', '23503']);

/**
 * Runs `work` in a transaction, retrying it from the start with growing pauses (100 ms, 400 ms,
 * 1.6 s...) when it fails for a retryable reason; other errors roll back and propagate.
 * `settings` are SET LOCAL statements sent with the BEGIN, in the same round trip.
 *
 * @example
 * const deleted = await retryingTransaction(client, async () => (await client.query('DELETE ...')).rowCount);
 */
export async function retryingTransaction<T>(client: pg.Client, work: () => Promise<T>, settings: readonly string[] = [], retries = 4): Promise<T> {
  const begin = ['BEGIN', ...settings.map((setting) => `SET LOCAL ${setting}`)].join('; ');
  for (let attempt = 0; ; attempt++) {
    await client.query(begin);
    try {
      const result = await work();
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      const code = (error as { code?: string }).code;
      if (attempt >= retries || !code || !RETRYABLE.has(code)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * 4 ** attempt));
    }
  }
}
