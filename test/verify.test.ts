import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { adminQuery, adminUrl, createTestDatabase, urlFor, type TestDatabase } from './support/database.js';

let template: TestDatabase;
const made: string[] = [];

beforeAll(async () => {
  template = await createTestDatabase('verify_tpl');
  const migrated = await runCli(['migrate', '-q'], { env: { DATABASE_URL: template.url } });
  expect(migrated.code, migrated.stderr).toBe(0);
});
afterAll(async () => {
  for (const name of made) await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await template.drop();
});

/** A copy of the fully migrated database (CREATE DATABASE ... TEMPLATE: far quicker than migrating again). */
async function migratedCopy(sql?: string): Promise<string> {
  const name = `${template.name}_${made.length}`.slice(0, 63);
  made.push(name);
  await adminQuery(`CREATE DATABASE "${name}" TEMPLATE "${template.name}"`);
  const url = urlFor(name);
  if (sql) {
    const pg = (await import('pg')).default;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(sql).finally(() => client.end());
  }
  return url;
}

const verify = (url: string, ...args: string[]) =>
  runCli(['verify', '--scratch-url', adminUrl(), ...args], { env: { DATABASE_URL: url } });
const verifyJson = async (url: string, ...args: string[]) => {
  const result = await verify(url, '--json', ...args);
  return { code: result.code, report: JSON.parse(result.stdout), stderr: result.stderr };
};

describe('rasdb verify', () => {
  it('passes on a fully migrated database and leaves no scratch database behind', async () => {
    const url = await migratedCopy();
    const result = await verify(url);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/matches its \d+ applied migrations; checked in/);
    const { report } = await verifyJson(url);
    expect(report).toMatchObject({ ok: true, differences: [], unmanaged: [], pending: [], checksumMismatches: [] });
    expect(report.replayed).toContain('4003-performance-monitoring');
    const scratch = /\/(rasdb_scratch_\w+)$/.exec(report.scratch)?.[1];
    expect(scratch).toBeDefined();
    expect(await adminQuery(`SELECT datname FROM pg_database WHERE datname = $1`, [scratch])).toEqual([]);
  });

  it('replays on a throwaway embedded PostgreSQL without --scratch-url, and removes it', async () => {
    const url = await migratedCopy();
    const result = await runCli(['verify', '--json'], {
      env: { DATABASE_URL: url, RASDB_SCRATCH_URL: undefined },
      timeoutMs: 120_000,
    });
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.ok).toBe(true);
    const folder = /embedded PostgreSQL in (\S+) /.exec(report.scratch)?.[1];
    expect(folder).toMatch(/rasdb-scratch-/);
    expect(existsSync(folder!)).toBe(false);
  });

  const drifts: [string, string, { kind: string; type: string; object: string; detail?: unknown }][] = [
    [
      'a dropped column',
      'ALTER TABLE alerts DROP COLUMN source_system',
      { kind: 'missing', type: 'column', object: 'alerts.source_system' },
    ],
    [
      'a changed type',
      'ALTER TABLE alerts ALTER COLUMN title TYPE text',
      { kind: 'changed', type: 'column', object: 'alerts.title', detail: 'type: character varying(500) -> text' },
    ],
    [
      'a changed default',
      "ALTER TABLE alerts ALTER COLUMN status SET DEFAULT 'new'",
      {
        kind: 'changed',
        type: 'column',
        object: 'alerts.status',
        detail: expect.stringMatching(/^default: 'active'.* -> 'new'/),
      },
    ],
    [
      'a dropped NOT NULL',
      'ALTER TABLE alerts ALTER COLUMN severity DROP NOT NULL',
      { kind: 'changed', type: 'column', object: 'alerts.severity', detail: 'NOT NULL dropped' },
    ],
    [
      'a dropped foreign key',
      'ALTER TABLE alerts DROP CONSTRAINT alerts_assigned_to_fkey',
      { kind: 'missing', type: 'constraint', object: 'alerts.alerts_assigned_to_fkey' },
    ],
    [
      'an added index',
      'CREATE INDEX idx_alerts_entity ON alerts (entity_id)',
      { kind: 'extra', type: 'index', object: 'alerts.idx_alerts_entity' },
    ],
  ];

  it.each(drifts)('reports %s by object and kind (exit 4)', async (_label, sql, expected) => {
    const url = await migratedCopy(sql);
    const { code, report, stderr } = await verifyJson(url);
    expect(code).toBe(4);
    expect(report.ok).toBe(false);
    expect(report.differences).toEqual([expect.objectContaining(expected)]);
    expect(stderr.trim().split('\n')).toEqual([expect.stringContaining('does not match its migrations: 1 difference')]);
  });

  it('names each difference in the text report, one error line, no stack trace', async () => {
    const url = await migratedCopy(
      'ALTER TABLE alerts DROP COLUMN source_system; CREATE INDEX idx_alerts_entity ON alerts (entity_id)',
    );
    const result = await verify(url);
    expect(result.code).toBe(4);
    expect(result.stdout).toMatch(/missing\s+column alerts\.source_system\s+character varying\(100\)/);
    expect(result.stdout).toMatch(/extra\s+index alerts\.idx_alerts_entity\s+CREATE INDEX/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('reports an extra table as unmanaged: allowed without --strict, exit 4 with it', async () => {
    const url = await migratedCopy(
      'CREATE TABLE legacy_notes (id int); CREATE VIEW open_alerts AS SELECT * FROM alerts',
    );
    const loose = await verifyJson(url);
    expect(loose.code, loose.stderr).toBe(0);
    expect(loose.report.differences).toEqual([]);
    expect(loose.report.unmanaged).toEqual([
      { type: 'table', name: 'legacy_notes' },
      { type: 'view', name: 'open_alerts' },
    ]);
    const strict = await verify(url, '--strict');
    expect(strict.code).toBe(4);
    expect(strict.stdout).toMatch(/unmanaged\s+table legacy_notes/);
    expect(strict.stderr).toContain('2 unmanaged objects');
  });

  it('reports pending migrations', async () => {
    const partial = await createTestDatabase('verify_pending');
    try {
      expect((await runCli(['migrate', '-q', '--phase', '3'], { env: { DATABASE_URL: partial.url } })).code).toBe(0);
      const { code, report } = await verifyJson(partial.url);
      expect(code).toBe(4);
      expect(report.differences).toEqual([]);
      expect(report.pending.map((m: { phase: number }) => m.phase)).toEqual(report.pending.map(() => 4));
      expect(report.pending.map((m: { name: string }) => m.name)).toContain('4001-workflow-automation');
    } finally {
      await partial.drop();
    }
  });

  it('reports an applied migration whose checksum no longer matches its file', async () => {
    const url = await migratedCopy(
      `UPDATE rasdb.migrations SET checksum = repeat('0', 64) WHERE name = '0001-users-and-audit-logs'`,
    );
    const { code, report } = await verifyJson(url);
    expect(code).toBe(4);
    expect(report.differences).toEqual([]);
    expect(report.checksumMismatches).toEqual([
      expect.objectContaining({ name: '0001-users-and-audit-logs', recorded: '0'.repeat(64) }),
    ]);
    const text = await verify(url);
    expect(text.stdout).toMatch(
      /checksum\s+migration 0001-users-and-audit-logs: applied 000000000000, file now [0-9a-f]{12}/,
    );
  });

  it('exits 3 with one line when the scratch server cannot be reached', async () => {
    const url = await migratedCopy();
    const result = await runCli(['verify', '--scratch-url', 'postgres://postgres@127.0.0.1:1/postgres'], {
      env: { DATABASE_URL: url },
    });
    expect(result.code).toBe(3);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringContaining('connection refused')]);
  });
});
