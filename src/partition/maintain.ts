import type pg from 'pg';
import { LockKey, withAdvisoryLock } from '../db/advisory-lock.js';
import {
  readPartitionTables,
  recordPartitionStep,
  savePartitionTable,
  type PartitionTableRecord,
} from '../ledger/partitions.js';
import { ensureLedger } from '../ledger/upgrade.js';
import { boundCheckName, futureName, msUntil, partitionsAhead, type Reading } from './bounds.js';
import { DEFAULT_LOCK_SETTINGS, lockedStep, type LockSettings } from './locked-step.js';
import { dataNow, readPartitions } from './partitions.js';
import { readPartitionStorage } from './storage.js';
import { quoted, stamp } from './sql-text.js';
import { futureStatements, PARTITIONS_PER_LOCK, rangeStatements } from './swap-sql.js';

export interface MaintainResult {
  table: string;
  created: string[];
  /** Rows that were in the far-future partition and now sit in the new partitions made for them. */
  movedFromFuture: number;
  /** The bound of an unfinished adoption whose CHECK was dropped before writers reached it. */
  boundLifted?: Reading;
}

/**
 * Makes the partitions that keep `premake` intervals ahead of now, a few in each short transaction
 * with lock_timeout and retries (creating a partition locks the parent, and the tables its foreign
 * keys reference, against writes). The far-future partition is split to make room: dropped when empty, or
 * detached, emptied of the rows the new partitions take (moved, not lost) and attached again
 * above them. Recorded in the partition history. Nothing to do is the usual case.
 *
 * @example
 * await maintainTable(client, record, async () => '2026-12-01 12:00:00', settings) // { created: ['api_call_logs_p202704'], ... }
 */
export async function maintainTable(
  client: pg.Client,
  record: PartitionTableRecord,
  now: () => Promise<Reading>,
  settings: LockSettings,
  runId?: number | null,
): Promise<MaintainResult> {
  const result: MaintainResult = { table: record.table, created: [], movedFromFuture: 0 };
  const current = await readPartitions(client, record.table);
  const future = current.find((p) => p.kind === 'future');
  if (!future || future.from === null) return result;
  const wanted = partitionsAhead(record.table, record.interval, future.from, await now(), record.premake);
  if (!wanted.length) return result;
  const t = quoted(record.table);
  const f = quoted(futureName(record.table));
  const storage = await readPartitionStorage(client, record.table);
  const run = async (statements: readonly string[]) => {
    for (const statement of statements) await client.query(statement);
  };
  // A few partitions a transaction (see PARTITIONS_PER_LOCK): each creation locks the parent
  // against writers, and the tables its foreign keys reference.
  for (let i = 0; i < wanted.length; i += PARTITIONS_PER_LOCK) {
    const batch = wanted.slice(i, i + PARTITIONS_PER_LOCK);
    const end = batch[batch.length - 1].to;
    const started = performance.now();
    await lockedStep(
      client,
      settings,
      record.table,
      'premake',
      async () => {
        // Dropped only when it holds no row at all; otherwise detached, the rows the new partitions
        // take moved into them, and attached again above them (its scan covers its few rows).
        const time = quoted(record.timeColumn);
        const { rows } = await client.query(
          `SELECT count(*)::int AS total, ${batch.map((p, n) => `count(*) FILTER (WHERE ${time} >= ${stamp(p.from)} AND ${time} < ${stamp(p.to)})::int AS s${n}`).join(', ')} FROM ${f}`,
        );
        const strays = batch.map((_, n) => Number(rows[0][`s${n}`]));
        if (Number(rows[0].total) === 0) {
          await client.query(`DROP TABLE ${f}`);
          for (const p of batch) await run(rangeStatements(record.table, p, storage));
          await run(futureStatements(record.table, end, storage));
        } else {
          await client.query(`ALTER TABLE ${t} DETACH PARTITION ${f}`);
          for (const p of batch) await run(rangeStatements(record.table, p, storage));
          await client.query(
            `WITH moved AS (DELETE FROM ${f} WHERE ${time} < ${stamp(end)} RETURNING *) INSERT INTO ${t} SELECT * FROM moved`,
          );
          await client.query(`ALTER TABLE ${t} ATTACH PARTITION ${f} FOR VALUES FROM (${stamp(end)}) TO (MAXVALUE)`);
        }
        for (const [n, p] of batch.entries()) {
          await recordPartitionStep(client, {
            table: record.table,
            step: 'premake',
            outcome: 'done',
            durationMs: performance.now() - started,
            detail: { created: p.name, from: p.from, to: p.to, movedFromFuture: strays[n] },
            runId,
          });
        }
        result.created.push(...batch.map((p) => p.name));
        result.movedFromFuture += strays.reduce((a, b) => a + b, 0);
      },
      { runId },
    );
  }
  return result;
}

/**
 * `rasdb partition maintain`: makes partitions ahead for every table rasdb partitions, under the
 * retention lock and then the migration lock.
 *
 * @example
 * await maintainAll(client, { timeZone: 'UTC' }) // [{ table: 'api_call_logs', created: [], movedFromFuture: 0 }]
 */
export async function maintainAll(
  client: pg.Client,
  options: Partial<LockSettings> & { timeZone: string; lockWaitMs?: number },
): Promise<MaintainResult[]> {
  const settings = { ...DEFAULT_LOCK_SETTINGS, ...stripUndefined(options) };
  const wait = options.lockWaitMs ?? 60_000;
  return withAdvisoryLock(client, LockKey.retention, wait, () =>
    withAdvisoryLock(client, LockKey.migrate, wait, async () => {
      await ensureLedger(client);
      return maintainUnlocked(client, options.timeZone, settings);
    }),
  );
}

/**
 * Maintains every partitioned table, for a caller that holds the locks (prune holds the retention
 * lock and takes the migration lock around this).
 *
 * @example
 * await maintainUnlocked(client, 'UTC', DEFAULT_LOCK_SETTINGS, runId);
 */
export async function maintainUnlocked(
  client: pg.Client,
  timeZone: string,
  settings: LockSettings,
  runId?: number | null,
): Promise<MaintainResult[]> {
  const now = async (): Promise<Reading> => dataNow(client, timeZone);
  const out: MaintainResult[] = [];
  for (const record of await readPartitionTables(client)) {
    if (record.state === 'adopting') {
      const lifted = await liftUnfinishedBound(client, record, await now(), settings, runId);
      if (lifted) out.push(lifted);
      continue;
    }
    if (record.state !== 'partitioned') continue;
    out.push(await maintainTable(client, record, now, settings, runId));
  }
  return out;
}

/** How close an unfinished adoption's bound may come before maintain lifts it. */
const LIFT_WITHIN_MS = 48 * 3_600_000;

/**
 * An adoption that stopped after its CHECK (time < C) was added (a killed or failed enable) leaves
 * a plain table that will reject every row dated C or later. No enable is running while maintain
 * holds the locks enable takes, so none will finish it in time: once C is less than two days
 * ahead (a daily cron sees it at least once before), the CHECK is dropped and the bound forgotten.
 * The next enable chooses a new bound and validates again. Recorded in the partition history.
 */
async function liftUnfinishedBound(
  client: pg.Client,
  record: PartitionTableRecord,
  now: Reading,
  settings: LockSettings,
  runId?: number | null,
): Promise<MaintainResult | null> {
  if (record.bound === null || msUntil(record.bound, now) > LIFT_WITHIN_MS) return null;
  const check = boundCheckName(record.table);
  const { rows } = await client.query(
    `SELECT 1 FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
      WHERE c.relname = $1 AND c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND k.conname = $2`,
    [record.table, check],
  );
  if (!rows.length) return null;
  const started = performance.now();
  await lockedStep(client, settings, record.table, 'bound-check', async () => {
    await client.query(`ALTER TABLE ${quoted(record.table)} DROP CONSTRAINT ${quoted(check)}`);
    await savePartitionTable(client, { ...record, bound: null });
    await recordPartitionStep(client, {
      table: record.table,
      step: 'bound-lifted',
      outcome: 'done',
      durationMs: performance.now() - started,
      runId,
      detail: { bound: record.bound, reason: 'an unfinished adoption, its bound less than 48 hours ahead' },
    });
  });
  return { table: record.table, created: [], movedFromFuture: 0, boundLifted: record.bound };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
