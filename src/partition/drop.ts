import type pg from 'pg';
import { inTurns } from '../db/in-turns.js';
import { closeClient } from '../db/session.js';
import { ExitCode, RasdbError } from '../errors.js';
import { readPartitionTables, recordPartitionStep } from '../ledger/partitions.js';
import { boundCheckName, legacyName, type Reading } from './bounds.js';
import { identityStatement, readPartitionStorage, withClause, type PartitionStorage } from './storage.js';
import { lockedStep, type LockSettings } from './locked-step.js';
import { readPartitions, type PartitionInfo } from './partitions.js';
import { partitionEnd } from './status.js';
import { quoted, stamp } from './sql-text.js';

/** A partition dropped whole, or one past the cutoff kept, and why. */
export interface PartitionOutcome {
  name: string;
  from: Reading | null;
  to: Reading | null;
  rows: number;
  /** How long the parent's ACCESS EXCLUSIVE lock was held by the DROP, its commit included. */
  parentLockMs?: number;
}

export interface DropResult {
  dropped: PartitionOutcome[];
  kept: (PartitionOutcome & { reason: string })[];
}

export interface DropInput {
  table: string;
  /** Rows before this may go (the policy's effective cutoff: horizon, summaries, late rows). */
  cutoff: Reading;
  runId: number | null;
  settings: LockSettings;
  /**
   * Called inside the drop's transaction, with the partition locked: why a row of it must stay
   * (a hold, a row not yet summarized, a reference), or null when none must. It may take locks
   * that make new holds wait.
   */
  keep: (partition: string, client: pg.Client) => Promise<string | null>;
  /** Called inside the same transaction (on `client`) with the rows dropped, for the run's record. */
  onDropped: (partition: PartitionOutcome, client: pg.Client) => Promise<void>;
  /**
   * A second connection, set up as the first, so that two partitions are dropped at once (see
   * dropExpiredPartitions); without it, or when it cannot be opened, they go one after another.
   * It is closed here.
   */
  openWorker?: () => Promise<pg.Client>;
}

/**
 * Drops every partition of `table` wholly before `cutoff` none of whose rows must stay, each in a
 * short transaction with lock_timeout and retries: the partition is locked alone first (its rows
 * counted, and `keep` asked, under that lock), then dropped, which locks the parent but not the
 * tables its foreign keys reference. The adopted heap (the DEFAULT partition) goes too once its
 * bound is past and it holds no row without a time: an empty DEFAULT partition with the same CHECK
 * takes its place in the same transaction. Each drop is recorded in the partition history with
 * the run's id; a partition kept is reported with its reason. An unpartitioned table drops nothing.
 *
 * @example
 * await dropExpiredPartitions(client, { table: 'api_call_logs', cutoff: '2026-09-01 00:00:00', runId, settings, keep, onDropped })
 */
export async function dropExpiredPartitions(client: pg.Client, input: DropInput): Promise<DropResult> {
  const result: DropResult = { dropped: [], kept: [] };
  const record = (await readPartitionTables(client)).find((r) => r.table === input.table && r.state === 'partitioned');
  if (!record) return result;
  const due = (await readPartitions(client, input.table)).filter((p) => expired(p, record.bound, input.cutoff));
  // Two at a time: a TRUNCATE's commit spends its tens of milliseconds in the file system freeing
  // the partition's files, while the other connection counts and checks the next partition on the
  // CPU. Each partition is still one transaction of its own, locking only itself (and, for its
  // DROP, the parent for a moment); a third connection would only wait on the same disk. What
  // takes the parent's lock for a whole transaction stays on this connection, one at a time: the
  // adopted heap (dropped, and a new DEFAULT made) and partitions that a foreign key points at
  // (DETACH also locks the tables referencing them), which two sessions would deadlock over.
  const alone = due.filter((p) => p.kind === 'legacy');
  const paired = due.filter((p) => p.kind !== 'legacy');
  const clients = [client];
  if (input.openWorker && paired.length > 1 && !(await referenced(client, input.table))) {
    // A second connection is a speed-up, not a need: a server or role at its connection limit
    // (or any other refusal) leaves the prune on its one connection.
    const worker = await input.openWorker().catch(() => undefined);
    if (worker) clients.push(worker);
  }
  try {
    await inTurns(paired, clients, (p, on) => dropPartition(on, input, record, p, result));
  } finally {
    for (const extra of clients.slice(1)) await closeClient(extra);
  }
  for (const p of alone) await dropPartition(client, input, record, p, result);
  // Reported in the partitions' order, whichever connection finished first.
  const order = (o: PartitionOutcome) => due.findIndex((p) => p.name === o.name);
  result.dropped.sort((a, b) => order(a) - order(b));
  result.kept.sort((a, b) => order(a) - order(b));
  return result;
}

/** One transaction of a drop, on `client`, with the run's lock settings and retries, recorded under the run. */
const dropStep = (client: pg.Client, input: DropInput, work: () => Promise<void>): Promise<void> =>
  lockedStep(client, input.settings, input.table, 'drop', work, { runId: input.runId });

/** One expired partition: counted and checked under its own lock, then emptied and dropped, or kept with the reason. */
async function dropPartition(
  client: pg.Client,
  input: DropInput,
  record: { timeColumn: string; bound: Reading | null },
  p: PartitionInfo,
  result: DropResult,
): Promise<void> {
  let emptied: PartitionOutcome | undefined;
  await dropStep(client, input, async () => {
    // SHARE: readers of the parent go on while the rows are counted and checked; writes to
    // this partition (a late row) wait.
    await client.query(`LOCK TABLE ${quoted(p.name)} IN SHARE MODE`);
    const started = performance.now();
    // Counted through an index (the visibility map spares the heap), not by reading the heap.
    await client.query('SET LOCAL enable_seqscan = off');
    const outcome: PartitionOutcome = {
      name: p.name,
      from: p.from,
      to: partitionEnd(p, record.bound),
      rows: await count(client, p.name),
    };
    const reason =
      p.kind === 'legacy' && (await hasTimeless(client, p.name, record.timeColumn))
        ? 'rows_without_time'
        : await input.keep(p.name, client);
    if (reason) {
      result.kept.push({ ...outcome, reason });
      return;
    }
    await client.query('SET LOCAL enable_seqscan = on');
    const whole = p.kind === 'legacy' || (await referenced(client, p.name));
    if (whole) {
      // A foreign key onto the parent depends on every partition: DETACH (which checks that
      // no row references the partition's rows) frees it; TRUNCATE would refuse.
      if (p.kind !== 'legacy') {
        await client.query(`ALTER TABLE ${quoted(input.table)} DETACH PARTITION ${quoted(p.name)}`);
      }
      // The partitions made later copy the adopted heap's storage: its replacement keeps it.
      const storage = p.kind === 'legacy' ? await readPartitionStorage(client, input.table) : null;
      await client.query(`DROP TABLE ${quoted(p.name)}`);
      if (storage) await replaceDefault(client, input.table, record.timeColumn, record.bound as Reading, storage);
    } else {
      // Stage one: TRUNCATE locks only this partition, and its commit returns the space
      // (the unlink of the files, tens of milliseconds, happens under this lock, not the parent's).
      await client.query(`TRUNCATE ${quoted(p.name)}`);
      emptied = outcome;
    }
    await input.onDropped(outcome, client);
    await recordPartitionStep(client, {
      table: input.table,
      step: whole ? 'drop' : 'truncate',
      outcome: 'done',
      runId: input.runId,
      // From the partition's SHARE lock to just before the commit.
      durationMs: performance.now() - started,
      detail: { partition: p.name, from: outcome.from, to: outcome.to, rows: outcome.rows, cutoff: input.cutoff },
    });
    if (whole) result.dropped.push(outcome);
  });
  if (emptied) await dropEmptied(client, input, emptied, result);
}

/** Whether every row the partition can hold is before the cutoff. The far-future partition never is. */
function expired(p: PartitionInfo, bound: Reading | null, cutoff: Reading): boolean {
  if (p.kind === 'future') return false;
  const end = partitionEnd(p, bound);
  return end !== null && end <= cutoff;
}

async function count(client: pg.Client, partition: string): Promise<number> {
  const { rows } = await client.query(`SELECT count(*)::bigint AS n FROM ${quoted(partition)}`);
  return Number(rows[0].n);
}

async function hasTimeless(client: pg.Client, partition: string, timeColumn: string): Promise<boolean> {
  const { rows } = await client.query(
    `SELECT EXISTS (SELECT 1 FROM ${quoted(partition)} WHERE ${quoted(timeColumn)} IS NULL) AS any`,
  );
  return rows[0].any;
}

async function referenced(client: pg.Client, partition: string): Promise<boolean> {
  const { rows } = await client.query(
    `SELECT EXISTS (SELECT 1 FROM pg_constraint WHERE contype = 'f' AND confrelid = to_regclass(quote_ident($1))) AS any`,
    [partition],
  );
  return rows[0].any;
}

/**
 * How far row-wise prune goes on a partitioned table: not into a range partition that straddles
 * the cutoff. Such a partition goes whole once its upper bound is past the cutoff (as TimescaleDB
 * keeps whole chunks: the horizon rounds up to a partition bound, never down), so its rows are
 * never deleted one by one. Below that, row-wise prune still reaches the adopted heap (the DEFAULT
 * partition, before C) and what is left of partitions kept for a hold or a reference.
 *
 * @example
 * await rowWiseCutoff(client, 'api_call_logs', '2026-03-03 00:00:00') // '2026-03-01 00:00:00'
 */
export async function rowWiseCutoff(client: pg.Client, table: string, cutoff: Reading): Promise<Reading> {
  const record = (await readPartitionTables(client)).find((r) => r.table === table && r.state === 'partitioned');
  if (!record) return cutoff;
  const straddling = (await readPartitions(client, table)).find(
    (p) => p.kind === 'range' && p.from !== null && p.to !== null && p.from < cutoff && cutoff < p.to,
  );
  return straddling?.from ?? cutoff;
}

/**
 * Stage two: DROP of the emptied partition, which locks the parent for the few milliseconds an
 * empty table takes. When that lock cannot be had in the retries, the empty partition stays (its
 * rows are gone and recorded) and the next run drops it.
 */
async function dropEmptied(
  client: pg.Client,
  input: DropInput,
  p: PartitionOutcome,
  result: DropResult,
): Promise<void> {
  const started = performance.now();
  try {
    await dropStep(client, input, async () => {
      await client.query(`DROP TABLE ${quoted(p.name)}`);
      await recordPartitionStep(client, {
        table: input.table,
        step: 'drop',
        outcome: 'done',
        runId: input.runId,
        detail: { partition: p.name, from: p.from, to: p.to, rows: 0, truncatedRows: p.rows, cutoff: input.cutoff },
      });
    });
    result.dropped.push({ ...p, parentLockMs: Math.round(performance.now() - started) });
  } catch (error) {
    if (!(error instanceof RasdbError) || error.exitCode !== ExitCode.busy) throw error;
    result.kept.push({ ...p, reason: 'emptied; its DROP waits for the lock on the parent' });
  }
}

/** The adopted heap dropped: an empty DEFAULT partition with the same CHECK and storage takes its place. */
async function replaceDefault(
  client: pg.Client,
  table: string,
  timeColumn: string,
  bound: Reading,
  storage: PartitionStorage,
): Promise<void> {
  const name = quoted(legacyName(table));
  await client.query(`CREATE TABLE ${name} PARTITION OF ${quoted(table)} DEFAULT${withClause(storage)}`);
  const identity = identityStatement(name, storage);
  if (identity) await client.query(identity);
  await client.query(
    `ALTER TABLE ${quoted(legacyName(table))} ADD CONSTRAINT ${quoted(boundCheckName(table))} CHECK (${quoted(timeColumn)} < ${stamp(bound)})`,
  );
}
