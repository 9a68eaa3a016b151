import type pg from 'pg';
import { kyselyOn } from '../db/single-client-pool.js';
import { ExitCode, RasdbError } from '../errors.js';
import type { MigrationFile } from '../migrate/migration-files.js';

/**
 * Runs the `up` of each migration, in the order given, on a scratch database: each in a
 * transaction unless it opts out (as `migrate` does), and without a ledger, timeouts or retries,
 * which change nothing in the schema. Stops at the first failure with exit 1: a migration that
 * fails on an empty database cannot be the source of the live one.
 *
 * @example
 * await replayMigrations(scratchClient, files.filter((f) => appliedNames.has(f.name)));
 */
export async function replayMigrations(client: pg.Client, files: readonly MigrationFile[]): Promise<void> {
  const db = kyselyOn(client);
  // A scratch database is thrown away: waiting for each commit to reach the disk buys nothing.
  await client.query('SET synchronous_commit = off');
  for (const file of files) {
    const module = await file.load();
    const transactional = module.transactional !== false;
    try {
      if (transactional) await client.query('BEGIN');
      await module.up(db);
      if (transactional) await client.query('COMMIT');
    } catch (error) {
      if (transactional) await client.query('ROLLBACK').catch(() => undefined);
      const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
      throw new RasdbError(ExitCode.failed, `replaying ${file.name} on the scratch database failed: ${reason}; it does not apply to an empty database`, {
        migration: file.name,
      });
    }
  }
}
