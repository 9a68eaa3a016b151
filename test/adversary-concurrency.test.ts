import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from './support/cli.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

/**
 * An adversary's timing: two runs started together that touch the same ledger. Each ends with
 * exit 0 or exit 5 (busy, in one line), never an internal error, and what the ledger says
 * afterwards is what the database holds.
 */
let template: TestDatabase;
const created: TestDatabase[] = [];

async function database(label: string, migrated = true): Promise<TestDatabase> {
  const db = await createTestDatabase(label, migrated ? { template: template.name } : {});
  created.push(db);
  return db;
}

/** rasdb's retention advisory lock, in its two-key form (class 'rasd', key 2). */
const RETENTION_LOCK = `${0x72617364}, 2`;

/** Waits until a session other than `except` polls for one of rasdb's advisory locks. */
async function untilSomeoneTriesTheLock(db: TestDatabase, except: pg.Client): Promise<void> {
  const pid = (except as pg.Client & { readonly processID: number }).processID;
  for (;;) {
    const rows = await db.query(
      `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND pid NOT IN ($1, pg_backend_pid()) AND query LIKE 'SELECT pg_try_advisory_lock%'`,
      [pid],
    );
    if (rows.length) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const both = (db: TestDatabase, a: string[], b: string[]) =>
  Promise.all([a, b].map((args) => runCli(args, { env: { DATABASE_URL: db.url } })));

function okOrBusy(result: CliResult): void {
  expect([0, 5], result.stderr).toContain(result.code);
  expect(result.stderr).not.toMatch(/bug in rasdb|\n\s+at /);
  if (result.code === 5) expect(result.stderr.trim().split('\n')).toHaveLength(1);
}

/** The ledger's migrations against the tables they create: each applied migration's table exists. */
async function ledgerMatchesCatalog(db: TestDatabase): Promise<void> {
  const [row] = await db.query(
    `SELECT (SELECT count(*) FROM rasdb.migrations)::int AS applied,
            (SELECT count(*) FROM pg_tables WHERE schemaname = 'public')::int AS tables`,
  );
  expect(row.applied === 0).toBe(row.tables === 0);
  const validate = await runCli(['validate'], { env: { DATABASE_URL: db.url } });
  expect(validate.code, validate.stderr).toBe(0);
}

beforeAll(async () => {
  template = await createTestDatabase('adv_conc_template');
  const migrated = await runCli(['migrate', '-q'], { env: { DATABASE_URL: template.url } });
  expect(migrated.code, migrated.stderr).toBe(0);
  await template.query(
    `INSERT INTO api_call_logs (method, endpoint, response_status, called_at)
     SELECT 'GET', '/c/' || g % 20, 200, now() - g * interval '10 minutes' - interval '80 days' FROM generate_series(1, 30000) g`,
  );
});
afterAll(async () => {
  for (const db of created) await db.drop();
  await template.drop();
});

describe('two runs at once', () => {
  it('migrate and rollback --all at once: each ends 0 or 5, and the ledger matches the catalog', async () => {
    const db = await database('adv_conc_mig', false);
    expect((await runCli(['migrate', '--phase', '1', '-q'], { env: { DATABASE_URL: db.url } })).code).toBe(0);
    const results = await both(db, ['migrate', '-q'], ['rollback', '--all', '-q']);
    results.forEach(okOrBusy);
    await ledgerMatchesCatalog(db);
  });

  it('two seeds at once: each ends 0 or 5, and seed --check passes', async () => {
    const db = await database('adv_conc_seed');
    (await both(db, ['seed', '-q'], ['seed', '-q'])).forEach(okOrBusy);
    const check = await runCli(['seed', '--check'], { env: { DATABASE_URL: db.url } });
    expect(check.code, check.stderr).toBe(0);
  });

  it('summarize and prune at once: each ends 0 or 5, and no call is counted twice or lost', async () => {
    const db = await database('adv_conc_ret');
    const [{ n: before }] = await db.query(`SELECT count(*)::int AS n FROM api_call_logs`);
    (await both(db, ['retention', 'summarize', '-q'], ['retention', 'prune', '-q'])).forEach(okOrBusy);
    expect((await runCli(['retention', 'summarize', '-q'], { env: { DATABASE_URL: db.url } })).code).toBe(0);
    const [row] = await db.query(
      `SELECT (SELECT count(*) FROM api_call_logs)::int AS detail,
              (SELECT coalesce(sum(calls), 0) FROM api_call_daily_summary)::int AS summarized,
              (SELECT count(*) FROM api_call_logs WHERE called_at < (SELECT max(day) + 1 FROM api_call_daily_summary))::int AS detailSummarized`,
    );
    // What prune deleted is in the summaries; what is left and summarized is counted once.
    expect(row.summarized).toBe(before - row.detail + row.detailsummarized);
  });

  it('a legal hold placed while prune runs: the hold is recorded and no row under it is lost after it commits', async () => {
    const db = await database('adv_conc_hold');
    expect((await runCli(['retention', 'summarize', '-q'], { env: { DATABASE_URL: db.url } })).code).toBe(0);
    const [prune, placed] = await both(
      db,
      ['retention', 'prune', '-q'],
      ['retention', 'hold', 'add', '--table', 'api_call_logs', '--from', '1900-01-01', '--reason', 'race', '--json'],
    );
    okOrBusy(prune);
    expect(placed.code, placed.stderr).toBe(0);
    const [{ n: afterRace }] = await db.query(`SELECT count(*)::int AS n FROM api_call_logs`);
    const again = await runCli(['retention', 'prune', '-q'], { env: { DATABASE_URL: db.url } });
    expect(again.code, again.stderr).toBe(0);
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM api_call_logs`);
    const [{ c }] = await db.query(`SELECT count(*)::int AS c FROM rasdb.retention_holds WHERE released_at IS NULL`);
    expect(c).toBe(1);
    // The hold covers every row: once it is committed, a prune deletes none.
    expect(n).toBe(afterRace);
  });

  it('two time-zone declarations at once: the zone retention computes in is the one recorded last', async () => {
    const db = await database('adv_conc_tz');
    const results = await both(
      db,
      ['retention', 'policy', 'time-zone', 'Asia/Kolkata', '--reason', 'a'],
      ['retention', 'policy', 'time-zone', 'Pacific/Chatham', '--reason', 'b'],
    );
    results.forEach(okOrBusy);
    const status = await runCli(['retention', 'status', '--json'], { env: { DATABASE_URL: db.url } });
    expect(status.code, status.stderr).toBe(0);
    const [last] = await db.query(`SELECT time_zone FROM rasdb.retention_time_zones ORDER BY id DESC LIMIT 1`);
    expect(status.stdout).toContain(last.time_zone);
    expect((await runCli(['retention', 'summarize', '-q'], { env: { DATABASE_URL: db.url } })).code).toBe(0);
  });

  it('a time-zone declaration while a retention run holds its lock exits 5 naming it, and records nothing', async () => {
    const db = await database('adv_conc_tz_busy');
    const holder = await db.connect();
    try {
      await holder.query(`SELECT pg_advisory_lock(${RETENTION_LOCK})`);
      const declared = await runCli(['retention', 'policy', 'time-zone', 'Asia/Kolkata', '--reason', 'x'], {
        env: { DATABASE_URL: db.url },
      });
      expect(declared.code, declared.stderr).toBe(5);
      expect(declared.stderr).toMatch(/holds the lock \(pid \d+/);
      const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM rasdb.retention_time_zones`);
      expect(n).toBe(0);
    } finally {
      await holder.end();
    }
  });

  it('a zone declared while summarize waits for the lock is the zone that run computes in and records', async () => {
    const db = await database('adv_conc_tz_wait');
    const holder = await db.connect();
    let summarize: Promise<CliResult>;
    try {
      // The holder plays a declaration in progress: it has the lock and commits its zone before it lets go.
      await holder.query(`SELECT pg_advisory_lock(${RETENTION_LOCK})`);
      summarize = runCli(['retention', 'summarize', '--lock-wait', '60s', '--json'], { env: { DATABASE_URL: db.url } });
      // Summarize first makes the retention tables a first migrate left to be made, under the
      // migration lock, whose try looks the same: the retention lock's tries come after they exist.
      while (!(await db.query(`SELECT to_regclass('rasdb.retention_time_zones') AS t`))[0].t) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await untilSomeoneTriesTheLock(db, holder);
      await holder.query(
        `INSERT INTO rasdb.retention_time_zones (time_zone, declared_by, reason) VALUES ('Asia/Kolkata', 'test', 'race')`,
      );
    } finally {
      await holder.end();
    }
    const waited = await summarize;
    expect(waited.code, waited.stderr).toBe(0);
    expect(JSON.parse(waited.stdout).timeZone).toBe('Asia/Kolkata');
    const again = await runCli(['retention', 'summarize', '-q'], { env: { DATABASE_URL: db.url } });
    expect(again.code, again.stderr).toBe(0);
  });

  it('codegen while a migration runs: codegen ends 0 or 5, and the file it leaves is whole', async () => {
    const db = await database('adv_conc_gen', false);
    const dir = mkdtempSync(join(tmpdir(), 'rasdb-adv-gen-'));
    try {
      const out = join(dir, 'db.ts');
      const [migrated, generated] = await both(db, ['migrate', '-q'], ['codegen', '--out', out, '-q']);
      okOrBusy(migrated);
      okOrBusy(generated);
      if (generated.code === 0) expect(readFileSync(out, 'utf8')).toMatch(/export interface DB \{[\s\S]*\}\s*$/);
      expect(readdirSync(dir).filter((f) => f !== 'db.ts')).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
