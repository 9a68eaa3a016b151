import type pg from 'pg';
import type { Kysely } from 'kysely';
import { kyselyOn } from '../db/single-client-pool.js';
import { isPgServerError } from '../errors.js';
import { describeBlockers, watchBlockers, type Blocker } from './blockers.js';
import { compileUp } from './compile.js';
import { recordApplied, recordEvent } from '../ledger/migrations.js';
import type { MigrationFile, MigrationModule } from './migration-files.js';

export type StepStatus = 'Success' | 'Error' | 'NotExecuted';

/** One migration's outcome, as `migrate --json` reports it. */
export interface StepResult {
  name: string;
  phase: number;
  status: StepStatus;
  durationMs?: number;
  attempts?: number;
  error?: StepError;
}

export interface StepError {
  message: string;
  sqlstate?: string;
  statement?: string;
  blockers?: Blocker[];
}

/** A lock timeout that will be retried, for the CLI to show. */
export interface RetryNotice {
  name: string;
  attempt: number;
  attempts: number;
  delayMs: number;
  blockers: Blocker[];
}

export interface ApplySettings {
  lockTimeoutMs: number;
  statementTimeoutMs: number;
  /** How many times a migration is tried when it hits lock_timeout (SQLSTATE 55P03). */
  lockAttempts: number;
  rasdbVersion: string;
  /** Opens a second connection to watch for blocking sessions. */
  openSibling?: () => Promise<pg.Client>;
  onStep?: (step: StepResult) => void;
  onRetry?: (notice: RetryNotice) => void;
}

const LOCK_TIMEOUT = '55P03';

/**
 * Applies `pending` in order, each in its own transaction together with its ledger row, and stops
 * at the first failure: that migration is rolled back alone, its failure is kept in the ledger's
 * history, the ones before it stay applied and the rest are reported `NotExecuted`. A migration
 * that times out waiting for a lock is retried with backoff, naming the sessions that blocked it.
 *
 * @example
 * const steps = await applyMigrations(client, plan.pending, { ...settings, onStep: print });
 */
export async function applyMigrations(client: pg.Client, pending: readonly MigrationFile[], settings: ApplySettings): Promise<StepResult[]> {
  const tracker = { lastStatement: undefined as string | undefined };
  const db = kyselyOn(client, (event) => {
    tracker.lastStatement = event.query.sql;
  });
  const results: StepResult[] = [];
  for (const file of pending) {
    if (results.some((r) => r.status === 'Error')) {
      results.push({ name: file.name, phase: file.phase, status: 'NotExecuted' });
      continue;
    }
    // Every commit but the run's last is asynchronous: the last, synchronous commit flushes the
    // WAL of all before it, so a finished run is as durable as ever, minus one fsync per migration.
    // A server crash mid-run can lose only whole migrations together with their ledger rows.
    const synchronousCommit = file === pending[pending.length - 1];
    const step = await applyWithRetries(client, db, file, settings, synchronousCommit, tracker);
    results.push(step);
    settings.onStep?.(step);
  }
  return results;
}

async function applyWithRetries(
  client: pg.Client,
  db: Kysely<any>,
  file: MigrationFile,
  settings: ApplySettings,
  synchronousCommit: boolean,
  tracker: { lastStatement?: string },
): Promise<StepResult> {
  const { module, statements, checksum } = await compileUp(file);
  const started = performance.now();
  for (let attempt = 1; ; attempt++) {
    tracker.lastStatement = undefined;
    if (module.transactional === false) await dropInvalidIndexes(client, statements);
    const watch = settings.openSibling ? watchBlockers(settings.openSibling, (client as unknown as { processID: number }).processID, Math.min(500, settings.lockTimeoutMs / 2)) : undefined;
    let failure: unknown;
    try {
      const durationMs = await applyOnce(client, db, file, module, checksum, settings, synchronousCommit);
      await watch?.stop();
      return { name: file.name, phase: file.phase, status: 'Success', durationMs, attempts: attempt };
    } catch (cause) {
      await client.query('ROLLBACK').catch(() => undefined);
      failure = cause;
    }
    const blockers = (await watch?.stop()) ?? [];
    const sqlstate = isPgServerError(failure) ? failure.code : undefined;
    if (sqlstate === LOCK_TIMEOUT && attempt < settings.lockAttempts) {
      const delayMs = backoff(attempt);
      settings.onRetry?.({ name: file.name, attempt, attempts: settings.lockAttempts, delayMs, blockers });
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      continue;
    }
    const durationMs = Math.round(performance.now() - started);
    const base = firstLine(failure instanceof Error ? failure.message : String(failure));
    const message =
      sqlstate === LOCK_TIMEOUT ? `${base} after ${attempt} attempts; blocked by ${describeBlockers(blockers)}` : base;
    const error: StepError = { message, sqlstate, statement: tracker.lastStatement, ...(blockers.length ? { blockers } : {}) };
    // Kept outside the rolled-back transaction, so the history shows what failed and why.
    await recordEvent(client, { name: file.name, phase: file.phase, event: 'failed', durationMs, message, sqlstate, statement: error.statement }).catch(
      () => undefined,
    );
    return { name: file.name, phase: file.phase, status: 'Error', durationMs, attempts: attempt, error };
  }
}

/** One try: the migration and its ledger row commit together (or, without a transaction, in sequence). */
async function applyOnce(
  client: pg.Client,
  db: Kysely<any>,
  file: MigrationFile,
  module: MigrationModule,
  checksum: string,
  settings: ApplySettings,
  synchronousCommit: boolean,
): Promise<number> {
  const transactional = module.transactional !== false;
  const started = performance.now();
  try {
    await client.query(`${transactional ? 'BEGIN; ' : ''}${timeoutSettings(settings, transactional)}`);
    await module.up(db);
    const durationMs = Math.round(performance.now() - started);
    const beforeRecord = `${transactional ? '' : 'BEGIN; '}${synchronousCommit ? '' : 'SET LOCAL synchronous_commit = off; '}`;
    if (beforeRecord) await client.query(beforeRecord);
    await recordApplied(client, { name: file.name, phase: file.phase, checksum, durationMs }, settings.rasdbVersion);
    await client.query('COMMIT');
    return durationMs;
  } finally {
    if (!transactional) await client.query('RESET lock_timeout; RESET statement_timeout').catch(() => undefined);
  }
}

/**
 * A `CREATE INDEX CONCURRENTLY` that failed or was killed leaves an INVALID index behind, and
 * the retry would then fail on its name. Such leftovers of this migration's own indexes are dropped.
 */
async function dropInvalidIndexes(client: pg.Client, statements: readonly string[]): Promise<void> {
  for (const statement of statements) {
    const match = /^create (?:unique )?index concurrently (?:if not exists )?"([^"]+)"/i.exec(statement.trim());
    if (!match) continue;
    const { rows } = await client.query(
      `SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE c.relname = $1 AND c.relnamespace = 'public'::regnamespace AND NOT i.indisvalid`,
      [match[1]],
    );
    if (rows.length) await client.query(`DROP INDEX CONCURRENTLY IF EXISTS ${client.escapeIdentifier(match[1])}`);
  }
}

function timeoutSettings(settings: ApplySettings, local: boolean): string {
  const scope = local ? 'SET LOCAL' : 'SET';
  // Values are validated integers; SET takes no bind parameters.
  return `${scope} lock_timeout = ${Math.trunc(settings.lockTimeoutMs)}; ${scope} statement_timeout = ${Math.trunc(settings.statementTimeoutMs)}`;
}

/** 1 s, 2 s, 4 s, ... capped at 30 s, with some jitter so two waiting runners do not retry in step. */
function backoff(attempt: number): number {
  const base = Math.min(30_000, 1000 * 2 ** (attempt - 1));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

function firstLine(text: string): string {
  return text.split('\n')[0];
}
