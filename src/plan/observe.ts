import type pg from 'pg';
import { closeClient } from '../db/session.js';
import { withTransaction } from '../db/transaction.js';
import { ExitCode, RasdbError } from '../errors.js';
import { MigrationExecutor, type Direction } from '../migrate/executor.js';
import { executorSettings } from '../migrate/migrate.js';
import type { MigrationFile } from '../migrate/migration-files.js';
import { conflicts, LOCK_MODES, lockRank, type LockMode } from './lock-modes.js';
import { locksOf, ownSnapshot, relationsNow, type HeldLock, type RelationInfo } from './relations.js';
import { shortSql } from './short-sql.js';
import type { MigrationLocks, RelationLock, StatementLocks } from './types.js';

/** How often the second connection reads the locks of a statement that runs outside a transaction. */
const POLL_MS = 2;

interface Seen {
  readonly info: RelationInfo;
  modes: Set<LockMode>;
  granted: boolean;
  rewrite: boolean;
  scan: boolean | null;
}

interface RawStatement {
  readonly sql: string;
  readonly observedFrom: StatementLocks['observedFrom'];
  readonly startedAt: number;
  readonly durationMs: number;
  readonly seen: Seen[];
}

/**
 * Runs `files` in order on the scratch database by the one executor (each in its own transaction
 * unless it opts out, as `migrate` runs them, but without a ledger), and reads after each of their
 * statements what it locked: in a transaction, from pg_locks of its own backend (with the
 * relfilenode and the server's scan count of every relation that existed before, for rewrites and
 * full scans); outside one (CREATE INDEX CONCURRENTLY), from a second connection, while a third
 * holds ROW EXCLUSIVE on every table so that the statement waits where it would wait behind a
 * writer and its locks can be read while it waits.
 *
 * @example
 * const migrations = await observeMigrations(scratch, pending, 'up', openScratch);
 */
export async function observeMigrations(
  scratch: pg.Client,
  files: readonly MigrationFile[],
  direction: Direction,
  openScratch: () => Promise<pg.Client>,
): Promise<MigrationLocks[]> {
  const executor = new MigrationExecutor(scratch, { ...executorSettings({}), ledger: null });
  const atStart = await relationsNow(scratch);
  const outside = new OutsideObserver(scratch, openScratch);
  const result: MigrationLocks[] = [];
  try {
    for (const file of files) {
      result.push(await observeOne(scratch, executor, file, direction, atStart, outside));
    }
  } finally {
    await outside.close();
  }
  return result;
}

async function observeOne(
  scratch: pg.Client,
  executor: MigrationExecutor,
  file: MigrationFile,
  direction: Direction,
  atStart: ReadonlyMap<number, RelationInfo>,
  outside: OutsideObserver,
): Promise<MigrationLocks> {
  let before = new Map<number, RelationInfo>();
  let atMigrationStart = new Set<number>();
  const known = new Map<number, RelationInfo>();
  let statements: RawStatement[] = [];
  let transactional = true;
  let held = new Set<string>();
  const started = performance.now();
  const step = await executor.run(file, direction, {
    // Inside the migration's transaction (when it has one): the server flushes its scan counts only
    // between transactions, so counts read here and after each statement are this transaction's.
    inTransaction: async (_file, transaction) => {
      transactional = transaction;
      before = await relationsNow(scratch);
      atMigrationStart = new Set(before.keys());
      for (const [oid, info] of before) known.set(oid, info);
      statements = [];
      held = new Set();
    },
    aroundStatement: async (sql, run) => {
      const startedAt = performance.now();
      if (!transactional) {
        const { value, seen } = await outside.observe(run, before, known);
        statements.push({
          sql,
          observedFrom: 'second-connection',
          startedAt,
          durationMs: performance.now() - startedAt,
          seen,
        });
        // Each statement commits by itself: the next one starts from what this one left.
        before = await relationsNow(scratch);
        for (const [oid, info] of before) known.set(oid, info);
        return value;
      }
      const value = await run();
      const durationMs = performance.now() - startedAt;
      const snapshot = await ownSnapshot(scratch, [...before.keys()], [...known.keys()]);
      for (const info of snapshot.named) known.set(info.oid, info);
      const now = new Set(snapshot.locks.map((l) => `${l.oid}:${l.mode}`));
      const fresh = snapshot.locks.filter((l) => !held.has(`${l.oid}:${l.mode}`));
      held = now;
      const seen = collect(fresh, known);
      // A rewrite or a scan under a lock an earlier statement took is this statement's too.
      for (const [oid, state] of snapshot.state) {
        const was = before.get(oid);
        if (!was) continue;
        const rewrite = was.relfilenode !== 0 && state.relfilenode !== was.relfilenode;
        // An index's count is of index scans (a foreign key's lookups), not a read of a whole table.
        const scan = state.scans > was.scans && (was.kind === 'table' || was.kind === 'materialized view');
        before.set(oid, { ...was, relfilenode: state.relfilenode, scans: state.scans });
        if (!rewrite && !scan) continue;
        let entry = seen.find((s) => s.info.oid === oid);
        if (!entry) {
          const modes = snapshot.locks.filter((l) => l.oid === oid).map((l) => l.mode);
          entry = { info: was, modes: new Set(modes), granted: true, rewrite: false, scan: false };
          seen.push(entry);
        }
        entry.rewrite ||= rewrite;
        entry.scan = Boolean(entry.scan) || scan;
      }
      statements.push({ sql, observedFrom: 'own-backend', startedAt, durationMs, seen });
      return value;
    },
  });
  const ended = performance.now();
  if (step.status !== 'Success') {
    throw new RasdbError(
      ExitCode.failed,
      `${file.name} failed on the scratch database, so its locks cannot be observed: ${step.error?.message ?? 'not run'}`,
      { migration: file.name, statement: step.error?.statement },
    );
  }
  const total = statements.length;
  return {
    name: file.name,
    phase: file.phase,
    direction,
    transactional,
    durationMsOnScratch: Math.round(ended - started),
    statements: statements.map((s, i) => ({
      index: i + 1,
      sql: s.sql,
      short: shortSql(s.sql),
      observedFrom: s.observedFrom,
      durationMsOnScratch: round(s.durationMs),
      locks: s.seen
        .filter((entry) => entry.modes.size > 0)
        // pg_locks lists them in no set order: by name, so that a report reads the same every time.
        .sort((a, b) => (a.info.relation < b.info.relation ? -1 : a.info.relation > b.info.relation ? 1 : 0))
        .map((entry): RelationLock => {
          const modes = LOCK_MODES.filter((m) => entry.modes.has(m));
          const existedBefore = atMigrationStart.has(entry.info.oid);
          return {
            relation: entry.info.relation,
            kind: entry.info.kind,
            ...(entry.info.table ? { table: entry.info.table } : {}),
            mode: modes.reduce((a, b) => (lockRank(b) > lockRank(a) ? b : a)),
            modes,
            granted: entry.granted,
            origin: !existedBefore ? 'new' : atStart.has(entry.info.oid) ? 'existing' : 'earlier',
            existedBefore,
            rewrite: entry.rewrite,
            scan: entry.scan,
            heldUntil: transactional ? 'end of transaction' : 'end of statement',
            heldThroughStatements: transactional ? total - i : 1,
            heldMsOnScratch: round(transactional ? ended - s.startedAt : s.durationMs),
          };
        }),
    })),
  };
}

function collect(locks: readonly HeldLock[], known: ReadonlyMap<number, RelationInfo>): Seen[] {
  const byOid = new Map<number, Seen>();
  for (const lock of locks) {
    const info = known.get(lock.oid);
    if (!info) continue; // made and dropped again within the statement
    const entry = byOid.get(lock.oid) ?? { info, modes: new Set(), granted: true, rewrite: false, scan: false };
    entry.modes.add(lock.mode);
    entry.granted &&= lock.granted;
    byOid.set(lock.oid, entry);
  }
  return [...byOid.values()];
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** A transaction on another connection holding ROW EXCLUSIVE on tables, as a writer of the application would. */
interface Holder {
  readonly slot: number;
  readonly pid: number;
  release(): Promise<void>;
}

/** How many times a statement outside a transaction is held up and let go again, at most. */
const MAX_ROUNDS = 20;

/**
 * Watches statements that run outside a transaction from other connections to the scratch
 * database. A holder takes ROW EXCLUSIVE on every table, as the application's writers would hold
 * it, so a statement that must wait for writers (CREATE INDEX CONCURRENTLY, DETACH CONCURRENTLY)
 * or needs a lock a writer blocks waits, and a watcher reads its locks while it waits. Then a second
 * holder takes over every table the statement neither holds nor waits for, the first lets go, and
 * the statement goes on to its next wait, until it finishes: each wait is seen, not just the first.
 * A holder gives up after a short lock_timeout rather than ever waiting on the statement.
 */
class OutsideObserver {
  private readonly slots: (pg.Client | undefined)[] = [undefined, undefined];
  private watcher: pg.Client | undefined;

  constructor(
    private readonly scratch: pg.Client,
    private readonly openScratch: () => Promise<pg.Client>,
  ) {}

  async observe<T>(
    run: () => Promise<T>,
    before: ReadonlyMap<number, RelationInfo>,
    known: Map<number, RelationInfo>,
  ): Promise<{ value: T; seen: Seen[] }> {
    this.watcher ??= await this.openScratch();
    const watcher = this.watcher;
    const tables = [...before.values()].filter((r) => r.kind === 'table' || r.kind === 'partitioned table');
    let holder = await this.hold(0, tables);
    const pid = (this.scratch as pg.Client & { readonly processID: number }).processID;
    const observed = new Map<string, HeldLock>();
    let settled = false;
    const running = run().finally(() => {
      settled = true;
    });
    running.catch(() => undefined);
    try {
      for (let rounds = 0; !settled;) {
        const { locks, blockedByHolder } = await locksOf(watcher, pid, holder?.pid);
        for (const lock of locks) {
          const key = `${lock.oid}:${lock.mode}`;
          const was = observed.get(key);
          observed.set(key, { ...lock, granted: lock.granted || Boolean(was?.granted) });
        }
        if (holder && blockedByHolder) {
          // What the statement holds against writers, or waits for, the next holder leaves alone.
          const busy = new Set(
            locks.filter((l) => !l.granted || conflicts(l.mode, 'RowExclusiveLock')).map((l) => l.oid),
          );
          const next =
            ++rounds < MAX_ROUNDS
              ? await this.hold(
                  1 - holder.slot,
                  tables.filter((t) => !busy.has(t.oid)),
                )
              : undefined;
          await holder.release();
          holder = next;
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    } finally {
      await holder?.release();
    }
    const value = await running;
    const after = await relationsNow(this.scratch);
    for (const [oid, info] of after) if (!known.has(oid)) known.set(oid, info);
    const seen = collect([...observed.values()], known);
    for (const entry of seen) {
      const was = before.get(entry.info.oid);
      const now = after.get(entry.info.oid);
      entry.rewrite = Boolean(was && now && was.relfilenode !== 0 && now.relfilenode !== was.relfilenode);
      // Outside a transaction the server's scan counts are not this statement's alone.
      entry.scan = null;
    }
    return { value, seen };
  }

  /** Opens a holder on slot `slot` locking `tables`; none when it cannot get them at once. */
  private async hold(slot: number, tables: readonly RelationInfo[]): Promise<Holder | undefined> {
    const client = (this.slots[slot] ??= await this.openScratch());
    let release = (): void => undefined;
    const releasing = new Promise<void>((resolve) => (release = resolve));
    let locked = (): void => undefined;
    const holding = withTransaction(
      client,
      async () => {
        if (tables.length) {
          // ONLY: each table is listed itself, and a parent must not drag in a partition left alone.
          const list = tables.map(
            (t) =>
              `ONLY ${t.relation
                .split('.')
                .map((part) => client.escapeIdentifier(part))
                .join('.')}`,
          );
          await client.query(`LOCK TABLE ${list.join(', ')} IN ROW EXCLUSIVE MODE`);
        }
        locked();
        await releasing;
      },
      { settings: [`lock_timeout = ${HOLDER_LOCK_TIMEOUT_MS}`] },
    );
    try {
      await Promise.race([new Promise<void>((resolve) => (locked = resolve)), holding]);
    } catch {
      return undefined;
    }
    return {
      slot,
      pid: (client as pg.Client & { readonly processID: number }).processID,
      release: async () => {
        release();
        await holding.catch(() => undefined);
      },
    };
  }

  async close(): Promise<void> {
    for (const client of [...this.slots, this.watcher]) if (client) await closeClient(client);
  }
}

/** Well under deadlock_timeout (1 s): a holder that would wait gives up long before a deadlock is looked for. */
const HOLDER_LOCK_TIMEOUT_MS = 200;
