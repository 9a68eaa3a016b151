import { mkdtempSync, symlinkSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultMigrationsDir, listMigrations } from '../src/migrate/migration-files.js';
import { runCli } from './support/cli.js';
import { adminQuery, createTestDatabase, type TestDatabase } from './support/database.js';

/**
 * Every kind of bad input gets one line, its documented exit code, no stack trace, no password,
 * and leaves the database exactly as it was. The README's table of bad input lists these cases.
 */
let db: TestDatabase;
let before: unknown;
const ROLE = `rasdb_limited_${process.pid}`;
const BUILT = fileURLToPath(new URL('../dist/migrations/', import.meta.url));

/** Everything a command could change: the catalog of every schema but the system ones, and the ledger. */
async function fingerprint(): Promise<unknown> {
  const [catalog] = await db.query(
    `SELECT md5(string_agg(n.nspname || '.' || c.relname || ':' || c.relkind::text, ',' ORDER BY n.nspname, c.relname)) AS h
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')`,
  );
  const ledger = await db.query(`SELECT md5(string_agg(m::text, ',' ORDER BY name)) AS h FROM rasdb.migrations m`);
  const events = await db.query(`SELECT count(*)::int AS n FROM rasdb.migration_events`);
  return { catalog, ledger, events };
}

/** A migrations folder that lacks one migration the database has applied. */
function folderMissingOne(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rasdb-missing-'));
  for (const file of listMigrations(defaultMigrationsDir()).filter((f) => f.name !== '0002-ingestion-tables')) {
    mkdirSync(join(dir, file.folder), { recursive: true });
    symlinkSync(join(BUILT, file.folder, `${file.name}.js`), join(dir, file.folder, `${file.name}.js`));
  }
  return dir;
}

beforeAll(async () => {
  db = await createTestDatabase('badinput');
  expect((await runCli(['migrate', '--phase', '1'], { env: { DATABASE_URL: db.url } })).code).toBe(0);
  await adminQuery(`DROP ROLE IF EXISTS ${ROLE}`);
  await adminQuery(`CREATE ROLE ${ROLE} LOGIN PASSWORD 'limited-pw'`);
  before = await fingerprint();
});
afterAll(async () => {
  await db.drop();
  await adminQuery(`DROP ROLE IF EXISTS ${ROLE}`);
});

const withDb = (extra: Record<string, string> = {}) => ({ DATABASE_URL: db.url, ...extra });
const url = (change: (u: URL) => void) => {
  const u = new URL(db.url);
  change(u);
  return u.toString();
};

type Case = [label: string, args: string[], env: () => Record<string, string>, code: number, message: RegExp];

const cases: Case[] = [
  ['unknown command', ['frobnicate'], withDb, 2, /unknown command 'frobnicate'/],
  ['unknown flag', ['migrate', '--fast'], withDb, 2, /unknown option '--fast'/],
  ['--phase out of range', ['migrate', '--phase', '7'], withDb, 2, /--phase must be a whole number from 0 to 4, got "7"/],
  ['--phase not a number', ['migrate', '--phase', 'x'], withDb, 2, /--phase must be a whole number from 0 to 4, got "x"/],
  ['--phase a fraction', ['status', '--phase', '1.5'], withDb, 2, /unknown option '--phase'/],
  ['--phase on the dry run', ['migrate', '--dry-run', '--phase', '9'], withDb, 2, /--phase must be a whole number/],
  ['baseline --phase out of range', ['baseline', '--phase', '5'], withDb, 2, /--phase must be a whole number/],
  ['a malformed URL', ['status', '--database-url', 'postgres://dba:pw@[::1'], () => ({}), 2, /--database-url is not a valid URL/],
  ['a URL of another database', ['status'], () => ({ DATABASE_URL: 'mysql://dba:pw@localhost/x' }), 2, /must start with postgres:\/\//],
  ['an unknown sslmode', ['status'], () => ({ DATABASE_URL: url((u) => u.searchParams.set('sslmode', 'sometimes')) }), 2, /sslmode must be one of/],
  ['PGPORT not a number', ['status'], () => ({ PGHOST: '127.0.0.1', PGPORT: 'five', PGDATABASE: db.name }), 2, /PGPORT must be a port number/],
  ['a negative --lock-wait', ['migrate', '--lock-wait', '-5s'], withDb, 2, /--lock-wait takes a duration/],
  ['an absurd --lock-wait', ['migrate', '--lock-wait', '400h'], withDb, 2, /--lock-wait must be between 0s and 24h/],
  ['a zero --lock-timeout', ['migrate', '--lock-timeout', '0'], withDb, 2, /--lock-timeout must be between/],
  ['a --statement-timeout that is not a duration', ['migrate', '--statement-timeout', 'forever'], withDb, 2, /--statement-timeout takes a duration/],
  ['a zero --connect-timeout', ['status', '--connect-timeout', '0s'], withDb, 2, /--connect-timeout must be between/],
  ['--lock-retries 0', ['migrate', '--lock-retries', '0'], withDb, 2, /--lock-retries must be a whole number from 1 to 100/],
  ['rollback without a target', ['rollback'], withDb, 2, /rollback needs --phase N/],
  ['rollback with two targets', ['rollback', '--phase', '1', '--all'], withDb, 2, /either --phase N or --all/],
  ['repair without --accept', ['repair'], withDb, 2, /required option '--accept <migration>'/],
  ['repair of an unknown migration', ['repair', '--accept', '9999-nothing'], withDb, 2, /no migration named "9999-nothing"/],
  ['repair of a pending migration', ['repair', '--accept', '4001-workflow-automation'], withDb, 2, /4001-workflow-automation is not applied/],
  ['a missing migrations folder', ['status', '--migrations-dir', '/nonexistent/rasdb'], withDb, 2, /migrations folder \/nonexistent\/rasdb does not exist/],
  ['codegen --out a folder', ['codegen', '--out', tmpdir()], withDb, 2, /is a folder, not a regular file; give a file path/],
  ['codegen --out a device', ['codegen', '--out', '/dev/full'], withDb, 2, /\/dev\/full is a device, not a regular file/],
  ['codegen --out under a file', ['codegen', '--out', '/etc/hostname/db.ts'], withDb, 2, /a part of the path before it is a file/],
  ['RASDB_DATA_DIR under a file', ['status', '-q'], () => ({ RASDB_DATA_DIR: '/etc/hostname/rasdb' }), 2, /cannot create the folder \/etc\/hostname\/rasdb: a part of the path is a file/],
  ['a refused connection', ['status', '--database-url', 'postgres://dba:pw@127.0.0.1:1/rasdash'], () => ({}), 3, /connection refused/],
  ['an unknown host', ['status', '--database-url', 'postgres://dba:pw@nowhere.invalid/rasdash'], () => ({}), 3, /host "nowhere.invalid" was not found/],
  ['a missing database', ['status'], () => ({ DATABASE_URL: url((u) => (u.pathname = '/no_such_db')) }), 3, /database "no_such_db" does not exist/],
  [
    'a role without CREATE privilege',
    ['migrate'],
    () => ({ DATABASE_URL: url((u) => ((u.username = ROLE), (u.password = 'limited-pw'))) }),
    4,
    /role "rasdb_limited_\d+" may not read rasdb's ledger/,
  ],
  ['a ledger missing a migration file', ['migrate', '--migrations-dir', folderMissingOne()], withDb, 4, /ledger lists a migration with no file here \(0002-ingestion-tables\)/],
];

describe('bad input', () => {
  it.each(cases.map(([label, args, env, code, message]) => ({ label, args, env, code, message })))('$label: exit $code', async ({ args, env, code, message }) => {
    const result = await runCli(args, { env: env() });
    expect(result.code, result.stderr).toBe(code);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toMatch(/\n\s+at |limited-pw|:pw@/);
    expect(result.stdout).not.toMatch(/limited-pw|:pw@/);
    expect(await fingerprint()).toEqual(before);
  });

  it('a role without CREATE privilege on a fresh database exits 4 and creates nothing', async () => {
    const fresh = await createTestDatabase('badinput_fresh');
    try {
      const u = new URL(fresh.url);
      u.username = ROLE;
      u.password = 'limited-pw';
      const result = await runCli(['migrate'], { env: { DATABASE_URL: u.toString() } });
      expect(result.code).toBe(4);
      expect(result.stderr).toMatch(/role "rasdb_limited_\d+" may not create schemas in database .*; GRANT CREATE ON DATABASE/);
      expect(await fresh.query(`SELECT count(*)::int AS n FROM pg_class WHERE relnamespace = 'public'::regnamespace`)).toEqual([{ n: 0 }]);
    } finally {
      await fresh.drop();
    }
  });

  it('a read-only database (as on a standby) exits 3 and changes nothing', async () => {
    await adminQuery(`ALTER DATABASE ${db.name} SET default_transaction_read_only = on`);
    try {
      const result = await runCli(['migrate'], { env: withDb() });
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(/is read-only for this session .* point rasdb at a writable primary/);
    } finally {
      await adminQuery(`ALTER DATABASE ${db.name} RESET default_transaction_read_only`);
    }
    expect(await fingerprint()).toEqual(before);
  });

  it('a ledger written by a newer rasdb exits 4 and changes nothing', async () => {
    await db.query(`UPDATE rasdb.ledger_info SET version = version + 100`);
    try {
      for (const args of [['migrate'], ['status'], ['migrate', '--dry-run']]) {
        const result = await runCli(args, { env: withDb() });
        expect(result.code).toBe(4);
        expect(result.stderr).toMatch(/newer than this rasdb understands .* upgrade rasdb/);
      }
    } finally {
      await db.query(`UPDATE rasdb.ledger_info SET version = version - 100`);
    }
    expect(await fingerprint()).toEqual(before);
  });
});
