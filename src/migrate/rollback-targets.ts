import { ExitCode, RasdbError } from '../errors.js';
import type { MigrationFile } from './migration-files.js';
import type { MigrationPlan } from './plan.js';

/**
 * The applied migrations a rollback keeping phases 0 to `phase` reverts, newest first (-1: all).
 * Refuses (exit 4) to revert one that `baseline` recorded: rasdb did not create those tables.
 *
 * @example
 * revertTargets(await planMigrations(client, files), 2).map((f) => f.name) // ['4004-...', ..., '3001-...']
 */
export function revertTargets(plan: MigrationPlan, phase: number): MigrationFile[] {
  const fileByName = new Map(plan.files.map((file) => [file.name, file]));
  const toRevert = plan.applied
    .filter((entry) => entry.phase > phase)
    .sort((a, b) => b.phase - a.phase || b.name.localeCompare(a.name));
  const baselined = toRevert.filter((entry) => entry.baselined);
  if (baselined.length) {
    throw new RasdbError(
      ExitCode.check,
      `refusing to revert ${baselined.map((e) => e.name).join(', ')}: baseline adopted those tables from an existing database, rasdb did not create them`,
    );
  }
  return toRevert.map((entry) => fileByName.get(entry.name) as MigrationFile);
}
