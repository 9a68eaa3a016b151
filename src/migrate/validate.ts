import { assertWritable } from './preflight.js';
import type pg from 'pg';
import { LockKey, withAdvisoryLock } from '../db/advisory-lock.js';
import { ExitCode, RasdbError, usageError } from '../errors.js';
import { acceptChecksum } from '../ledger/migrations.js';
import { currentChecksum, findMismatches, type ChecksumMismatch } from './checksums.js';
import { assertLedgerReadable, ledgerVersion } from '../ledger/upgrade.js';
import { defaultMigrationsDir, listMigrations } from './migration-files.js';
import { DEFAULTS } from './migrate.js';
import { planMigrations } from './plan.js';

export interface ValidateResult {
  checked: number;
  mismatches: ChecksumMismatch[];
}

/**
 * Compares each applied migration with its file (by the checksum of the SQL it compiles to).
 * Reads only. The CLI exits 4 when `mismatches` is not empty.
 *
 * @example
 * const { mismatches } = await validate(client); // [] on an untouched project
 */
export async function validate(client: pg.Client, options: { migrationsDir?: string } = {}): Promise<ValidateResult> {
  const files = listMigrations(options.migrationsDir ?? defaultMigrationsDir());
  assertLedgerReadable(await ledgerVersion(client));
  const plan = await planMigrations(client, files);
  return { checked: plan.applied.length, mismatches: await findMismatches(plan.applied, files) };
}

export interface RepairResult {
  name: string;
  changed: boolean;
  oldChecksum: string;
  newChecksum: string;
}

/**
 * Accepts a deliberate change to an applied migration: the ledger records the file's new checksum,
 * and its history who accepted it, when, and the old and new checksums.
 *
 * @example
 * await repair(client, { accept: '1001-integration-configuration' });
 */
export async function repair(
  client: pg.Client,
  options: { accept: string; migrationsDir?: string; lockWaitMs?: number },
): Promise<RepairResult> {
  const files = listMigrations(options.migrationsDir ?? defaultMigrationsDir());
  const file = files.find((f) => f.name === options.accept);
  if (!file) throw usageError(`there is no migration named "${options.accept}"; rasdb status lists them`);
  await assertWritable(client);
  return withAdvisoryLock(client, LockKey.migrate, options.lockWaitMs ?? DEFAULTS.lockWaitMs, async () => {
    assertLedgerReadable(await ledgerVersion(client));
    const plan = await planMigrations(client, files);
    const entry = plan.applied.find((e) => e.name === options.accept);
    if (!entry)
      throw new RasdbError(
        ExitCode.usage,
        `${options.accept} is not applied, so there is no checksum to accept; rasdb migrate applies it`,
      );
    const current = await currentChecksum(file);
    if (current === entry.checksum)
      return { name: entry.name, changed: false, oldChecksum: entry.checksum, newChecksum: current };
    await acceptChecksum(client, entry, current);
    return { name: entry.name, changed: true, oldChecksum: entry.checksum, newChecksum: current };
  });
}
