import { spawn } from 'node:child_process';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultMigrationsDir, listMigrations } from '../src/migrate/migration-files.js';
import { BIN, runCli } from './support/cli.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

const FILES = listMigrations(defaultMigrationsDir());

let db: TestDatabase;
beforeEach(async () => {
  db = await createTestDatabase('locks');
});
afterEach(async () => {
  await db.drop();
});

describe('two runners at once', () => {
  it('ten migrate processes started together apply every migration exactly once', async () => {
    const runs = await Promise.all(
      Array.from({ length: 10 }, () =>
        runCli(['migrate', '--json', '--lock-wait', '2min'], { env: { DATABASE_URL: db.url }, timeoutMs: 150_000 }),
      ),
    );
    for (const run of runs) expect([0, 5], run.stderr).toContain(run.code);
    const applied = await db.query(
      `SELECT name, count(*)::int AS n FROM rasdb.migration_events WHERE event = 'applied' GROUP BY name ORDER BY name`,
    );
    expect(applied).toEqual(FILES.map((f) => ({ name: f.name, n: 1 })).sort((a, b) => a.name.localeCompare(b.name)));
    expect(await db.query(`SELECT count(*)::int AS n FROM rasdb.migrations`)).toEqual([{ n: FILES.length }]);
    const stepsRun = runs.filter((r) => r.code === 0).map((r) => JSON.parse(r.stdout).steps.length);
    expect(stepsRun.reduce((a, b) => a + b, 0)).toBe(FILES.length);
  }, 180_000);

  it('gives up after --lock-wait with exit 5, naming the holder', async () => {
    const holder = new pg.Client({ connectionString: db.url, application_name: 'other-rasdb' });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1, $2)', [0x72617364, 1]);
      const result = await runCli(['migrate', '--lock-wait', '1s'], { env: { DATABASE_URL: db.url } });
      expect(result.code).toBe(5);
      expect(result.stderr).toMatch(
        /another rasdb run holds the lock \(pid \d+, application "other-rasdb", client [\d.:a-f]+|local socket/,
      );
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(await db.query(`SELECT 1 FROM pg_namespace WHERE nspname = 'rasdb'`)).toEqual([]);
    } finally {
      await holder.end();
    }
  });
});

/** Inserts into users as fast as it can until stopped, recording each insert's latency. */
function startWriter(url: string): { stop: () => Promise<number[]> } {
  const latencies: number[] = [];
  let running = true;
  const done = (async () => {
    const client = new pg.Client({ connectionString: url, application_name: 'writer' });
    await client.connect();
    let i = 0;
    while (running) {
      const started = performance.now();
      await client.query('INSERT INTO users (username, email) VALUES ($1, $1)', [
        `w${process.pid}-${Math.random()}-${i++}`,
      ]);
      latencies.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await client.end();
  })();
  return {
    stop: async () => {
      running = false;
      await done;
      return latencies;
    },
  };
}

describe('never stall production', () => {
  it('waits for a lock no longer than lock_timeout, retries, and succeeds once the holder commits', async () => {
    expect((await runCli(['migrate', '--phase', '0'], { env: { DATABASE_URL: db.url } })).code).toBe(0);
    const holder = new pg.Client({ connectionString: db.url, application_name: 'long-report' });
    await holder.connect();
    // An open transaction that wrote to users: its ROW EXCLUSIVE lock blocks the foreign keys
    // phase 1 adds to users, and every insert that queues behind the migration would wait too.
    await holder.query(`BEGIN; INSERT INTO users (username, email) VALUES ('holder', 'holder@example.org')`);
    const writers = [startWriter(db.url), startWriter(db.url)];
    const child = spawn(
      process.execPath,
      [BIN, 'migrate', '--phase', '1', '--lock-timeout', '1s', '--lock-retries', '10'],
      {
        env: { ...process.env, DATABASE_URL: db.url, NO_COLOR: '1' },
      },
    );
    const result = { code: null as number | null, stdout: '', stderr: '' };
    child.stdout.on('data', (chunk) => (result.stdout += chunk));
    // The holder commits only once rasdb has timed out on its lock at least once.
    const timedOut = new Promise<void>((resolve) =>
      child.stderr.on(
        'data',
        (chunk) => (result.stderr += chunk) && /timed out waiting/.test(result.stderr) && resolve(),
      ),
    );
    const exited = new Promise<void>((resolve) => child.on('close', (code) => ((result.code = code), resolve())));
    await Promise.race([timedOut, exited]);
    await holder.query('COMMIT');
    await holder.end();
    await exited;
    const latencies = (await Promise.all(writers.map((w) => w.stop()))).flat();
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(
      /timed out waiting for a lock \(blocked by pid \d+ \("long-report", idle in transaction/,
    );
    expect(latencies.length).toBeGreaterThan(20);
    // Inserts queue behind the waiting DDL for at most one lock_timeout (1 s), plus scheduling slack.
    expect(Math.max(...latencies)).toBeLessThan(2000);
    expect(await db.query(`SELECT count(*)::int AS n FROM rasdb.migrations WHERE phase = 1`)).toEqual([
      { n: FILES.filter((f) => f.phase === 1).length },
    ]);
  }, 90_000);

  it('exits 5 (busy) naming the blocker when the lock never comes', async () => {
    expect((await runCli(['migrate', '--phase', '0'], { env: { DATABASE_URL: db.url } })).code).toBe(0);
    const holder = new pg.Client({ connectionString: db.url, application_name: 'stuck-session' });
    await holder.connect();
    try {
      await holder.query(`BEGIN; INSERT INTO users (username, email) VALUES ('holder', 'holder@example.org')`);
      const result = await runCli(['migrate', '--phase', '1', '--lock-timeout', '500ms', '--lock-retries', '2'], {
        env: { DATABASE_URL: db.url },
      });
      expect(result.code).toBe(5);
      expect(result.stderr).toMatch(/lock timeout after 2 attempts; blocked by pid \d+ \("stuck-session"/);
      expect(result.stderr).toContain('SQLSTATE 55P03');
      expect(await db.query(`SELECT count(*)::int AS n FROM rasdb.migrations WHERE phase = 1`)).toEqual([{ n: 0 }]);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
  });
});
