import { ExitCode, RasdbError } from '../errors.js';
import { compileSql } from './compile.js';
import type { AppliedMigration } from '../ledger/migrations.js';
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
  return (await compileSql(file)).checksum;
}

/**
 * Compares every applied migration with its file. Only the compiled SQL counts, so changes of
 * white space, comments or line endings are not mismatches; a changed column type is.
 *
 * @example
 * const mismatches = await findMismatches(plan.applied, plan.files); // [] when nothing changed
 */
export async function findMismatches(
  applied: readonly AppliedMigration[],
  files: readonly MigrationFile[],
): Promise<ChecksumMismatch[]> {
  const byName = new Map(files.map((file) => [file.name, file]));
  const mismatches: ChecksumMismatch[] = [];
  for (const entry of applied) {
    const file = byName.get(entry.name);
    if (!file) continue; // reported as a missing file by planMigrations
    const current = await currentChecksum(file);
    if (current !== entry.checksum)
      mismatches.push({ name: entry.name, phase: entry.phase, recorded: entry.checksum, current });
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
