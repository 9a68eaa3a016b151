import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase('rollback_locks');
});

afterAll(async () => {
  await db.drop();
});

describe('rollback runs through the same executor as migrate', () => {
  it('gives up after --lock-timeout and --lock-retries naming the blocker, keeps the failure in the history, then reverts once released', async () => {
    expect((await runCli(['migrate'], { env: { DATABASE_URL: db.url } })).code).toBe(0);
    const holder = new pg.Client({ connectionString: db.url, application_name: 'stuck-reader' });
    await holder.connect();
    try {
      // A reader of a phase-4 table holds ACCESS SHARE: the DROP TABLE of its revert waits for it.
      await holder.query('BEGIN; SELECT count(*) FROM alerts');
      const started = Date.now();
      const result = await runCli(
        ['rollback', '--phase', '3', '--lock-timeout', '300ms', '--lock-retries', '2', '--statement-timeout', '10s'],
        {
          env: { DATABASE_URL: db.url },
        },
      );
      expect(result.code, result.stderr).toBe(5);
      expect(result.stderr).toMatch(/timed out waiting for a lock \(blocked by pid \d+ \("stuck-reader"/);
      expect(result.stderr).toMatch(/lock timeout after 2 attempts; blocked by pid \d+ \("stuck-reader"/);
      // Two tries of 300 ms and one backoff of about a second: never the server's default wait.
      expect(Date.now() - started).toBeLessThan(20_000);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
    const failures = await db.query(
      `SELECT name, direction, sqlstate FROM rasdb.migration_events WHERE event = 'failed' ORDER BY id`,
    );
    expect(failures).toEqual([{ name: expect.stringMatching(/^4\d{3}-/), direction: 'down', sqlstate: '55P03' }]);
    expect(await db.query(`SELECT count(*)::int AS n FROM rasdb.migrations WHERE phase = 4`)).not.toEqual([{ n: 0 }]);

    const reverted = await runCli(['rollback', '--phase', '3', '--lock-timeout', '2s'], {
      env: { DATABASE_URL: db.url },
    });
    expect(reverted.code, reverted.stderr).toBe(0);
    const status = JSON.parse((await runCli(['status', '--json'], { env: { DATABASE_URL: db.url } })).stdout);
    const phase4 = status.phases.find((p: { phase: number }) => p.phase === 4);
    expect(phase4.applied).toBe(0);
    // A failed revert is not a failure to apply: the pending migration shows none.
    expect(phase4.migrations.map((m: { lastFailure: unknown }) => m.lastFailure)).toEqual(
      phase4.migrations.map(() => null),
    );
  }, 90_000);

  it('takes the same timeout flags as migrate, and refuses bad values before connecting', async () => {
    const result = await runCli(['rollback', '--all', '--lock-timeout', '0', '--lock-retries', '0'], {
      env: { DATABASE_URL: db.url },
    });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(
      /--lock-timeout must be between 1ms and 1h, got "0"; --lock-retries must be a whole number from 1 to 100/,
    );
  });
});
