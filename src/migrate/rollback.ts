import type pg from 'pg';
import { LockKey, withAdvisoryLock } from '../db/advisory-lock.js';
import { assertWritable } from './preflight.js';
import { RasdbError } from '../errors.js';
import { assertLedgerReadable, ensureLedger, ledgerVersion } from '../ledger/upgrade.js';
import { activeHoldsOn } from '../ledger/retention-holds.js';
import { forgetTables } from '../ledger/retention-watermarks.js';
import { forgetPartitionTables } from '../ledger/partitions.js';
import { rasdbVersion } from '../version.js';
import { refuseHeld, refuseRows, type TableRows } from './rollback-refusals.js';
import { revertTargets } from './rollback-targets.js';
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

export type { TableRows } from './rollback-refusals.js';

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
 * the blockers, failures kept in the history). Refuses (exit 4) when a table it would drop holds
 * rows, unless `force`, and when an active legal hold is on one, even with `force`; both are
 * checked again in each migration's transaction after its tables are locked, so a row or hold
 * that arrived after the first look is not dropped. Retention's state of the dropped tables goes
 * in the same transaction as the tables. Never reverts a migration that `baseline` recorded (rasdb
 * did not create those tables).
 *
 * @example
 * await rollback(client, { phase: 2 }); // phases 3 and 4 reverted, 0-2 kept
 */
export async function rollback(client: pg.Client, options: RollbackOptions): Promise<RollbackResult> {
  const files = listMigrations(options.migrationsDir ?? defaultMigrationsDir());
  await assertWritable(client);
  return withAdvisoryLock(client, LockKey.migrate, options.lockWaitMs ?? DEFAULTS.lockWaitMs, async () => {
    await ensureLedger(client);
    const plan = await planMigrations(client, files);
    const targets = revertTargets(plan, options.phase);
    const dropped = await droppedTablesOf(targets);
    const droppedTables = await countRows(client, [...dropped.values()].flat());
    refuseHeld(
      await activeHoldsOn(
        client,
        droppedTables.map((t) => t.table),
      ),
    );
    refuseRows(droppedTables, options.force);
    const byName = new Map(droppedTables.map((t) => [t.table, t]));
    // Rows committed, or holds placed, since the counts above: looked for again under the locks
    // the DROP needs, which keep anyone from adding more until it commits.
    const recheck = async (file: MigrationFile, transaction: boolean): Promise<void> => {
      const tables = await countRows(client, dropped.get(file.name) ?? [], transaction);
      refuseHeld(
        await activeHoldsOn(
          client,
          tables.map((t) => t.table),
          { lock: transaction },
        ),
      );
      refuseRows(tables, options.force, file.name);
      for (const table of tables) byName.set(table.table, table);
      await forgetTables(
        client,
        tables.map((t) => t.table),
      );
      await forgetPartitionTables(
        client,
        tables.map((t) => t.table),
      );
    };
    const executor = new MigrationExecutor(client, {
      ...executorSettings(options),
      ledger: { rasdbVersion: rasdbVersion() },
    });
    const steps = await runInOrder(executor, targets, 'down', options.onStep, recheck);
    const done = new Set(plan.applied.map((e) => e.name));
    for (const step of steps) if (step.status === 'Success') done.delete(step.name);
    return {
      targetPhase: options.phase,
      phaseBefore: plan.currentPhase,
      phaseAfter: currentPhase(files, done),
      droppedTables: droppedTables.map((t) => byName.get(t.table) ?? t),
      steps,
      failed: steps.find((s) => s.status === 'Error'),
    };
  });
}

/** What `rollback --dry-run` shows: the migrations it would revert with their down SQL, and what would stop it. */
export interface RollbackDryRun {
  targetPhase: number;
  phaseBefore: number;
  migrations: { name: string; phase: number; transactional: boolean; statements: string[]; drops: string[] }[];
  /** Tables the reverts drop, with the rows they hold now. */
  droppedTables: TableRows[];
  /** The refusal the rollback would meet now (rows without `force`, a legal hold), if any. */
  refusal?: RasdbError;
}

/**
 * What `rollback` with these options would revert, newest first, with the SQL of each `down`
 * and the tables it drops and their rows, and the refusal it would meet; reads only (no lock, no
 * ledger created or upgraded). A baselined migration in the way is refused (exit 4) as rollback
 * refuses it.
 *
 * @example
 * const plan = await rollbackDryRun(client, { phase: 2 }); plan.migrations[0].statements // ['drop table "alerts"', ...]
 */
export async function rollbackDryRun(
  client: pg.Client,
  options: Pick<RollbackOptions, 'phase' | 'force' | 'migrationsDir'>,
): Promise<RollbackDryRun> {
  const files = listMigrations(options.migrationsDir ?? defaultMigrationsDir());
  assertLedgerReadable(await ledgerVersion(client));
  const plan = await planMigrations(client, files);
  const targets = revertTargets(plan, options.phase);
  const dropped = await droppedTablesOf(targets);
  const droppedTables = await countRows(client, [...dropped.values()].flat());
  let refusal: RasdbError | undefined;
  try {
    const { rows } = await client.query(`SELECT to_regclass('rasdb.retention_holds') IS NOT NULL AS present`);
    if (rows[0].present)
      refuseHeld(
        await activeHoldsOn(
          client,
          droppedTables.map((t) => t.table),
        ),
      );
    refuseRows(droppedTables, options.force);
  } catch (error) {
    if (!(error instanceof RasdbError)) throw error;
    refusal = error;
  }
  const migrations = [];
  for (const file of targets) {
    const module = await file.load();
    migrations.push({
      name: file.name,
      phase: file.phase,
      transactional: module.transactional !== false,
      statements: await compileMigration(module, 'down', file.name),
      drops: dropped.get(file.name) ?? [],
    });
  }
  return { targetPhase: options.phase, phaseBefore: plan.currentPhase, migrations, droppedTables, refusal };
}

/** Per migration, the tables its `down` drops. */
async function droppedTablesOf(files: readonly MigrationFile[]): Promise<Map<string, string[]>> {
  const result = new Map<string, string[]>();
  for (const file of files) {
    const tables: string[] = [];
    for (const statement of await compileMigration(await file.load(), 'down', file.name)) {
      const match = /^drop table (?:if exists )?"?([\w]+)"?(?:\."?([\w]+)"?)?/i.exec(statement.trim());
      if (match) tables.push(match[2] ?? match[1]);
    }
    result.set(file.name, tables);
  }
  return result;
}

/**
 * The rows each of `tables` that exists holds now. With `lock` (inside a transaction), each is
 * first locked as DROP TABLE will lock it, so the count stays true until the transaction ends.
 */
async function countRows(client: pg.Client, tables: readonly string[], lock = false): Promise<TableRows[]> {
  const present: string[] = [];
  for (const table of tables) {
    const exists = await client.query('SELECT to_regclass($1) IS NOT NULL AS present', [
      client.escapeIdentifier(table),
    ]);
    if (exists.rows[0].present) present.push(table);
  }
  if (lock && present.length) {
    await client.query(
      `LOCK TABLE ${present.map((t) => client.escapeIdentifier(t)).join(', ')} IN ACCESS EXCLUSIVE MODE`,
    );
  }
  const result: TableRows[] = [];
  for (const table of present) {
    const { rows } = await client.query(`SELECT count(*)::bigint AS n FROM ${client.escapeIdentifier(table)}`);
    result.push({ table, rows: Number(rows[0].n) });
  }
  return result;
}
