import type pg from 'pg';
import { LockKey, withAdvisoryLock } from '../db/advisory-lock.js';
import { kyselyOn } from '../db/single-client-pool.js';
import { ExitCode, RasdbError, isPgServerError } from '../errors.js';
import type { StepResult } from './apply.js';
import { compileMigration } from './compile.js';
import { recordReverted } from '../ledger/migrations.js';
import { ensureLedger } from '../ledger/upgrade.js';
import { defaultMigrationsDir, listMigrations, type MigrationFile } from './migration-files.js';
import { currentPhase, planMigrations } from './plan.js';
import { DEFAULTS } from './migrate.js';

export interface RollbackOptions {
  /** Keep phases up to and including this one; -1 reverts everything rasdb applied. */
  phase: number;
  force?: boolean;
  migrationsDir?: string;
  lockWaitMs?: number;
  lockTimeoutMs?: number;
  onStep?: (step: StepResult) => void;
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
 * transaction with its ledger row. Refuses (exit 4) when a table it would drop holds rows, unless
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
      throw new RasdbError(ExitCode.check, `rollback would drop tables that hold rows: ${list}; back them up, then run again with --force`, {
        tables: nonEmpty,
      });
    }
    const steps = await revert(client, targets, options);
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

async function revert(client: pg.Client, targets: MigrationFile[], options: RollbackOptions): Promise<StepResult[]> {
  const db = kyselyOn(client);
  const steps: StepResult[] = [];
  for (const file of targets) {
    if (steps.some((s) => s.status === 'Error')) {
      steps.push({ name: file.name, phase: file.phase, status: 'NotExecuted' });
      continue;
    }
    const module = await file.load();
    const started = performance.now();
    let step: StepResult;
    try {
      if (!module.down) throw new Error(`${file.name} has no down(db); it cannot be reverted`);
      await client.query('BEGIN');
      await client.query(`SET LOCAL lock_timeout = ${Math.trunc(options.lockTimeoutMs ?? DEFAULTS.lockTimeoutMs)}`);
      await module.down(db);
      const durationMs = Math.round(performance.now() - started);
      await recordReverted(client, { name: file.name, phase: file.phase, durationMs });
      await client.query('COMMIT');
      step = { name: file.name, phase: file.phase, status: 'Success', durationMs };
    } catch (cause) {
      await client.query('ROLLBACK').catch(() => undefined);
      const message = (cause instanceof Error ? cause.message : String(cause)).split('\n')[0];
      step = { name: file.name, phase: file.phase, status: 'Error', error: { message, sqlstate: isPgServerError(cause) ? cause.code : undefined } };
    }
    steps.push(step);
    options.onStep?.(step);
  }
  return steps;
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
