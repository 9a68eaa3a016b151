import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { untilSomeoneWaitsForALock } from './support/lock-waits.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

// What a rollback must not drop: rows that arrive after it counted, rows under a legal hold; and
// what it must not leave behind: retention's state of the tables it dropped.
let db: TestDatabase;
beforeEach(async () => {
  db = await createTestDatabase('rollback_safety');
  const migrated = await runCli(['migrate', '-q'], { env: { DATABASE_URL: db.url } });
  expect(migrated.code, migrated.stderr).toBe(0);
});
afterEach(async () => {
  await db.drop();
});

const NOW = '2026-06-01 00:00:00';
const cli = (args: string[]) => runCli(args, { env: { DATABASE_URL: db.url, RASDB_NOW: NOW } });

async function appliedInPhase(phase: number): Promise<number> {
  const [row] = await db.query(`SELECT count(*)::int AS n FROM rasdb.migrations WHERE phase = $1`, [phase]);
  return row.n;
}

describe('rollback never drops what it did not count or may not drop', () => {
  it('refuses, naming the table, a row committed after it counted the empty tables and before it dropped them', async () => {
    const writer = new pg.Client({ connectionString: db.url, application_name: 'late-writer' });
    await writer.connect();
    try {
      // The row is written but not committed: rollback's count does not see it, and its DROP must wait.
      await writer.query(`BEGIN; INSERT INTO performance_metrics_hourly (hour, metric_type, component, unit, samples, min_value, max_value, avg_value, p95_value)
                          VALUES ('2026-05-01 10:00', 'latency', 'ingest', 'ms', 1, 1, 1, 1, 1)`);
      const rollback = cli(['rollback', '--phase', '3', '--lock-timeout', '30s']);
      await untilSomeoneWaitsForALock(db, writer);
      await writer.query('COMMIT');
      const result = await rollback;
      expect(result.code, result.stderr).toBe(4);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(
        /rows were committed after rollback counted them to tables it would drop: performance_metrics_hourly \(1 row\).*--force/,
      );
    } finally {
      await writer.end();
    }
    expect(await db.query(`SELECT count(*)::int AS n FROM performance_metrics_hourly`)).toEqual([{ n: 1 }]);
    expect(await appliedInPhase(4)).toBe(4);
  }, 60_000);

  it('refuses a rollback with --force while an active hold is on a table it drops, naming the hold; a released one does not', async () => {
    const placed = await cli([
      'retention',
      'hold',
      'add',
      '--table',
      'api_call_logs',
      '--from',
      '2025-01-01',
      '--reason',
      'case 17',
      '--json',
    ]);
    expect(placed.code, placed.stderr).toBe(0);
    const id = JSON.parse(placed.stdout).hold.id;
    await db.query(`INSERT INTO api_call_logs (method, endpoint, called_at) VALUES ('GET', '/held', '2025-02-01')`);

    const refused = await cli(['rollback', '--phase', '0', '--force']);
    expect(refused.code, refused.stderr).toBe(4);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toContain(`hold ${id} on api_call_logs ("case 17")`);
    expect(await db.query(`SELECT count(*)::int AS n FROM api_call_logs`)).toEqual([{ n: 1 }]);
    expect(await appliedInPhase(1)).toBe(3);

    const released = await cli(['retention', 'hold', 'release', String(id), '--reason', 'case closed']);
    expect(released.code, released.stderr).toBe(0);
    const rolledBack = await cli(['rollback', '--phase', '0', '--force']);
    expect(rolledBack.code, rolledBack.stderr).toBe(0);
    expect(await appliedInPhase(1)).toBe(0);
  }, 60_000);

  it('forgets the retention state of the tables it drops: a row restored later is summarized before it is pruned', async () => {
    await db.query(
      `INSERT INTO api_call_logs (method, endpoint, called_at) SELECT 'GET', '/old', timestamp '2025-12-01' + g * interval '1 hour' FROM generate_series(0, 9) g`,
    );
    for (const step of [
      ['retention', 'summarize'],
      ['retention', 'prune'],
    ]) {
      const result = await cli(step);
      expect(result.code, result.stderr).toBe(0);
    }
    expect(await db.query(`SELECT count(*)::int AS n FROM rasdb.retention_watermarks`)).not.toEqual([{ n: 0 }]);
    const rolledBack = await cli(['rollback', '--phase', '0', '--force']);
    expect(rolledBack.code, rolledBack.stderr).toBe(0);
    const [left] = await db.query(`
      SELECT (SELECT count(*)::int FROM rasdb.retention_watermarks) AS watermarks,
             (SELECT count(*)::int FROM rasdb.retention_pruned) AS pruned,
             (SELECT count(*)::int FROM rasdb.retention_thinned) AS thinned`);
    expect(left).toEqual({ watermarks: 0, pruned: 0, thinned: 0 });

    expect((await cli(['migrate', '-q'])).code).toBe(0);
    await db.query(
      `INSERT INTO api_call_logs (method, endpoint, called_at) VALUES ('GET', '/restored', '2025-12-02 10:00')`,
    );
    const early = await cli(['retention', 'prune']);
    expect(early.code, early.stderr).toBe(0);
    expect(await db.query(`SELECT count(*)::int AS n FROM api_call_logs`)).toEqual([{ n: 1 }]);
    expect((await cli(['retention', 'summarize'])).code).toBe(0);
    expect(await db.query(`SELECT sum(calls)::int AS n FROM api_call_daily_summary WHERE day = '2025-12-02'`)).toEqual([
      { n: 1 },
    ]);
    expect((await cli(['retention', 'prune'])).code).toBe(0);
    expect(await db.query(`SELECT count(*)::int AS n FROM api_call_logs`)).toEqual([{ n: 0 }]);
  }, 90_000);
});
