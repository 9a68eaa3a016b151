import type pg from 'pg';
import type { Kysely } from 'kysely';
import { isConnectionLost } from '../db/connection-lost.js';
import { isPgServerError, RasdbError } from '../errors.js';
import { appliedRecordSql, recordEvent, recordReverted } from '../ledger/migrations.js';
import { batchDeadlineMs, type QueryWithDeadline } from '../db/query-deadline.js';
import { describeBlockers, watchBlockers, type Blocker } from '../db/blockers.js';
import { isLockTimeout, LOCK_TIMEOUT_SQLSTATE } from '../db/lock-timeout.js';
import { compileMigration, migrationSource, type MigrationSource } from './compile.js';
import type { MigrationFile } from './migration-files.js';

export type StepStatus = 'Success' | 'Error' | 'NotExecuted';
export type Direction = 'up' | 'down';

/** One migration's outcome, as `migrate --json` and `rollback --json` report it. */
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
  /** The connection was lost: what committed before must be read on a new connection. */
  connectionLost?: boolean;
}

/** A lock timeout that will be retried, for the CLI to show. */
export interface RetryNotice {
  name: string;
  attempt: number;
  attempts: number;
  delayMs: number;
  blockers: Blocker[];
}

export interface ExecutorSettings {
  lockTimeoutMs: number;
  statementTimeoutMs: number;
  /** How many times a migration is tried when it hits lock_timeout (SQLSTATE 55P03). */
  lockAttempts: number;
  /**
   * Where outcomes go: the live database's ledger (applied, reverted and failed, with the
   * history), or nowhere, for a replay on a scratch database that is thrown away.
   */
  ledger: { rasdbVersion: string } | null;
  /**
   * Run inside a transaction the caller holds open (and will roll back): each migration runs in a
   * savepoint, and a migration that opts out of transactions runs its compiled statements without
   * CONCURRENTLY, which PostgreSQL refuses inside a transaction.
   */
  enclosed?: boolean;
  /** Opens a second connection to watch for blocking sessions. */
  openSibling?: () => Promise<pg.Client>;
  onRetry?: (notice: RetryNotice) => void;
}

export interface RunOptions {
  /**
   * Commit without waiting for the WAL flush. A run's last commit is synchronous and flushes all
   * before it, so a finished run is as durable as ever, minus one fsync per migration.
   */
  asynchronousCommit?: boolean;
  /**
   * Runs before the migration's work, inside its transaction when it has one (`transaction`), so
   * that locks it takes and checks it makes hold until the work commits. A RasdbError it throws
   * refuses the migration: its transaction is rolled back and the error reaches the caller
   * unrecorded (nothing was tried); any other error fails the step as the migration's own would.
   */
  inTransaction?: (file: MigrationFile, transaction: boolean) => Promise<void>;
  /**
   * Each statement the migration itself sends (its `up` or `down` queries, not the executor's own
   * BEGIN, timeouts and ledger rows) is run by calling `run` inside this, on the same connection:
   * `rasdb plan` reads the locks the statement took before the next one is sent.
   */
  aroundStatement?: (sql: string, run: () => Promise<unknown>) => Promise<unknown>;
}

const SAVEPOINT = 'rasdb_migration';

/**
 * The one way a migration runs, for every path that runs one: apply, rollback, verify's replay on a
 * scratch database and baseline's comparison in a throwaway schema. Each migration runs with
 * lock_timeout and statement_timeout in its own transaction (unless it opts out), is retried with
 * backoff when it times out waiting for a lock, naming the sessions that blocked it, and has its
 * success or failure recorded in the ledger's history together with (or right after) its work.
 *
 * @example
 * const executor = new MigrationExecutor(client, { lockTimeoutMs: 5000, statementTimeoutMs: 900_000, lockAttempts: 5, ledger: { rasdbVersion } });
 * const step = await executor.run(file, 'up');
 */
export class MigrationExecutor {
  private db: Kysely<any> | undefined;
  private lastStatement: string | undefined;

  constructor(
    private readonly client: pg.Client,
    private readonly settings: ExecutorSettings,
  ) {}

  /** The Kysely a migration's up(db) and down(db) get, made on first use: a migrate of the shipped plan needs none. */
  private async kysely(): Promise<Kysely<any>> {
    if (!this.db) {
      const { kyselyOn } = await import('../db/single-client-pool.js');
      this.db = kyselyOn(this.client, (event) => {
        this.lastStatement = event.query.sql;
      });
    }
    return this.db;
  }

  /**
   * Runs one migration's `up` or `down` and returns its outcome; never throws for a failure of
   * the migration itself, which the ledger's history keeps.
   *
   * @example
   * const step = await executor.run(file, 'down'); // step.status: 'Success' | 'Error'
   */
  async run(file: MigrationFile, direction: Direction, options: RunOptions = {}): Promise<StepResult> {
    const started = performance.now();
    const source = await migrationSource(file);
    if (direction === 'down' && !(await source.module()).down) {
      return this.failed(
        file,
        direction,
        started,
        1,
        new Error(`${file.name} has no down(db); it cannot be reverted`),
        [],
      );
    }
    // The build's SQL of a shipped migration, sent in one round trip (see runsAsRecorded); after a
    // failure the migration runs statement by statement, so that the failure names its statement.
    let batch =
      direction === 'up' && !this.settings.enclosed && !options.aroundStatement && file.precompiled?.runnable === true;
    for (let attempt = 1; ; attempt++) {
      this.lastStatement = undefined;
      if (direction === 'up' && !source.transactional && !this.settings.enclosed) {
        await this.dropInvalidIndexes(source.statements);
      }
      const watch = this.watch();
      let failure: unknown;
      try {
        const durationMs = await this.once(file, direction, source, options, batch);
        await watch?.stop();
        return { name: file.name, phase: file.phase, status: 'Success', durationMs, attempts: attempt };
      } catch (cause) {
        await this.client
          .query(this.settings.enclosed ? `ROLLBACK TO SAVEPOINT ${SAVEPOINT}` : 'ROLLBACK')
          .catch(() => undefined);
        // A refusal of the caller's hook stands as it is; a lost connection is this migration's failure.
        if (cause instanceof RasdbError && !isConnectionLost(cause)) {
          await watch?.stop();
          throw cause;
        }
        failure = cause;
      }
      const blockers = (await watch?.stop()) ?? [];
      if (batch && !isConnectionLost(failure)) {
        batch = false;
        // A lock timeout is retried as any other (this try counts); any other failure is repeated
        // at once statement by statement, to say which statement failed. Nothing of it committed.
        if (!isLockTimeout(failure)) {
          attempt--;
          continue;
        }
      }
      if (isLockTimeout(failure) && attempt < this.settings.lockAttempts) {
        const delayMs = backoff(attempt);
        this.settings.onRetry?.({ name: file.name, attempt, attempts: this.settings.lockAttempts, delayMs, blockers });
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        continue;
      }
      return this.failed(file, direction, started, attempt, failure, blockers);
    }
  }

  /** One try: the migration and its ledger row commit together (or, without a transaction, in sequence). */
  private async once(
    file: MigrationFile,
    direction: Direction,
    source: MigrationSource,
    options: RunOptions,
    batch: boolean,
  ): Promise<number> {
    const transactional = source.transactional;
    const enclosed = Boolean(this.settings.enclosed);
    const started = performance.now();
    try {
      const opening = `${enclosed ? `SAVEPOINT ${SAVEPOINT}; ` : transactional ? 'BEGIN; ' : ''}${this.timeouts(transactional || enclosed)}`;
      const ledger = this.settings.ledger;
      if (batch && !options.inTransaction && transactional && !enclosed && ledger && direction === 'up') {
        // The whole step in one round trip: the migration, its ledger row and COMMIT.
        const entry = { name: file.name, phase: file.phase, checksum: source.checksum };
        const record = appliedRecordSql(
          this.client,
          { ...entry, durationMs: 'since the query began' },
          ledger.rasdbVersion,
        );
        const asynchronous = options.asynchronousCommit ? ['SET LOCAL synchronous_commit = off'] : [];
        await this.sendBatch(opening, [...source.statements, ...asynchronous, record, 'COMMIT']);
        return Math.round(performance.now() - started);
      }
      if (batch && !options.inTransaction) {
        await this.sendBatch(opening, source.statements);
      } else {
        await this.client.query(opening);
        await options.inTransaction?.(file, transactional || enclosed);
        if (batch) await this.sendBatch('', source.statements);
        else if (enclosed && !transactional) {
          for (const statement of await compileMigration(await source.module(), direction)) {
            await this.client.query(statement.replace(/\bconcurrently\b/i, ''));
          }
        } else {
          const [module, db] = await Promise.all([
            source.module(),
            options.aroundStatement ? this.observed(options.aroundStatement) : this.kysely(),
          ]);
          await (direction === 'up' ? module.up(db) : module.down?.(db));
        }
      }
      const durationMs = Math.round(performance.now() - started);
      if (enclosed) {
        await this.client.query(`RELEASE SAVEPOINT ${SAVEPOINT}`);
        return durationMs;
      }
      const beforeRecord = `${transactional ? '' : 'BEGIN; '}${options.asynchronousCommit ? 'SET LOCAL synchronous_commit = off; ' : ''}`;
      await this.commitWithRecord(beforeRecord, file, direction, source.checksum, durationMs);
      return durationMs;
    } finally {
      if (!transactional && !enclosed)
        await this.client.query('RESET lock_timeout; RESET statement_timeout').catch(() => undefined);
    }
  }

  /** A Kysely whose every query passes through `around` (see RunOptions.aroundStatement). */
  private async observed(around: NonNullable<RunOptions['aroundStatement']>): Promise<Kysely<any>> {
    const { kyselyOn } = await import('../db/single-client-pool.js');
    const client = this.client;
    const watched = new Proxy(client, {
      get(target, property) {
        if (property === 'query') {
          return (text: unknown, ...rest: unknown[]) =>
            around(typeof text === 'string' ? text : String((text as { text?: unknown }).text), () =>
              (target.query as (...args: unknown[]) => Promise<unknown>)(text, ...rest),
            );
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    return kyselyOn(watched, (event) => {
      this.lastStatement = event.query.sql;
    });
  }

  /**
   * Sends `statements` after `opening` as one simple query. PostgreSQL applies statement_timeout to
   * each statement of it, so the client's deadline allows one timeout per statement.
   */
  private async sendBatch(opening: string, statements: readonly string[]): Promise<void> {
    const text = [opening, ...statements].filter((part) => part.trim()).join(';\n');
    const query: QueryWithDeadline = {
      text,
      deadlineMs: batchDeadlineMs(this.settings.statementTimeoutMs, statements.length),
    };
    await this.client.query(query);
  }

  /** The ledger's row and COMMIT, in one round trip where the row is applied's. */
  private async commitWithRecord(
    beforeRecord: string,
    file: MigrationFile,
    direction: Direction,
    checksum: string,
    durationMs: number,
  ): Promise<void> {
    const ledger = this.settings.ledger;
    if (ledger && direction === 'up') {
      const entry = { name: file.name, phase: file.phase, checksum, durationMs };
      await this.client.query(`${beforeRecord}${appliedRecordSql(this.client, entry, ledger.rasdbVersion)};\nCOMMIT`);
      return;
    }
    if (beforeRecord) await this.client.query(beforeRecord);
    if (ledger) await recordReverted(this.client, { name: file.name, phase: file.phase, durationMs });
    await this.client.query('COMMIT');
  }

  private async failed(
    file: MigrationFile,
    direction: Direction,
    started: number,
    attempts: number,
    failure: unknown,
    blockers: Blocker[],
  ): Promise<StepResult> {
    const durationMs = Math.round(performance.now() - started);
    const sqlstate = isPgServerError(failure) ? failure.code : undefined;
    const base = firstLine(failure instanceof Error ? failure.message : String(failure));
    const message =
      sqlstate === LOCK_TIMEOUT_SQLSTATE
        ? `${base} after ${attempts} attempts; blocked by ${describeBlockers(blockers)}`
        : base;
    const connectionLost = isConnectionLost(failure);
    const error: StepError = {
      message,
      sqlstate,
      statement: this.lastStatement,
      ...(blockers.length ? { blockers } : {}),
      ...(connectionLost ? { connectionLost } : {}),
    };
    if (this.settings.ledger && !this.settings.enclosed && !connectionLost) {
      // Kept outside the rolled-back transaction, so the history shows what failed and why.
      await recordEvent(this.client, {
        name: file.name,
        phase: file.phase,
        event: 'failed',
        direction,
        durationMs,
        message,
        sqlstate,
        statement: error.statement,
      }).catch(() => undefined);
    }
    return { name: file.name, phase: file.phase, status: 'Error', durationMs, attempts, error };
  }

  /** Names the sessions that block this connection, from a second one, once a statement has waited a while. */
  private watch(): { stop(): Promise<Blocker[]> } | undefined {
    if (!this.settings.openSibling) return undefined;
    // pg sets processID from the server's BackendKeyData; its type definitions leave it out.
    const pid = (this.client as pg.Client & { readonly processID: number }).processID;
    return watchBlockers(this.settings.openSibling, pid, Math.min(500, this.settings.lockTimeoutMs / 2));
  }

  private timeouts(local: boolean): string {
    const scope = local ? 'SET LOCAL' : 'SET';
    // Values are validated integers; SET takes no bind parameters.
    const lock = Math.trunc(this.settings.lockTimeoutMs);
    const statement = Math.trunc(this.settings.statementTimeoutMs);
    return `${scope} lock_timeout = ${lock}; ${scope} statement_timeout = ${statement}`;
  }

  /**
   * A `CREATE INDEX CONCURRENTLY` that failed or was killed leaves an INVALID index behind, and
   * the retry would then fail on its name. Such leftovers of this migration's own indexes are dropped.
   */
  private async dropInvalidIndexes(statements: readonly string[]): Promise<void> {
    for (const statement of statements) {
      const match = /^create (?:unique )?index concurrently (?:if not exists )?"([^"]+)"/i.exec(statement.trim());
      if (!match) continue;
      const { rows } = await this.client.query(
        `SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
          WHERE c.relname = $1 AND c.relnamespace = 'public'::regnamespace AND NOT i.indisvalid`,
        [match[1]],
      );
      if (rows.length)
        await this.client.query(`DROP INDEX CONCURRENTLY IF EXISTS ${this.client.escapeIdentifier(match[1])}`);
    }
  }
}

/**
 * Runs `files` in order through `executor` and stops at the first failure: the rest are reported
 * `NotExecuted`. Every commit but the last is asynchronous (see RunOptions).
 *
 * @example
 * const steps = await runInOrder(executor, plan.pending, 'up', (step) => print(step));
 */
export async function runInOrder(
  executor: MigrationExecutor,
  files: readonly MigrationFile[],
  direction: Direction,
  onStep?: (step: StepResult) => void,
  inTransaction?: RunOptions['inTransaction'],
): Promise<StepResult[]> {
  const results: StepResult[] = [];
  for (const [index, file] of files.entries()) {
    if (results.some((r) => r.status === 'Error')) {
      results.push({ name: file.name, phase: file.phase, status: 'NotExecuted' });
      continue;
    }
    const step = await executor.run(file, direction, { asynchronousCommit: index < files.length - 1, inTransaction });
    results.push(step);
    onStep?.(step);
  }
  return results;
}

/** 1 s, 2 s, 4 s, ... capped at 30 s, with some jitter so two waiting runners do not retry in step. */
function backoff(attempt: number): number {
  const base = Math.min(30_000, 1000 * 2 ** (attempt - 1));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

function firstLine(text: string): string {
  return text.split('\n')[0];
}
