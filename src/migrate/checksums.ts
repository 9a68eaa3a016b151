import type pg from 'pg';
import { ExitCode, RasdbError } from '../errors.js';
import { compileUp } from './compile.js';
import { actor, type AppliedMigration } from './ledger.js';
import type { MigrationFile } from './migration-files.js';

/** An applied migration whose file no longer compiles to the SQL that was applied. */
export interface ChecksumMismatch {
  name: string;
  phase: number;
  recorded: string;
  current: string;
}

/** The checksum a migration file has now: SHA-256 of the SQL its `up` compiles to. */
export async function currentChecksum(file: MigrationFile): Promise<string> {
  return (await compileUp(file)).checksum;
}

/**
 * Compares every applied migration with its file. Only the compiled SQL counts, so changes of
 * white space, comments or line endings are not mismatches; a changed column type is.
 *
 * @example
 * const mismatches = await findMismatches(plan.applied, plan.files); // [] when nothing changed
 */
export async function findMismatches(applied: readonly AppliedMigration[], files: readonly MigrationFile[]): Promise<ChecksumMismatch[]> {
  const byName = new Map(files.map((file) => [file.name, file]));
  const mismatches: ChecksumMismatch[] = [];
  for (const entry of applied) {
    const file = byName.get(entry.name);
    if (!file) continue; // reported as a missing file by planMigrations
    const current = await currentChecksum(file);
    if (current !== entry.checksum) mismatches.push({ name: entry.name, phase: entry.phase, recorded: entry.checksum, current });
  }
  return mismatches;
}

/** The error `migrate` stops with when an applied migration has changed. */
export function mismatchError(mismatches: readonly ChecksumMismatch[]): RasdbError {
  const names = mismatches.map((m) => m.name).join(', ');
  return new RasdbError(
    ExitCode.check,
    `${mismatches.length === 1 ? 'an applied migration has' : 'applied migrations have'} changed since ${mismatches.length === 1 ? 'it was' : 'they were'} applied: ${names}; restore the file, or accept the change with rasdb repair --accept ${mismatches[0].name}`,
    { mismatches },
  );
}

/**
 * Records that an applied migration's file changed on purpose: the ledger takes the file's new
 * checksum, and the history keeps who, when, the old and the new checksum.
 */
export async function acceptChecksum(client: pg.Client, entry: AppliedMigration, current: string): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('UPDATE rasdb.migrations SET checksum = $2 WHERE name = $1', [entry.name, current]);
    await client.query(
      `INSERT INTO rasdb.migration_events (name, phase, event, actor, old_checksum, new_checksum)
       VALUES ($1, $2, 'repaired', current_user || ' (' || $3 || ')', $4, $5)`,
      [entry.name, entry.phase, actor(), entry.checksum, current],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
