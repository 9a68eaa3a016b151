import type pg from 'pg';
import { ExitCode, RasdbError } from '../errors.js';
import { MigrationExecutor, runInOrder } from '../migrate/executor.js';
import { executorSettings } from '../migrate/migrate.js';
import type { MigrationFile } from '../migrate/migration-files.js';
import type { PartitionTableRecord } from '../ledger/partitions.js';
import { enablePartitioning } from '../partition/enable.js';

/**
 * Runs the `up` of each migration, in the order given, on a scratch database, by the same executor
 * as `migrate` (each in a transaction unless it opts out) but without a ledger: the scratch
 * database is thrown away. Stops at the first failure with exit 1: a migration that fails on an
 * empty database cannot be the source of the live one.
 *
 * @example
 * await replayMigrations(scratchClient, files.filter((f) => appliedNames.has(f.name)));
 */
export async function replayMigrations(client: pg.Client, files: readonly MigrationFile[]): Promise<void> {
  // A scratch database is thrown away: waiting for each commit to reach the disk buys nothing.
  await client.query('SET synchronous_commit = off');
  const executor = new MigrationExecutor(client, { ...executorSettings({}), ledger: null });
  const failed = (await runInOrder(executor, files, 'up')).find((step) => step.status === 'Error');
  if (failed) {
    throw new RasdbError(
      ExitCode.failed,
      `replaying ${failed.name} on the scratch database failed: ${failed.error?.message}; it does not apply to an empty database`,
      { migration: failed.name },
    );
  }
}

/**
 * Partitions, on the scratch database, each table the live ledger records as partitioned, by the
 * same `partition enable` (on the scratch's empty table: the one-transaction swap), so that its
 * parent compares with the live one: keys, indexes, foreign keys, defaults.
 *
 * @example
 * await replayPartitioning(scratchClient, await readPartitionTables(liveClient));
 */
export async function replayPartitioning(client: pg.Client, records: readonly PartitionTableRecord[]): Promise<void> {
  for (const record of records) {
    if (record.state !== 'partitioned') continue;
    await enablePartitioning(client, record.table, {
      interval: record.interval,
      premake: 1,
      timeZone: 'UTC',
      lockWaitMs: 0,
    });
  }
}
