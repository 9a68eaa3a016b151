import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli } from './support/cli.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { atNow, retentionState, seedRetentionData } from './support/retention-data.js';

/**
 * Crash safety and mutual exclusion of retention runs, with the CLI as a separate process:
 * two prunes at once, and kill -9 at a random moment of a prune or a summarize, then a re-run,
 * compared with an uninterrupted run on an identical copy (CREATE DATABASE ... TEMPLATE).
 */
const TRIALS = 3;
const BATCH = ['--batch-size', '5'];

let seeded: TestDatabase;
let summarized: TestDatabase;
const created: TestDatabase[] = [];
const env = (db: TestDatabase) => ({ DATABASE_URL: db.url });

async function copyOf(template: TestDatabase, label: string): Promise<TestDatabase> {
  const db = await createTestDatabase(label, { template: template.name });
  created.push(db);
  return db;
}

async function retention(db: TestDatabase, args: string[]) {
  const result = await runCli(['retention', ...atNow(args)], { env: env(db) });
  expect(result.code, result.stderr).toBe(0);
  return result;
}

beforeAll(async () => {
  seeded = await createTestDatabase('rt_crash_seeded');
  expect((await runCli(['migrate', '-q'], { env: { DATABASE_URL: seeded.url } })).code).toBe(0);
  await seedRetentionData(seeded);
  summarized = await copyOf(seeded, 'rt_crash_summarized');
  await retention(summarized, ['summarize']);
});
afterAll(async () => {
  for (const db of [...created, seeded]) await db.drop();
});

/** Starts the CLI; resolves with its exit code and signal when it ends. */
function start(db: TestDatabase, args: string[]) {
  const child = spawn(process.execPath, [BIN, 'retention', ...atNow(args)], {
    env: { ...process.env, ...env(db), NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, ended };
}

/** Waits until the run has recorded itself and done some work, then kills it at a random moment. */
async function killMidRun(db: TestDatabase, args: string[]): Promise<boolean> {
  const { child, ended } = start(db, args);
  let exited = false;
  void ended.then(() => (exited = true));
  const client = await db.connect();
  try {
    for (let i = 0; i < 400 && !exited; i++) {
      // Until the run has made retention's ledger tables (a first run after migrate does), none is listed.
      const { rows } = await client
        .query(
          `SELECT count(*)::int AS n FROM rasdb.retention_run_steps s JOIN rasdb.retention_runs r ON r.id = s.run_id WHERE r.outcome = 'running' AND s.batches > 0`,
        )
        .catch((error) => {
          if (error.code === '42P01') return { rows: [{ n: 0 }] };
          throw error;
        });
      if (rows[0].n > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } finally {
    await client.end();
  }
  await new Promise((resolve) => setTimeout(resolve, Math.random() * 300));
  const killedWhileRunning = !exited;
  child.kill('SIGKILL');
  await ended;
  return killedWhileRunning;
}

// About 45 s on an idle machine; the limit leaves room for a loaded CI box.
describe('retention runs under concurrency and crashes', { timeout: 180_000 }, () => {
  it('two prunes started together: one works, the other exits 5 at once', async () => {
    const db = await copyOf(summarized, 'rt_crash_two');
    const reference = await copyOf(summarized, 'rt_crash_two_ref');
    await retention(reference, ['prune', ...BATCH]);
    const started = performance.now();
    const [a, b] = [start(db, ['prune', ...BATCH]), start(db, ['prune', ...BATCH])];
    const results = await Promise.all([
      a.ended.then((r) => ({ ...r, ms: performance.now() - started })),
      b.ended.then((r) => ({ ...r, ms: performance.now() - started })),
    ]);
    expect(results.map((r) => r.code).sort()).toEqual([0, 5]);
    const [winner, loser] = results[0].code === 0 ? results : [results[1], results[0]];
    expect(loser.stderr).toContain('another rasdb run holds the lock');
    expect(loser.ms).toBeLessThan(winner.ms);
    expect(await retentionState(db)).toEqual(await retentionState(reference));
  });

  it('kill -9 during prune, then a re-run: the end state of an uninterrupted run, and the history shows the kill', async () => {
    const reference = await copyOf(summarized, 'rt_crash_prune_ref');
    await retention(reference, ['prune', ...BATCH]);
    const expected = await retentionState(reference);
    let kills = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      const db = await copyOf(summarized, `rt_crash_prune_${trial}`);
      const killedWhileRunning = await killMidRun(db, ['prune', ...BATCH]);
      kills += Number(killedWhileRunning);
      await retention(db, ['prune', ...BATCH, '--lock-wait', '20s']);
      expect(await retentionState(db)).toEqual(expected);
      const runs = await db.query(`SELECT kind, outcome FROM rasdb.retention_runs WHERE kind = 'prune' ORDER BY id`);
      expect(runs).toEqual([
        { kind: 'prune', outcome: killedWhileRunning ? 'interrupted' : 'succeeded' },
        { kind: 'prune', outcome: 'succeeded' },
      ]);
      if (killedWhileRunning) {
        // What the killed run committed, batch by batch, is on its record.
        const [{ deleted }] = await db.query(
          `SELECT sum(rows_deleted)::int AS deleted FROM rasdb.retention_run_steps s JOIN rasdb.retention_runs r ON r.id = s.run_id WHERE r.outcome = 'interrupted'`,
        );
        expect(deleted).toBeGreaterThan(0);
      }
    }
    expect(kills).toBeGreaterThan(0);
  });

  it('kill -9 during summarize, then a re-run: the same summaries as an uninterrupted run', async () => {
    const expected = await retentionState(summarized);
    let kills = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      const db = await copyOf(seeded, `rt_crash_summarize_${trial}`);
      const killedWhileRunning = await killMidRun(db, ['summarize', '--buckets-per-transaction', '1']);
      kills += Number(killedWhileRunning);
      await retention(db, ['summarize', '--lock-wait', '20s']);
      expect(await retentionState(db)).toEqual(expected);
      const outcomes = (await db.query(`SELECT outcome FROM rasdb.retention_runs ORDER BY id`)).map((r) => r.outcome);
      expect(outcomes).toEqual([killedWhileRunning ? 'interrupted' : 'succeeded', 'succeeded']);
    }
    expect(kills).toBeGreaterThan(0);
  });
});
