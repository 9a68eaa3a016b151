import type pg from 'pg';
import { ExitCode, RasdbError } from '../errors.js';
import { readApplied, type AppliedMigration } from '../ledger/migrations.js';
import { MAX_PHASE, type MigrationFile } from './migration-files.js';

/** What the ledger and the migrations folder say together. */
export interface MigrationPlan {
  readonly files: readonly MigrationFile[];
  readonly applied: readonly AppliedMigration[];
  /** Not applied yet and within the target phase, in the order they will run. */
  readonly pending: readonly MigrationFile[];
  /** The highest phase whose migrations, and those of every phase below it, are all applied; -1 for none. */
  readonly currentPhase: number;
}

/**
 * Compares the migrations on disk with the ledger. Refuses (exit 4) when the ledger names a
 * migration that has no file: that database was migrated by another version of the project.
 *
 * @example
 * const plan = await planMigrations(client, listMigrations(dir), 2); // pending of phases 0..2
 */
export async function planMigrations(
  client: pg.Client,
  files: readonly MigrationFile[],
  targetPhase: number = MAX_PHASE,
  known?: readonly AppliedMigration[],
): Promise<MigrationPlan> {
  const applied = known ? [...known] : await readApplied(client);
  const byName = new Set(files.map((file) => file.name));
  const missing = applied.filter((entry) => !byName.has(entry.name));
  if (missing.length) {
    const names = missing.map((entry) => entry.name).join(', ');
    throw new RasdbError(
      ExitCode.check,
      `the ledger lists ${missing.length === 1 ? 'a migration' : 'migrations'} with no file here (${names}); run the rasdb version that applied ${missing.length === 1 ? 'it' : 'them'}, or restore the files`,
      { missing: missing.map((entry) => entry.name) },
    );
  }
  const done = new Set(applied.map((entry) => entry.name));
  const pending = files.filter((file) => file.phase <= targetPhase && !done.has(file.name));
  return { files, applied, pending, currentPhase: currentPhase(files, done) };
}

export function currentPhase(files: readonly MigrationFile[], done: ReadonlySet<string>): number {
  let phase = -1;
  for (let candidate = 0; candidate <= MAX_PHASE; candidate++) {
    const ofPhase = files.filter((file) => file.phase === candidate);
    if (ofPhase.length === 0 || !ofPhase.every((file) => done.has(file.name))) break;
    phase = candidate;
  }
  return phase;
}
