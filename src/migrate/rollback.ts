import type pg from 'pg';
import { LockKey, withAdvisoryLock } from '../db/advisory-lock.js';
import { ExitCode, option, RasdbError } from '../errors.js';
import { ensureLedger } from '../ledger/upgrade.js';
import { rasdbVersion } from '../version.js';
import { compileMigration } from './compile.js';
import { MigrationExecutor, runInOrder, type StepResult } from './executor.js';
import { defaultMigrationsDir, listMigrations, type MigrationFile } from './migration-files.js';
import { currentPhase, planMigrations } from './plan.js';
import { DEFAULTS, executorSettings, type ExecutionOptions } from './migrate.js';

export interface RollbackOptions extends ExecutionOptions {
  /** Keep phases up to and including this one; -1 reverts everything rasdb applied. */
  phase: number;
  force?: boolean;
  migrationsDir?: string;
}

export interface TableRows {
  table: string;
  rows: number;
}

export interface RollbackResult {
  targetPhase: number;
  phaseBefore: number;
  phaseAfter: number;
  /** Tables the reverted migrations drop, with the rows they held. */
  droppedTables: TableRows[];
  steps: StepResult[];
  failed?: StepResult;
}

/**
 * Reverts every applied migration of the phases above `phase`, newest first, each in its own
 * transaction with its ledger row, by the same executor as migrate (timeouts, lock retries naming
 * the blockers, failures kept in the history). Refuses (exit 4) when a table it would drop holds rows, unless
 * `force`; never reverts a migration that `baseline` recorded (rasdb did not create those tables).
 *
 * @example
 * await rollback(client, { phase: 2 }); // phases 3 and 4 reverted, 0-2 kept
 */
export async function rollback(client: pg.Client, options: RollbackOptions): Promise<RollbackResult> {
  const files = listMigrations(options.migrationsDir ?? defaultMigrationsDir());
  return withAdvisoryLock(client, LockKey.migrate, options.lockWaitMs ?? DEFAULTS.lockWaitMs, async () => {
    await ensureLedger(client);
    const plan = await planMigrations(client, files);
    const fileByName = new Map(files.map((file) => [file.name, file]));
    const toRevert = plan.applied
      .filter((entry) => entry.phase > options.phase)
      .sort((a, b) => b.phase - a.phase || b.name.localeCompare(a.name));
    const baselined = toRevert.filter((entry) => entry.baselined);
    if (baselined.length) {
      throw new RasdbError(
        ExitCode.check,
        `refusing to revert ${baselined.map((e) => e.name).join(', ')}: baseline adopted those tables from an existing database, rasdb did not create them`,
      );
    }
    const targets = toRevert.map((entry) => fileByName.get(entry.name) as MigrationFile);
    const droppedTables = await rowsInDroppedTables(client, targets);
    const nonEmpty = droppedTables.filter((t) => t.rows > 0);
    if (nonEmpty.length && !options.force) {
      const list = nonEmpty.map((t) => `${t.table} (${t.rows} ${t.rows === 1 ? 'row' : 'rows'})`).join(', ');
      throw new RasdbError(ExitCode.check, `rollback would drop tables that hold rows: ${list}; back them up, then run again with ${option('force')}`, {
        tables: nonEmpty,
      });
    }
    const executor = new MigrationExecutor(client, { ...executorSettings(options), ledger: { rasdbVersion: rasdbVersion() } });
    const steps = await runInOrder(executor, targets, 'down', options.onStep);
    const done = new Set(plan.applied.map((e) => e.name));
    for (const step of steps) if (step.status === 'Success') done.delete(step.name);
    return {
      targetPhase: options.phase,
      phaseBefore: plan.currentPhase,
      phaseAfter: currentPhase(files, done),
      droppedTables,
      steps,
      failed: steps.find((s) => s.status === 'Error'),
    };
  });
}

/** The tables the `down` of each migration drops, and how many rows each holds now. */
async function rowsInDroppedTables(client: pg.Client, files: MigrationFile[]): Promise<TableRows[]> {
  const tables: string[] = [];
  for (const file of files) {
    for (const statement of await compileMigration(await file.load(), 'down')) {
      const match = /^drop table (?:if exists )?"?([\w]+)"?(?:\."?([\w]+)"?)?/i.exec(statement.trim());
      if (match) tables.push(match[2] ?? match[1]);
    }
  }
  const result: TableRows[] = [];
  for (const table of tables) {
    const exists = await client.query('SELECT to_regclass($1) IS NOT NULL AS present', [client.escapeIdentifier(table)]);
    if (!exists.rows[0].present) continue;
    const { rows } = await client.query(`SELECT count(*)::bigint AS n FROM ${client.escapeIdentifier(table)}`);
    result.push({ table, rows: Number(rows[0].n) });
  }
  return result;
}
