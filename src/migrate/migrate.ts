import type pg from 'pg';
import { LockKey, withAdvisoryLock } from '../db/advisory-lock.js';
import { rasdbVersion } from '../version.js';
import { MigrationExecutor, runInOrder, type ExecutorSettings, type RetryNotice, type StepResult } from './executor.js';
import { findMismatches, mismatchError } from './checksums.js';
import { compileAhead, compileSql } from './compile.js';
import { readApplied } from '../ledger/migrations.js';
import {
  assertLedgerReadable,
  ensureLedger,
  LEDGER_PRESENCE_SQL,
  ledgerVersion,
  versionAfterPresence,
  type LedgerPresenceRow,
} from '../ledger/upgrade.js';
import { MAX_PHASE, defaultMigrationsDir, listMigrations } from './migration-files.js';
import { currentPhase, planMigrations } from './plan.js';
import { CAN_MIGRATE_SQL, checkCanMigrate, type CanMigrateRow } from './preflight.js';
import { assertNoTransactionControl } from './transaction-control.js';

export interface MigrateOptions extends ExecutionOptions {
  /** Apply up to and including this phase; all phases when omitted. */
  phase?: number;
  migrationsDir?: string;
}

export interface MigrateResult {
  targetPhase: number;
  phaseBefore: number;
  phaseAfter: number;
  steps: StepResult[];
  /** The first failed step, if any: the command's exit code follows from it. */
  failed?: StepResult;
  /**
   * When the connection was lost: which of this run's migrations the ledger lists, read on a new
   * connection (commits before a run's last are asynchronous, so a crashed server may have lost
   * the newest of them), or `ledgerRead: false` when no new connection could be made.
   */
  afterConnectionLoss?: { ledgerRead: boolean; survived: string[]; lost: string[] };
}

export interface DryRunResult {
  targetPhase: number;
  currentPhase: number;
  migrations: { name: string; phase: number; transactional: boolean; statements: string[] }[];
}

export const DEFAULTS = {
  lockWaitMs: 60_000,
  lockTimeoutMs: 5_000,
  statementTimeoutMs: 15 * 60_000,
  lockAttempts: 5,
} as const;

/** What migrate and rollback share: how long a migration may wait for a lock, run, and retry. */
export interface ExecutionOptions {
  lockWaitMs?: number;
  lockTimeoutMs?: number;
  statementTimeoutMs?: number;
  /** Tries per migration when it times out waiting for a lock. */
  lockAttempts?: number;
  /** Opens a second connection, used to name the sessions that block a migration. */
  openSibling?: () => Promise<pg.Client>;
  onStep?: (step: StepResult) => void;
  onRetry?: (notice: RetryNotice) => void;
}

/**
 * The executor's timeouts and retries, each from `options` or its default.
 *
 * @example
 * new MigrationExecutor(client, { ...executorSettings({ lockTimeoutMs: 2000 }), ledger: null });
 */
export function executorSettings(options: ExecutionOptions): Omit<ExecutorSettings, 'ledger'> {
  return {
    lockTimeoutMs: options.lockTimeoutMs ?? DEFAULTS.lockTimeoutMs,
    statementTimeoutMs: options.statementTimeoutMs ?? DEFAULTS.statementTimeoutMs,
    lockAttempts: options.lockAttempts ?? DEFAULTS.lockAttempts,
    openSibling: options.openSibling,
    onRetry: options.onRetry,
  };
}

/**
 * Applies every pending migration up to `options.phase`, holding rasdb's migration lock for the
 * whole run so two runners never interleave.
 *
 * @example
 * const result = await migrate(session.client, { phase: 2 });
 * if (result.failed) console.error(result.failed.error?.message);
 */
export async function migrate(client: pg.Client, options: MigrateOptions = {}): Promise<MigrateResult> {
  const files = listMigrations(options.migrationsDir ?? defaultMigrationsDir());
  const targetPhase = options.phase ?? MAX_PHASE;
  // Checksums of files the build did not compile are worked out while the server works.
  compileAhead(files.filter((file) => file.phase <= targetPhase && !file.precompiled));
  const lockWaitMs = options.lockWaitMs ?? DEFAULTS.lockWaitMs;
  // The lock, whether the ledger is there, and the pre-flight facts in one round trip.
  const underLock = [LEDGER_PRESENCE_SQL, CAN_MIGRATE_SQL];
  return withAdvisoryLock(
    client,
    LockKey.migrate,
    lockWaitMs,
    async ([presence, preflight]) => {
      const version = await versionAfterPresence(client, presence[0] as LedgerPresenceRow);
      assertLedgerReadable(version);
      checkCanMigrate(preflight[0] as CanMigrateRow, { ledgerExists: version > 0, refuseUnadopted: version === 0 });
      // A first run makes migrate's own ledger tables only: the other capabilities' (about three
      // migrations of DDL) wait until one of them first runs (completedLedgerVersion) or the next
      // migrate. Committed asynchronously: the run's last migration commits synchronously, and
      // flushes it.
      if (version === 0) await ensureLedger(client, 0, { asynchronousCommit: true, only: ['migrations'] });
      // A ledger made just now lists nothing applied: not read back.
      const plan = await planMigrations(client, files, targetPhase, version === 0 ? [] : undefined);
      // Files the build compiled load only when they cannot run as recorded.
      compileAhead(plan.pending.filter((file) => !file.precompiled?.runnable));
      const mismatches = await findMismatches(plan.applied, files);
      if (mismatches.length) throw mismatchError(mismatches);
      const compiled = await Promise.all(
        plan.pending.map(async (file) => ({ name: file.name, ...(await compileSql(file)) })),
      );
      assertNoTransactionControl(
        compiled.map((m) => ({ name: m.name, direction: 'up' as const, statements: m.statements })),
      );
      // What a first run or an older rasdb left of the ledger is made once the run is sure to go on.
      if (version > 0) await ensureLedger(client, version, { asynchronousCommit: true });
      // Each migration commits with its ledger row; the first failure is rolled back alone and
      // kept in the history, the ones before it stay applied, the rest are not run.
      const executor = new MigrationExecutor(client, {
        ...executorSettings(options),
        ledger: { rasdbVersion: rasdbVersion() },
      });
      const steps = await runInOrder(executor, plan.pending, 'up', options.onStep);
      const failed = steps.find((step) => step.status === 'Error');
      const applied = steps.filter((s) => s.status === 'Success').map((s) => s.name);
      const afterConnectionLoss = failed?.error?.connectionLost ? await reread(options, applied) : undefined;
      const survived = afterConnectionLoss ? afterConnectionLoss.survived : applied;
      const done = new Set([...plan.applied.map((entry) => entry.name), ...survived]);
      return {
        targetPhase,
        phaseBefore: plan.currentPhase,
        phaseAfter: currentPhase(files, done),
        steps,
        failed,
        ...(afterConnectionLoss ? { afterConnectionLoss } : {}),
      };
    },
    underLock,
  );
}

/**
 * The SQL each pending migration would run, in order. Reads the ledger and nothing else: no lock,
 * no DDL, no ledger created.
 *
 * @example
 * for (const m of (await dryRun(client, { phase: 1 })).migrations) console.log(m.statements.join(';\n'));
 */
export async function dryRun(
  client: pg.Client,
  options: Pick<MigrateOptions, 'phase' | 'migrationsDir'> = {},
): Promise<DryRunResult> {
  const files = listMigrations(options.migrationsDir ?? defaultMigrationsDir());
  assertLedgerReadable(await ledgerVersion(client));
  const targetPhase = options.phase ?? MAX_PHASE;
  const plan = await planMigrations(client, files, targetPhase);
  const migrations = [];
  compileAhead(plan.pending.filter((file) => !file.precompiled));
  for (const file of plan.pending) {
    const { transactional, statements } = await compileSql(file);
    migrations.push({ name: file.name, phase: file.phase, transactional, statements });
  }
  return { targetPhase, currentPhase: plan.currentPhase, migrations };
}

/** After a lost connection, what the ledger says of this run's migrations, read on a new connection. */
async function reread(
  options: MigrateOptions,
  applied: readonly string[],
): Promise<NonNullable<MigrateResult['afterConnectionLoss']>> {
  const fresh = await options.openSibling?.().catch(() => undefined);
  if (!fresh) return { ledgerRead: false, survived: [], lost: [] };
  try {
    const listed = new Set((await readApplied(fresh)).map((entry) => entry.name));
    return {
      ledgerRead: true,
      survived: applied.filter((n) => listed.has(n)),
      lost: applied.filter((n) => !listed.has(n)),
    };
  } catch {
    return { ledgerRead: false, survived: [], lost: [] };
  } finally {
    await fresh.end().catch(() => undefined);
  }
}
