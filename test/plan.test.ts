import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { adminQuery, createTestDatabase, urlFor, type TestDatabase } from './support/database.js';

/** Databases at phases 0 to 4, migrated once; each test takes a copy. */
const atPhase: TestDatabase[] = [];
const copies: string[] = [];

beforeAll(async () => {
  for (let phase = 0; phase <= 4; phase++) {
    const db = await createTestDatabase(`plan_at_${phase}`);
    const migrated = await runCli(['migrate', '--phase', String(phase), '-q'], { env: { DATABASE_URL: db.url } });
    expect(migrated.code, migrated.stderr).toBe(0);
    atPhase.push(db);
  }
}, 180_000);
afterAll(async () => {
  for (const name of copies) await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  for (const db of atPhase) await db.drop();
});

async function copyOf(phase: number | 'empty'): Promise<string> {
  const name = `t_plan_copy_${process.pid}_${copies.length}`;
  copies.push(name);
  await adminQuery(`CREATE DATABASE "${name}"${phase === 'empty' ? '' : ` TEMPLATE "${atPhase[phase].name}"`}`);
  return urlFor(name);
}

const plan = (url: string, ...args: string[]) => runCli(['plan', ...args], { env: { DATABASE_URL: url } });

/** The report with what differs from run to run (the scratch database's name, versions, times) masked. */
function stable(text: string): string {
  return text
    .replace(/\S+:\d+\/rasdb_scratch_\w+/g, '<scratch>')
    .replace(/\S+:\d+\/t_plan_copy_\w+( as \w+)?/g, '<target>')
    .replace(/PostgreSQL [\d.]+(?:[a-z]+\d*)?/g, 'PostgreSQL <version>')
    .replace(/the target runs [\d.]+/g, 'the target runs <version>')
    .replace(/ in [\d.]+ (?:ms|s):/g, ' in <time>:');
}

describe('rasdb plan', () => {
  it('on an empty database prints the whole report, and creates nothing there', async () => {
    const url = await copyOf('empty');
    const result = await plan(url);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^15 pending migrations observed on /);
    for (const name of ['0001-users-and-audit-logs', '2001-asset-intelligence', '4004-performance-rollups'])
      expect(result.stdout).toContain(name);
    // Every table exists only on the scratch database: none is "existing" on the target.
    expect(result.stdout).toContain('No existing table of the target is locked by this run.');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client
      .query(
        `SELECT count(*)::int AS n FROM pg_class WHERE relnamespace IN ('public'::regnamespace) OR relname = 'migrations'`,
      )
      .finally(() => client.end());
    expect(rows[0].n).toBe(0);
  });

  it('at phase 1: SHARE ROW EXCLUSIVE on the tables foreign keys reference, with every --json field', async () => {
    const url = await copyOf(1);
    const result = await plan(url, '--json');
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ ok: true, direction: 'up', targetPhase: 4, currentPhase: 1, violations: [] });
    expect(report.replayed).toHaveLength(5);
    expect(report.migrations.map((m: { name: string }) => m.name)[0]).toBe('2001-asset-intelligence');
    const [first] = report.migrations;
    expect(Object.keys(first).sort()).toEqual(
      ['direction', 'durationMsOnScratch', 'name', 'phase', 'statements', 'transactional'].sort(),
    );
    const statement = first.statements[0];
    expect(Object.keys(statement).sort()).toEqual(
      ['durationMsOnScratch', 'index', 'locks', 'observedFrom', 'short', 'sql'].sort(),
    );
    const assets = statement.locks.find((l: { relation: string }) => l.relation === 'ingestion_assets');
    expect(assets).toMatchObject({
      kind: 'table',
      mode: 'ShareRowExclusiveLock',
      granted: true,
      origin: 'existing',
      existedBefore: true,
      rewrite: false,
      scan: false,
      heldUntil: 'end of transaction',
      heldThroughStatements: first.statements.length,
    });
    expect(typeof assets.heldMsOnScratch).toBe('number');
    const table = report.tables.find((t: { relation: string }) => t.relation === 'ingestion_assets');
    expect(table).toMatchObject({
      strongest: 'ShareRowExclusiveLock',
      strongestIn: { migration: '2001-asset-intelligence', statement: 1 },
      target: {
        kind: 'table',
        rowEstimate: null,
        sessions: { total: 0, writing: 0, pids: [], oldestTransactionStart: null },
      },
    });
    expect(table.target.totalBytes).toBe(table.target.heapBytes + table.target.indexBytes + table.target.toastBytes);
    expect(table.target.indexBytes).toBeGreaterThan(0);
    expect(Object.keys(table.longestHold).sort()).toEqual(
      ['heldMsOnScratch', 'heldThroughStatements', 'migration', 'mode', 'statement'].sort(),
    );
  });

  it('names the sessions holding locks on a table now, without waiting for them', async () => {
    const url = await copyOf(1);
    const writer = new pg.Client({ connectionString: url });
    await writer.connect();
    try {
      await writer.query(`BEGIN; INSERT INTO ingestion_assets (asset_uuid) VALUES (gen_random_uuid())`);
      const result = await plan(url, '--phase', '2', '--json');
      expect(result.code, result.stderr).toBe(0);
      const report = JSON.parse(result.stdout);
      const assets = report.tables.find((t: { relation: string }) => t.relation === 'ingestion_assets');
      expect(assets.target.sessions).toMatchObject({
        total: 1,
        writing: 1,
        pids: [(writer as pg.Client & { readonly processID: number }).processID],
      });
      expect(assets.target.sessions.oldestTransactionStart).toEqual(expect.any(String));
      const text = await plan(url, '--phase', '2');
      expect(text.stdout).toMatch(/1 session hold locks on it now \(1 writing; pids \d+; oldest transaction since /);
    } finally {
      await writer.end();
    }
  });

  it('--fail-on exits 4 naming each violation; a rule nothing breaks passes', async () => {
    const url = await copyOf(1);
    const failing = await plan(url, '--fail-on', 'share-row-exclusive:ingestion_assets');
    expect(failing.code).toBe(4);
    expect(failing.stderr).toMatch(
      /^rasdb: the plan breaks 3 --fail-on rules: 2001-asset-intelligence statement 1 locks ingestion_assets in SHARE ROW EXCLUSIVE \(--fail-on share-row-exclusive:ingestion_assets\); 2002-vulnerability-intelligence statement 2 .*; 4002-security-monitoring statement 1 /,
    );
    expect(failing.stderr.trim().split('\n')).toHaveLength(1);
    const json = JSON.parse(
      (await plan(url, '--json', '--fail-on', 'share-row-exclusive:ingestion_assets', 'rewrite')).stdout,
    );
    expect(json).toMatchObject({ ok: false, exitCode: 4, failOn: ['share-row-exclusive:ingestion_assets', 'rewrite'] });
    expect(json.violations).toHaveLength(3);
    const passing = await plan(url, '--phase', '2', '--fail-on', 'access-exclusive', 'share-row-exclusive>100MB');
    expect(passing.code, passing.stderr).toBe(0);
  });

  it('refuses a rule naming a table the database does not have, which could never fail (exit 2)', async () => {
    const url = await copyOf(1);
    const typo = await plan(url, '--fail-on', 'access-exclusive:ingestion_assets,nope', 'share:public.Users,x.y');
    expect(typo.code, typo.stderr).toBe(2);
    expect(typo.stderr).toBe(
      'rasdb: --fail-on access-exclusive:ingestion_assets,nope: the database has no table nope, x.y; a rule judges the tables it has now, so it could never fail\n',
    );
    const known = await plan(url, '--phase', '1', '--fail-on', 'access-exclusive:public.Ingestion_Assets,users');
    expect(known.code, known.stderr).toBe(0);
  });

  it('refuses a rule it cannot read in one line, exit 2, before connecting', async () => {
    const result = await runCli(['plan', '--fail-on', 'exclusive-ish'], {
      env: { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'rasdb: --fail-on: "exclusive-ish" is not a lock mode; use one of access-share, row-share, row-exclusive, share-update-exclusive, share, share-row-exclusive, exclusive, access-exclusive, rewrite or scan\n',
    );
  });

  it('without CREATEDB says so in one line (exit 3) and points at --scratch-url', async () => {
    const url = await copyOf(1);
    const role = `rasdb_plan_nocreatedb_${process.pid}`;
    await adminQuery(`DROP ROLE IF EXISTS ${role}`);
    await adminQuery(`CREATE ROLE ${role} LOGIN PASSWORD 'plan-pw' NOCREATEDB`);
    const name = new URL(url).pathname.slice(1);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client
      .query(`GRANT USAGE ON SCHEMA rasdb TO ${role}; GRANT SELECT ON ALL TABLES IN SCHEMA rasdb, public TO ${role}`)
      .finally(() => client.end());
    const limited = new URL(url);
    limited.username = role;
    limited.password = 'plan-pw';
    try {
      const result = await runCli(['plan'], { env: { DATABASE_URL: limited.toString() } });
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(
        /^rasdb: cannot create a scratch database on .*: permission denied to create database; rasdb observes the migrations on a scratch database beside the target: give the user CREATEDB, or point --scratch-url at a server where it may\n$/,
      );
      expect(result.stderr).not.toContain('plan-pw');
      // rollback --dry-run still prints the down SQL, and says why the lock report is missing.
      const dry = await runCli(['rollback', '--phase', '0', '--dry-run'], {
        env: { DATABASE_URL: limited.toString() },
      });
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stdout).toContain('drop table "sync_conflicts";');
      expect(dry.stderr).toMatch(
        /^rasdb: the lock report of the reverts was skipped: cannot create a scratch database on /,
      );
    } finally {
      await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      copies.splice(copies.indexOf(name), 1);
      await adminQuery(`DROP ROLE IF EXISTS ${role}`);
    }
  });

  it('says so when nothing is pending', async () => {
    const result = await plan(await copyOf(4));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Nothing to plan: .* is at phase 4, with no migration pending up to phase 4\.\n$/);
  });

  for (const phase of [1, 2, 3, 4]) {
    it(`prints the report of phase ${phase} as the snapshot has it`, async () => {
      const result = await plan(await copyOf(phase - 1), '--phase', String(phase));
      expect(result.code, result.stderr).toBe(0);
      await expect(stable(result.stdout)).toMatchFileSnapshot(`__snapshots__/plan-phase-${phase}.txt`);
    });
  }
});

describe('rasdb rollback --dry-run', () => {
  it('prints the down SQL and what each revert locks, and reverts nothing', async () => {
    const url = await copyOf(4);
    const result = await runCli(['rollback', '--phase', '2', '--dry-run'], { env: { DATABASE_URL: url } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^-- 4004-performance-rollups \(phase 4\), down, in its own transaction; drops /);
    expect(result.stdout).toContain('drop table "alerts";');
    // Dropping a table with a foreign key locks the table it references: users, for alerts.
    expect(result.stdout).toMatch(/4003-performance-monitoring \(phase 4, down\)[\s\S]*?users {2}ACCESS EXCLUSIVE/);
    expect(stable(result.stdout)).toMatch(/8 migrations to revert observed on <scratch> /);
    const status = JSON.parse((await runCli(['status', '--json'], { env: { DATABASE_URL: url } })).stdout);
    expect(status.currentPhase).toBe(4);
    const json = JSON.parse(
      (await runCli(['rollback', '--phase', '2', '--dry-run', '--json'], { env: { DATABASE_URL: url } })).stdout,
    );
    expect(json).toMatchObject({ ok: true, dryRun: true, targetPhase: 2, phaseBefore: 4 });
    expect(json.migrations).toHaveLength(8);
    expect(json.locks.direction).toBe('down');
    expect(json.locks.tables.map((t: { relation: string }) => t.relation)).toContain('users');
  });

  it('exits 4 naming the tables that hold rows, as the rollback would, unless --force', async () => {
    const url = await copyOf(4);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client
      .query(`INSERT INTO alerts (alert_type, severity, title) VALUES ('t', 'low', 'x')`)
      .finally(() => client.end());
    const refused = await runCli(['rollback', '--phase', '3', '--dry-run'], { env: { DATABASE_URL: url } });
    expect(refused.code).toBe(4);
    expect(refused.stdout).toContain('drops');
    expect(refused.stderr).toMatch(/^rasdb: rollback would drop tables that hold rows: alerts \(1 row\); .*--force/);
    const forced = await runCli(['rollback', '--phase', '3', '--dry-run', '--force'], { env: { DATABASE_URL: url } });
    expect(forced.code, forced.stderr).toBe(0);
    const [{ n }] = await (async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      return (await c.query('SELECT count(*)::int AS n FROM alerts').finally(() => c.end())).rows;
    })();
    expect(n).toBe(1);
  });

  it('--scratch-url means nothing without --dry-run', async () => {
    const result = await runCli(['rollback', '--phase', '2', '--scratch-url', 'postgres://x@127.0.0.1/y'], {
      env: { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--scratch-url has no effect without --dry-run/);
  });
});
