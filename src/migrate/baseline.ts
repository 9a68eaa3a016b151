import type pg from 'pg';
import { LockKey, withAdvisoryLock } from '../db/advisory-lock.js';
import { withTransaction } from '../db/transaction.js';
import { rasdbVersion } from '../version.js';
import { phaseZeroChecks, type BaselineCheck } from './baseline-checks.js';
import { currentChecksum } from './checksums.js';
import { recordApplied } from '../ledger/migrations.js';
import { assertLedgerReadable, ensureLedger, ledgerVersion } from '../ledger/upgrade.js';
import { defaultMigrationsDir, listMigrations, type MigrationFile } from './migration-files.js';
import { DEFAULTS } from './migrate.js';
import { planMigrations } from './plan.js';
import { assertCanMigrate } from './preflight.js';
import { compareWithMigrations, type TableDifference } from './baseline-compare.js';

export interface BaselineOptions {
  /** Adopt the tables of phases 0 to this one (default 0). */
  phase?: number;
  migrationsDir?: string;
  lockWaitMs?: number;
}

export interface BaselineResult {
  phase: number;
  checks: BaselineCheck[];
  /** For phases above 0: every way an existing table differs from what its migration would create. */
  differences: TableDifference[];
  /** The migrations recorded as applied without being run; empty when any check failed. */
  recorded: string[];
  adopted: boolean;
}

/**
 * Adopts a live RAS DASH database: checks what the new tables need from the existing ones (and,
 * with `phase` above 0, compares each already-present table with what its migration would create),
 * and only when everything passes records those migrations as applied without running them.
 * Existing tables, their extra columns, indexes and rows are never touched.
 *
 * @example
 * const result = await baseline(client); // result.adopted, result.checks[i].fix
 */
export async function baseline(client: pg.Client, options: BaselineOptions = {}): Promise<BaselineResult> {
  const phase = options.phase ?? 0;
  const files = listMigrations(options.migrationsDir ?? defaultMigrationsDir());
  return withAdvisoryLock(client, LockKey.migrate, options.lockWaitMs ?? DEFAULTS.lockWaitMs, async () => {
    const version = await ledgerVersion(client);
    assertLedgerReadable(version);
    await assertCanMigrate(client, { ledgerExists: version > 0 });
    const applied = version > 0 ? (await planMigrations(client, files)).applied : [];
    const done = new Set(applied.map((entry) => entry.name));
    const toRecord = files.filter((file) => file.phase <= phase && !done.has(file.name));
    const checks = done.size === 0 || toRecord.some((f) => f.phase === 0) ? await phaseZeroChecks(client) : [];
    const differences = phase > 0 ? await compareWithMigrations(client, files, phase) : [];
    const adopted = checks.every((c) => c.passed) && !differences.some((d) => d.blocking);
    if (!adopted || toRecord.length === 0)
      return { phase, checks, differences, recorded: [], adopted: adopted && toRecord.length === 0 };
    await ensureLedger(client);
    await record(client, toRecord);
    return { phase, checks, differences, recorded: toRecord.map((f) => f.name), adopted: true };
  });
}

/** All baselined migrations go in one transaction: the adoption happens whole or not at all. */
async function record(client: pg.Client, files: MigrationFile[]): Promise<void> {
  const version = rasdbVersion();
  await withTransaction(client, async () => {
    for (const file of files) {
      const checksum = await currentChecksum(file);
      await recordApplied(
        client,
        { name: file.name, phase: file.phase, checksum, durationMs: 0, baselined: true },
        version,
      );
    }
  });
}
