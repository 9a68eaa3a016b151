import type pg from 'pg';
import { assertLedgerReadable, ledgerVersion } from '../ledger/upgrade.js';
import { findMismatches, mismatchError } from '../migrate/checksums.js';
import { compileMigration, compileSql } from '../migrate/compile.js';
import type { Direction } from '../migrate/executor.js';
import { defaultMigrationsDir, listMigrations, MAX_PHASE, type MigrationFile } from '../migrate/migration-files.js';
import { planMigrations } from '../migrate/plan.js';
import { assertNoUnadoptedTables } from '../migrate/preflight.js';
import { revertTargets } from '../migrate/rollback-targets.js';
import { assertNoTransactionControl } from '../migrate/transaction-control.js';
import { replayMigrations } from '../schema/replay.js';
import { withScratchDatabase, type ScratchOptions } from '../schema/scratch-database.js';
import { observeMigrations } from './observe.js';
import { TABLE_KINDS } from './relations.js';
import { summarizeTables } from './summary.js';
import { readTargetTables } from './target.js';
import type { LockPlan } from './types.js';

export interface PlanOptions extends ScratchOptions {
  /** For `up`: the pending migrations of phases 0 to N; for `down`: keep phases 0 to N (-1: none). */
  readonly phase?: number;
  readonly migrationsDir?: string;
}

/**
 * What each pending migration up to `options.phase` will lock on the database `client` is on,
 * observed: the applied migrations are replayed on a scratch database (beside the target unless
 * `scratchUrl` says where), each pending one runs there statement by statement as `migrate` would
 * run it while its locks are read, and every existing table it locks is looked up on the target
 * (sizes, row estimate, sessions holding locks now). The target is only read; the scratch
 * database is dropped whatever happens. Refuses (exit 4) what `migrate` would refuse: a changed
 * applied migration, transaction control in a migration, platform tables without a ledger.
 *
 * @example
 * const plan = await planLocks(session.client, { phase: 2, besideTarget: session });
 * plan.tables.map((t) => `${t.relation} ${t.strongest}`) // ['ingestion_assets ShareRowExclusiveLock', ...]
 */
export async function planLocks(client: pg.Client, options: PlanOptions = {}): Promise<LockPlan> {
  const files = listMigrations(options.migrationsDir ?? defaultMigrationsDir());
  return observeRun(client, options, async () => {
    const version = await ledgerVersion(client);
    assertLedgerReadable(version);
    if (version === 0) await assertNoUnadoptedTables(client);
    const targetPhase = options.phase ?? MAX_PHASE;
    const plan = await planMigrations(client, files, targetPhase);
    const mismatches = await findMismatches(plan.applied, files);
    if (mismatches.length) throw mismatchError(mismatches);
    const compiled = await Promise.all(plan.pending.map(async (f) => ({ name: f.name, ...(await compileSql(f)) })));
    assertNoTransactionControl(
      compiled.map((m) => ({ name: m.name, direction: 'up' as const, statements: m.statements })),
    );
    const done = new Set(plan.applied.map((m) => m.name));
    return {
      direction: 'up',
      targetPhase,
      currentPhase: plan.currentPhase,
      replayed: files.filter((f) => done.has(f.name)),
      runs: plan.pending,
    };
  });
}

/**
 * The same report for a rollback keeping phases 0 to `options.phase` (-1: everything): the
 * applied migrations are replayed on the scratch database, then each one the rollback would
 * revert has its `down` observed there, newest first.
 *
 * @example
 * const plan = await planRollbackLocks(session.client, { phase: 2, besideTarget: session });
 */
export async function planRollbackLocks(
  client: pg.Client,
  options: PlanOptions & { phase: number },
): Promise<LockPlan> {
  const files = listMigrations(options.migrationsDir ?? defaultMigrationsDir());
  return observeRun(client, options, async () => {
    assertLedgerReadable(await ledgerVersion(client));
    const plan = await planMigrations(client, files);
    const mismatches = await findMismatches(plan.applied, files);
    if (mismatches.length) throw mismatchError(mismatches);
    const runs = revertTargets(plan, options.phase);
    const downs = await Promise.all(
      runs.map(async (f) => ({ name: f.name, statements: await compileMigration(await f.load(), 'down', f.name) })),
    );
    assertNoTransactionControl(
      downs.map((m) => ({ name: m.name, direction: 'down' as const, statements: m.statements })),
    );
    const done = new Set(plan.applied.map((m) => m.name));
    return {
      direction: 'down',
      targetPhase: options.phase,
      currentPhase: plan.currentPhase,
      replayed: files.filter((f) => done.has(f.name)),
      runs,
    };
  });
}

interface Run {
  readonly direction: Direction;
  readonly targetPhase: number;
  readonly currentPhase: number;
  readonly replayed: readonly MigrationFile[];
  readonly runs: readonly MigrationFile[];
}

/**
 * Reads and checks the target (`prepare`) while the scratch database is being made, then replays
 * and observes there; the target's tables are read while the scratch database is dropped. When
 * both fail, the target's refusal is the one reported: it is what the operator has to fix first.
 */
async function observeRun(client: pg.Client, options: PlanOptions, prepare: () => Promise<Run>): Promise<LockPlan> {
  const preparing = prepare();
  preparing.catch(() => undefined);
  let observed;
  try {
    observed = await withScratchDatabase(options, async (scratch, label, openAnother) => {
      const run = await preparing;
      await replayMigrations(scratch, run.replayed);
      const migrations = await observeMigrations(scratch, run.runs, run.direction, openAnother);
      const existing = new Set<string>();
      for (const m of migrations)
        for (const s of m.statements)
          for (const lock of s.locks)
            if (lock.origin === 'existing' && TABLE_KINDS.includes(lock.kind)) existing.add(lock.relation);
      const reading = Promise.all([readTargetTables(client, [...existing]), serverVersion(client)]);
      reading.catch(() => undefined);
      return { run, label, migrations, version: await serverVersion(scratch), reading };
    });
  } catch (error) {
    await preparing;
    throw error;
  }
  const { run, label, migrations, version, reading } = observed;
  const [targets, targetVersion] = await reading;
  return {
    direction: run.direction,
    targetPhase: run.targetPhase,
    currentPhase: run.currentPhase,
    scratch: label,
    scratchServerVersion: version,
    targetServerVersion: targetVersion,
    replayed: run.replayed.map((f) => f.name),
    migrations,
    tables: summarizeTables(migrations, targets),
  };
}

async function serverVersion(client: pg.Client): Promise<string> {
  const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
  // '15.20 (Debian 15.20-0+deb12u1)' is 15.20: the packager's note says nothing about locks.
  return rows[0].server_version.split(' ')[0];
}
