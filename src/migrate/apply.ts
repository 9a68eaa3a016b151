import type pg from 'pg';
import type { Kysely } from 'kysely';
import { kyselyOn } from '../db/single-client-pool.js';
import { isPgServerError } from '../errors.js';
import { checksumOf, compileMigration } from './compile.js';
import { recordApplied, recordEvent } from './ledger.js';
import type { MigrationFile } from './migration-files.js';

export type StepStatus = 'Success' | 'Error' | 'NotExecuted';

/** One migration's outcome, as `migrate --json` reports it. */
export interface StepResult {
  name: string;
  phase: number;
  status: StepStatus;
  durationMs?: number;
  error?: StepError;
}

export interface StepError {
  message: string;
  sqlstate?: string;
  statement?: string;
}

export interface ApplySettings {
  lockTimeoutMs: number;
  statementTimeoutMs: number;
  rasdbVersion: string;
}

/**
 * Applies `pending` in order, each in its own transaction together with its ledger row, and stops
 * at the first failure: that migration is rolled back alone, its failure is kept in the ledger's
 * history, the ones before it stay applied and the rest are reported `NotExecuted`.
 *
 * @example
 * const steps = await applyMigrations(client, plan.pending, settings, (step) => print(step));
 */
export async function applyMigrations(
  client: pg.Client,
  pending: readonly MigrationFile[],
  settings: ApplySettings,
  onStep: (step: StepResult) => void = () => undefined,
): Promise<StepResult[]> {
  const tracker = { lastStatement: undefined as string | undefined };
  const db = kyselyOn(client, (event) => {
    tracker.lastStatement = event.query.sql;
  });
  const results: StepResult[] = [];
  let failed = false;
  for (const file of pending) {
    if (failed) {
      results.push({ name: file.name, phase: file.phase, status: 'NotExecuted' });
      continue;
    }
    tracker.lastStatement = undefined;
    // Every commit but the run's last is asynchronous: the last, synchronous commit flushes the
    // WAL of all before it, so a finished run is as durable as ever, minus one fsync per migration.
    // A server crash mid-run can lose only whole migrations together with their ledger rows.
    const isLast = file === pending[pending.length - 1];
    const step = await applyOne(client, db, file, { ...settings, synchronousCommit: isLast }, tracker);
    results.push(step);
    onStep(step);
    failed = step.status === 'Error';
  }
  return results;
}

async function applyOne(
  client: pg.Client,
  db: Kysely<any>,
  file: MigrationFile,
  settings: ApplySettings & { synchronousCommit: boolean },
  tracker: { lastStatement?: string },
): Promise<StepResult> {
  const module = await file.load();
  const checksum = checksumOf(await compileMigration(module, 'up'));
  const transactional = module.transactional !== false;
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  try {
    await client.query(`${transactional ? 'BEGIN; ' : ''}${timeoutSettings(settings, transactional)}`);
    await module.up(db);
    const durationMs = elapsed();
    const commitMode = settings.synchronousCommit ? '' : 'SET LOCAL synchronous_commit = off; ';
    const beforeRecord = `${transactional ? '' : 'BEGIN; '}${commitMode}`;
    if (beforeRecord) await client.query(beforeRecord);
    await recordApplied(client, { name: file.name, phase: file.phase, checksum, durationMs }, settings.rasdbVersion);
    await client.query('COMMIT');
    return { name: file.name, phase: file.phase, status: 'Success', durationMs };
  } catch (cause) {
    await client.query('ROLLBACK').catch(() => undefined);
    const error: StepError = {
      message: firstLine(cause instanceof Error ? cause.message : String(cause)),
      sqlstate: isPgServerError(cause) ? cause.code : undefined,
      statement: tracker.lastStatement,
    };
    // Kept outside the rolled-back transaction, so the history shows what failed and why.
    await recordEvent(client, { name: file.name, phase: file.phase, event: 'failed', durationMs: elapsed(), ...error }).catch(() => undefined);
    return { name: file.name, phase: file.phase, status: 'Error', durationMs: elapsed(), error };
  } finally {
    if (!transactional) await client.query('RESET lock_timeout; RESET statement_timeout').catch(() => undefined);
  }
}

function timeoutSettings(settings: ApplySettings, local: boolean): string {
  const scope = local ? 'SET LOCAL' : 'SET';
  // Values are validated integers; SET takes no bind parameters.
  return `${scope} lock_timeout = ${Math.trunc(settings.lockTimeoutMs)}; ${scope} statement_timeout = ${Math.trunc(settings.statementTimeoutMs)}`;
}

function firstLine(text: string): string {
  return text.split('\n')[0];
}
