import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from './support/cli.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

/**
 * A table another session has locked (a long ALTER TABLE, a VACUUM FULL, a LOCK in an open
 * transaction) or queues for: rasdb's reads give up after lock_timeout with one line naming the
 * table and the session, exit 5, instead of waiting silently for as long as the holder keeps it.
 */
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('table_locks');
  const migrated = await runCli(['migrate', '-q'], { env: { DATABASE_URL: db.url } });
  expect(migrated.code, migrated.stderr).toBe(0);
});
afterAll(async () => {
  await db?.drop();
});

const cli = (args: string[], timeoutMs = 40_000) => runCli(args, { env: { DATABASE_URL: db.url }, timeoutMs });

/** A session that took `lock` in a transaction it keeps open, for the test to end. */
async function holding(sql: string, name = 'holder'): Promise<pg.Client & { pid: number }> {
  const client = new pg.Client({ connectionString: db.url, application_name: name });
  await client.connect();
  await client.query('BEGIN');
  await client.query(sql);
  return Object.assign(client, { pid: (client as unknown as { processID: number }).processID });
}

function expectGaveUp(result: CliResult, pattern: RegExp): void {
  expect(result.code, result.stderr).toBe(5);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr.trim()).toMatch(pattern);
}

describe('a table another session has locked', () => {
  it('capacity and capacity snapshot give up after --lock-timeout naming the table and its holder, and record nothing', async () => {
    const holder = await holding('LOCK api_call_logs IN ACCESS EXCLUSIVE MODE', 'long-alter');
    try {
      const started = Date.now();
      const report = await cli(['capacity', '--lock-timeout', '1s']);
      expectGaveUp(
        report,
        new RegExp(
          `waited 1 s for a table lock \\(lock_timeout\\) and gave up: api_call_logs is held ACCESS EXCLUSIVE by pid ${holder.pid} \\("long-alter", idle in transaction since .*, or raise --lock-timeout`,
        ),
      );
      expect(Date.now() - started).toBeLessThan(30_000);
      const snapshot = await cli(['capacity', 'snapshot', '--lock-timeout', '500ms', '--json']);
      expectGaveUp(snapshot, /waited 500 ms for a table lock .* api_call_logs is held ACCESS EXCLUSIVE/);
      expect(JSON.parse(snapshot.stdout)).toMatchObject({
        exitCode: 5,
        error: { sqlstate: '55P03', lockTimeoutMs: 500, locks: [{ relation: 'api_call_logs', pid: holder.pid }] },
      });
      expect(await db.query('SELECT count(*)::int AS n FROM rasdb.capacity_snapshots')).toEqual([{ n: 0 }]);
    } finally {
      await holder.end();
    }
    expect((await cli(['capacity', 'snapshot', '--lock-timeout', '1s'])).code).toBe(0);
  }, 90_000);

  it('retention prune gives up after its --lock-timeout naming the holder, exit 5, and deletes nothing', async () => {
    await db.query(
      `INSERT INTO api_call_logs (method, endpoint, called_at) SELECT 'GET', '/old', (now() AT TIME ZONE 'UTC') - interval '200 days' FROM generate_series(1, 5)`,
    );
    expect((await cli(['retention', 'summarize', '-q'])).code).toBe(0);
    // SHARE lets every read through (the run's checks) and stops the run's deletes.
    const holder = await holding('LOCK api_call_logs IN SHARE MODE', 'vacuum-full');
    try {
      const pruned = await cli(['retention', 'prune', '--policy', 'api_call_logs', '--lock-timeout', '1s']);
      expectGaveUp(
        pruned,
        new RegExp(
          `waited 1 s for a table lock \\(lock_timeout\\) and gave up: api_call_logs is held SHARE by pid ${holder.pid} \\("vacuum-full"`,
        ),
      );
    } finally {
      await holder.end();
    }
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM api_call_logs WHERE endpoint = '/old'`);
    expect(n).toBe(5);
  }, 90_000);

  it('names the session queued for the lock when a long reader holds the table and an ALTER waits behind it', async () => {
    const reader = await holding('SELECT count(*) FROM api_call_logs', 'long-report');
    const alter = new pg.Client({ connectionString: db.url, application_name: 'waiting-alter' });
    await alter.connect();
    const altered = alter.query('ALTER TABLE api_call_logs ADD COLUMN waited boolean').catch((e: Error) => e);
    try {
      // The ALTER queues for ACCESS EXCLUSIVE; every reader after it queues behind it.
      for (let i = 0; i < 100; i++) {
        const [row] = await db.query(
          `SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted AND relation = 'api_call_logs'::regclass`,
        );
        if (row.n > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const report = await cli(['capacity', '--lock-timeout', '1s']);
      expectGaveUp(report, /api_call_logs is queued for ACCESS EXCLUSIVE by pid \d+ \("waiting-alter", active since /);
    } finally {
      await reader.end();
      await altered;
      await alter.query('ALTER TABLE api_call_logs DROP COLUMN IF EXISTS waited');
      await alter.end();
    }
  }, 90_000);

  it("status, validate and codegen --check give up on a locked ledger table after the connection's 10 s", async () => {
    const holder = await holding('LOCK rasdb.migrations IN ACCESS EXCLUSIVE MODE', 'ledger-holder');
    try {
      const results = await Promise.all([cli(['status']), cli(['validate']), cli(['codegen', '--check'])]);
      for (const result of results)
        expectGaveUp(
          result,
          new RegExp(
            `waited 10 s for a table lock \\(lock_timeout\\) and gave up: rasdb.migrations is held ACCESS EXCLUSIVE by pid ${holder.pid} \\("ledger-holder", .*; run again once it is released$`,
          ),
        );
    } finally {
      await holder.end();
    }
    expect((await cli(['status'])).code).toBe(0);
  }, 90_000);
});
