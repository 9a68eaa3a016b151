import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { adminQuery, createTestDatabase, type TestDatabase } from './support/database.js';

/**
 * Settings a database (or a role) imposes on every session. A search_path that puts another
 * schema first, holding tables named like rasdb's: every rasdb command still works on the tables
 * in public, where the migrations made them, and never reads, summarizes, prunes or seeds the
 * other schema's. Timeouts meant for the application: rasdb keeps its own.
 */
let db: TestDatabase;
const env = () => ({ DATABASE_URL: db.url });

beforeAll(async () => {
  db = await createTestDatabase('adv_search_path');
  const migrated = await runCli(['migrate', '-q'], { env: env() });
  expect(migrated.code, migrated.stderr).toBe(0);
  await db.query(
    `INSERT INTO api_call_logs (method, endpoint, response_status, called_at)
     SELECT 'GET', '/public', 200, (now() AT TIME ZONE 'UTC') - interval '200 days' - g * interval '1 minute'
       FROM generate_series(1, 50) g`,
  );
  await db.query(`CREATE SCHEMA shadow`);
  for (const table of ['api_call_logs', 'report_templates'])
    await db.query(`CREATE TABLE shadow.${table} (LIKE public.${table} INCLUDING ALL)`);
  // The shadow copies the newest ids, so a watermark by id would not tell the two apart.
  await db.query(
    `INSERT INTO shadow.api_call_logs SELECT * FROM public.api_call_logs ORDER BY id DESC LIMIT 3;
     UPDATE shadow.api_call_logs SET endpoint = '/shadow'`,
  );
  await db.query('ANALYZE');
  await adminQuery(`ALTER DATABASE "${db.name}" SET search_path = shadow, public`);
}, 120_000);
afterAll(async () => {
  await db.drop();
});

describe('a search_path that puts another schema first', () => {
  it('capacity measures the table in public', async () => {
    const result = await runCli(['capacity', '--json'], { env: env() });
    expect(result.code, result.stderr).toBe(0);
    const api = JSON.parse(result.stdout).tables.find((t: { table: string }) => t.table === 'api_call_logs');
    expect(api.rows).toBe(50);
  });

  it('retention summarizes and prunes the rows in public, and leaves the other schema alone', async () => {
    for (const step of ['summarize', 'prune']) {
      const run = await runCli(['retention', step, '--policy', 'api_call_logs', '-q'], { env: env() });
      expect(run.code, `${step}: ${run.stderr}`).toBe(0);
    }
    const [summary] = await db.query(
      `SELECT coalesce(sum(calls), 0)::int AS calls, count(*) FILTER (WHERE endpoint = '/shadow')::int AS shadow
         FROM public.api_call_daily_summary`,
    );
    expect(summary).toEqual({ calls: 50, shadow: 0 });
    const [left] = await db.query(
      `SELECT (SELECT count(*) FROM public.api_call_logs)::int AS public, (SELECT count(*) FROM shadow.api_call_logs)::int AS shadow`,
    );
    expect(left).toEqual({ public: 0, shadow: 3 });
  });

  it('seed writes its reference rows into public', async () => {
    const seeded = await runCli(['seed', '-q'], { env: env() });
    expect(seeded.code, seeded.stderr).toBe(0);
    const [counts] = await db.query(
      `SELECT (SELECT count(*) FROM public.report_templates)::int AS public, (SELECT count(*) FROM shadow.report_templates)::int AS shadow`,
    );
    expect(counts.shadow).toBe(0);
    expect(counts.public).toBeGreaterThan(0);
  });
});

describe('timeouts a database sets for everyone', () => {
  it('statement_timeout of 1 ms and idle_in_transaction_session_timeout of 10 ms do not reach rasdb: it keeps its own', async () => {
    const strict = await createTestDatabase('adv_db_timeouts');
    try {
      await adminQuery(`ALTER DATABASE "${strict.name}" SET statement_timeout = '1ms'`);
      await adminQuery(`ALTER DATABASE "${strict.name}" SET idle_in_transaction_session_timeout = '10ms'`);
      for (const args of [
        ['migrate', '-q'],
        ['status', '--exit-code'],
        ['retention', 'summarize', '-q'],
      ]) {
        const result = await runCli(args, { env: { DATABASE_URL: strict.url } });
        expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
      }
    } finally {
      await strict.drop();
    }
  });

  it('idle_session_timeout of 300 ms does not reach rasdb: plan keeps the target connection idle while it replays on the scratch database', async () => {
    const strict = await createTestDatabase('adv_db_idle');
    try {
      expect((await runCli(['migrate', '--phase', '0', '-q'], { env: { DATABASE_URL: strict.url } })).code).toBe(0);
      await adminQuery(`ALTER DATABASE "${strict.name}" SET idle_session_timeout = '300ms'`);
      const result = await runCli(['plan'], { env: { DATABASE_URL: strict.url } });
      expect(result.code, result.stderr).toBe(0);
    } finally {
      await strict.drop();
    }
  });
});

describe('a database made read-only for every session', () => {
  it('rollback and repair refuse at once as migrate does (exit 3, one line), reverting nothing', async () => {
    const frozen = await createTestDatabase('adv_db_read_only');
    try {
      expect((await runCli(['migrate', '-q'], { env: { DATABASE_URL: frozen.url } })).code).toBe(0);
      await adminQuery(`ALTER DATABASE "${frozen.name}" SET default_transaction_read_only = on`);
      for (const args of [
        ['rollback', '--phase', '3', '--force'],
        ['repair', '--accept', '1001-integration-configuration'],
      ]) {
        const result = await runCli(args, { env: { DATABASE_URL: frozen.url } });
        expect(result.code, `${args[0]}: ${result.stderr}`).toBe(3);
        expect(result.stderr.trim().split('\n')).toHaveLength(1);
        expect(result.stderr).toMatch(
          /is read-only for this session \(default_transaction_read_only is on\); point rasdb at a writable primary/,
        );
      }
      // Every other command that writes: exit 3 and the same fix, whatever statement met the refusal.
      for (const args of [
        ['retention', 'summarize'],
        ['capacity', 'snapshot'],
        ['retention', 'hold', 'add', '--table', 'api_call_logs', '--ids', '1', '--reason', 'audit'],
      ]) {
        const result = await runCli(args, { env: { DATABASE_URL: frozen.url } });
        expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(3);
        expect(result.stderr.trim().split('\n')).toHaveLength(1);
        expect(result.stderr).toMatch(/read-only.*point rasdb at a writable primary/);
      }
      const [{ n }] = await frozen.query(`SELECT count(*)::int AS n FROM rasdb.migrations WHERE phase = 4`);
      expect(n).toBeGreaterThan(0);
    } finally {
      await frozen.drop();
    }
  });
});
