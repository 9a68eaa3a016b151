import { offCalendarError, offCalendarPolicies, type OffCalendarRefusal } from './off-calendar.js';
import type pg from 'pg';
import type { Kysely } from 'kysely';
import type { DB } from '../../generated/db.js';
import { LockKey, withAdvisoryLock } from '../db/advisory-lock.js';
import { isLockTimeout, lockTimeoutError } from '../db/lock-timeout.js';
import { closeClient } from '../db/session.js';
import { kyselyOn } from '../db/single-client-pool.js';
import { ExitCode, isPgServerError, option, RasdbError } from '../errors.js';
import { finishRun, markInterrupted, startRun, type RunKind } from '../ledger/retention-runs.js';
import { completedLedgerVersion } from '../ledger/upgrade.js';
import { SUMMARIES } from './summaries.js';
import { resolveAsOf } from './time.js';
import { resolveDataZone } from './time-zone.js';
import { compressOwnWal } from './wal-compression.js';

/** Settings every retention run shares; all optional. */
export interface RunSettings {
  /**
   * Compute horizons from this time instead of the server's clock: for tests and replays, so
   * only the past (see resolveAsOf). Without an offset it is a reading of the data's zone.
   */
  now?: string;
  /** Change nothing: no lock, no run record, counts only. */
  dryRun?: boolean;
  /** Stop between batches once this much time has passed; the result says `stoppedEarly`. */
  maxRuntimeMs?: number;
  /** Wait this long for another retention run to finish before giving up with exit 5 (default 0). */
  lockWaitMs?: number;
  lockTimeoutMs?: number;
  statementTimeoutMs?: number;
  /** A second connection to the same database (the run ends it): with it, prune drops two partitions at once. */
  openSibling?: () => Promise<pg.Client>;
}

/** Told after each batch (prune) or bucket range (summarize), for a progress line. */
export interface RetentionProgress {
  action: 'summarize' | 'prune';
  table: string;
  /** Rows deleted, or source rows summarized, in this table so far. */
  done: number;
  /** The planner's estimate of the rows to do: good for a progress bar, not for a report. */
  estimated: number;
}

/** What the work of a run gets: the connection, the run's "now", its record, its deadline. */
export interface RunContext {
  readonly client: pg.Client;
  readonly db: Kysely<DB>;
  /** The run's "now" as a reading of the data's clock: horizons and buckets are in `timeZone`. */
  readonly asOf: string;
  /** The zone the data is written in (see resolveDataZone). */
  readonly timeZone: string;
  /** Null in a dry run, which records nothing. */
  readonly runId: number | null;
  readonly dryRun: boolean;
  /**
   * Opens another connection with this run's session settings (timeouts, synchronous_commit,
   * application_name); the caller ends it. Only in a real run given `openSibling`.
   */
  readonly openWorker?: () => Promise<pg.Client>;
  /**
   * The policies asked for that this run leaves alone, their table holding rows off the calendar
   * (see offCalendarPolicies); the work skips them, the result names them.
   */
  readonly refused: readonly string[];
  /** True once `maxRuntimeMs` has passed. */
  timeUp(): boolean;
}

/** What every retention run returns beside its work's result. */
export interface RunRecord {
  /** Null in a dry run. */
  runId: number | null;
  asOf: string;
  timeZone: string;
  interruptedRunsFound: number;
  /** Policies left alone, their table holding rows off the calendar (see offCalendarPolicies). */
  refused: OffCalendarRefusal[];
}

/** lock_timeout and statement_timeout when the caller gives none. */
const RUN_DEFAULTS = { lockTimeoutMs: 2_000, statementTimeoutMs: 60_000 } as const;

/**
 * Runs retention `work` as one recorded run: checks that the retention tables exist, takes the
 * retention lock without queueing (a second run exits 5 at once, or after `lockWaitMs`), marks
 * runs that died before it `interrupted`, records this run's outcome whatever happens, and sets
 * lock_timeout and statement_timeout for every statement it sends. A dry run skips the lock and
 * the record, and must not write.
 *
 * @example
 * const result = await withRetentionRun(client, 'prune', ['api_call_logs'], { maxRuntimeMs: 60_000 }, (ctx) => pruneAll(ctx));
 */
export async function withRetentionRun<T extends { stoppedEarly?: boolean; message?: string }>(
  client: pg.Client,
  kind: RunKind,
  policies: readonly string[],
  settings: RunSettings,
  work: (context: RunContext) => Promise<T>,
): Promise<T & RunRecord> {
  const started = Date.now();
  const timeUp = (): boolean => settings.maxRuntimeMs !== undefined && Date.now() - started >= settings.maxRuntimeMs;
  let refused: OffCalendarRefusal[] = [];
  const names = (list: readonly OffCalendarRefusal[]) => list.map((r) => r.policy);
  const clock = async () => {
    const zone = await resolveDataZone(client);
    const asOf = await resolveAsOf(client, zone.timeZone, settings.now);
    return {
      zone,
      timeZone: zone.timeZone,
      asOf,
      base: { client, db: kyselyOn<DB>(client), asOf, timeZone: zone.timeZone, timeUp, refused: names(refused) },
    };
  };
  // A given "now" the server's clock refuses is refused before a first run makes retention's tables.
  if (settings.now !== undefined) await clock();
  await assertRetentionTables(client, settings.lockWaitMs);
  // A policy whose table holds rows off the calendar is left alone; the others run. All of them: refused.
  refused = await offCalendarPolicies(client, policies);
  if (refused.length && refused.length === policies.length) throw offCalendarError(refused);
  const running = policies.filter((p) => !names(refused).includes(p));
  if (settings.dryRun) {
    const { asOf, timeZone, base } = await clock();
    const result = await work({ ...base, runId: null, dryRun: true });
    return { ...result, runId: null, asOf, timeZone, interruptedRunsFound: 0, refused };
  }
  return withAdvisoryLock(client, LockKey.retention, settings.lockWaitMs ?? 0, async () => {
    // Read under the lock: a zone declared while this run waited for it is the zone it computes in
    // and records, so the record of runs never goes back to a zone declared before it.
    const { zone, asOf, timeZone, base } = await clock();
    await applySessionSettings(client, kind, settings);
    // Prune writes WAL by the gigabyte; summarize writes a few summary rows. Its own statement:
    // a role that may not set wal_compression may not RESET it either.
    const walCompressed = kind === 'prune' && (await compressOwnWal(client));
    try {
      const interruptedRunsFound = await markInterrupted(client);
      const runId = await startRun(client, kind, running, asOf, undefined, zone);
      try {
        const result = await work({ ...base, runId, dryRun: false, openWorker: worker(kind, settings) });
        const message = [result.message, ...refused.map((r) => `left alone: ${r.message}`)].filter(Boolean).join('; ');
        await finishRun(client, runId, result.stoppedEarly ? 'stopped_early' : 'succeeded', message || undefined);
        return { ...result, runId, asOf, timeZone, interruptedRunsFound, refused };
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        await finishRun(client, runId, 'failed', describe(error)).catch(() => undefined);
        if (isLockTimeout(error) && settings.openSibling) {
          // Who holds the lock is read now, from a second connection, while it still holds it.
          throw await lockTimeoutError(
            settings.openSibling,
            error,
            Math.trunc(settings.lockTimeoutMs ?? RUN_DEFAULTS.lockTimeoutMs),
            [(client as { processID?: number }).processID].filter((pid): pid is number => typeof pid === 'number'),
            `run again once it is released, or raise ${option('lockTimeoutMs')}`,
          );
        }
        throw translate(error);
      }
    } finally {
      await client
        .query('RESET lock_timeout; RESET statement_timeout; RESET synchronous_commit; RESET application_name')
        .catch(() => undefined);
      if (walCompressed) await client.query('RESET wal_compression').catch(() => undefined);
    }
  });
}

/** A sibling connection set up as the run's own, for work done beside it (see RunContext.openWorker). */
function worker(kind: RunKind, settings: RunSettings): (() => Promise<pg.Client>) | undefined {
  const open = settings.openSibling;
  if (!open) return undefined;
  return async () => {
    const client = await open();
    try {
      await applySessionSettings(client, kind, settings);
      return client;
    } catch (error) {
      await closeClient(client);
      throw error;
    }
  };
}

async function applySessionSettings(client: pg.Client, kind: RunKind, settings: RunSettings): Promise<void> {
  const lockTimeout = Math.trunc(settings.lockTimeoutMs ?? RUN_DEFAULTS.lockTimeoutMs);
  const statementTimeout = Math.trunc(settings.statementTimeoutMs ?? RUN_DEFAULTS.statementTimeoutMs);
  // Commits need not wait for the disk: a batch lost in a crash comes back with its own run-record
  // update (same transaction), and the next run deletes or summarizes it again.
  await client.query(
    `SET lock_timeout = ${lockTimeout}; SET statement_timeout = ${statementTimeout}; SET synchronous_commit = off; SET application_name = 'rasdb retention ${kind}'`,
  );
}

/**
 * Refuses, with the command to run, a database that `rasdb migrate` has not brought this far.
 * Retention's ledger tables, which a first migrate leaves to be made, are made first (under the
 * migration lock, waiting up to `waitMs` for a running migrate).
 *
 * @example
 * await assertRetentionTables(client); // throws RasdbError(4, '... run rasdb migrate first')
 */
export async function assertRetentionTables(client: pg.Client, waitMs?: number): Promise<void> {
  let missing = await missingRetentionTables(client);
  if (missing.some((name) => name.startsWith('rasdb.'))) {
    await completedLedgerVersion(client, waitMs);
    missing = await missingRetentionTables(client);
  }
  if (missing.length) {
    throw new RasdbError(
      ExitCode.check,
      `this database lacks the retention tables (${missing.join(', ')}); run rasdb migrate first`,
      { missing },
    );
  }
}

async function missingRetentionTables(client: pg.Client): Promise<string[]> {
  const needed = [
    'rasdb.retention_runs',
    'rasdb.retention_thinned',
    'rasdb.retention_time_zones',
    ...SUMMARIES.map((s) => s.name),
  ];
  const { rows } = await client.query(`SELECT name FROM unnest($1::text[]) AS name WHERE to_regclass(name) IS NULL`, [
    needed,
  ]);
  return rows.map((r) => r.name);
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return isPgServerError(error) ? `${message} (SQLSTATE ${error.code})` : message;
}

/** Timeouts are expected failures with a next step; anything else keeps its own meaning. */
function translate(error: unknown): unknown {
  if (!isPgServerError(error)) return error;
  if (error.code === '57014') {
    return new RasdbError(
      ExitCode.failed,
      `a retention statement ran past statement_timeout; lower ${option('batchSize')} or raise ${option('statementTimeoutMs')}`,
      {
        sqlstate: error.code,
      },
    );
  }
  if (isLockTimeout(error)) {
    return new RasdbError(
      ExitCode.busy,
      `a retention statement kept waiting for a row or table lock past lock_timeout; run again later, or raise ${option('lockTimeoutMs')}`,
      {
        sqlstate: error.code,
      },
    );
  }
  return error;
}
