import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { runCli, type CliResult } from './support/cli.js';
import { adminUrl, createTestDatabase, type TestDatabase } from './support/database.js';
import { startEmbeddedForTests } from './support/global-setup.js';

const SECRET = 'Sup3r-s3cret-pw';

/** No output of rasdb may ever contain the password it was given. */
function expectNoSecret(result: CliResult): void {
  expect(result.stdout).not.toContain(SECRET);
  expect(result.stderr).not.toContain(SECRET);
  expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
}

let db: TestDatabase;
// Wrong-password checks need a server that checks passwords: the embedded test server does;
// a TEST_DATABASE_URL server may trust everyone, so then the file starts its own.
let passwordServer: { url: string; stop: () => Promise<void> } | undefined;

beforeAll(async () => {
  db = await createTestDatabase('connerr');
  if (inject('serverKind') !== 'embedded') passwordServer = await startEmbeddedForTests();
});
afterAll(async () => {
  await db.drop();
  await passwordServer?.stop();
});

function withPassword(base: string, password: string, database?: string): string {
  const url = new URL(base);
  url.password = password;
  if (database) url.pathname = `/${database}`;
  return url.toString();
}

describe('connection and usage errors', () => {
  it('a malformed URL is a usage error (exit 2)', async () => {
    const result = await runCli(['status', '--database-url', `postgres://dba:${SECRET}@[bad`]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/--database-url is not a valid URL/);
    expectNoSecret(result);
  });

  it('a URL of another scheme is a usage error (exit 2)', async () => {
    const result = await runCli(['status'], { env: { DATABASE_URL: `mysql://dba:${SECRET}@localhost/x` } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/DATABASE_URL must start with postgres:\/\//);
    expectNoSecret(result);
  });

  it('a wrong password exits 3 naming host, port and database, never the password', async () => {
    const base = passwordServer?.url ?? adminUrl();
    const result = await runCli(['migrate'], { env: { DATABASE_URL: withPassword(base, SECRET) } });
    expect(result.code).toBe(3);
    const url = new URL(base);
    expect(result.stderr).toContain(`${url.hostname}:${url.port}/postgres`);
    expect(result.stderr).toMatch(/password authentication failed/);
    expectNoSecret(result);
  });

  it('an unknown host exits 3', async () => {
    const result = await runCli([
      'status',
      '--database-url',
      `postgres://dba:${SECRET}@no-such-host.invalid:5432/rasdash`,
    ]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/host "no-such-host.invalid" was not found/);
    expectNoSecret(result);
  });

  it('a refused connection exits 3', async () => {
    const result = await runCli(['status', '--database-url', `postgres://dba:${SECRET}@127.0.0.1:1/rasdash`]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/connection refused/);
    expectNoSecret(result);
  });

  it('a missing database exits 3', async () => {
    const url = new URL(db.url);
    url.pathname = '/no_such_database_here';
    const result = await runCli(['status'], { env: { DATABASE_URL: url.toString() } });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/database "no_such_database_here" does not exist/);
    expectNoSecret(result);
    if (url.password) expect(result.stderr).not.toContain(decodeURIComponent(url.password));
  });

  it('PG* variables are used when no URL is given, and PGPASSWORD never shows', async () => {
    const url = new URL(db.url);
    const result = await runCli(['status', '--json'], {
      env: {
        PGHOST: url.hostname,
        PGPORT: url.port,
        PGUSER: decodeURIComponent(url.username),
        PGPASSWORD: decodeURIComponent(url.password) || SECRET,
        PGDATABASE: db.name,
      },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).database).toContain(`/${db.name}`);
    expectNoSecret(result);
  });

  it('--database-url wins over DATABASE_URL', async () => {
    const result = await runCli(['status', '--json', '--database-url', db.url], {
      env: { DATABASE_URL: `postgres://x:${SECRET}@127.0.0.1:1/nowhere` },
    });
    expect(result.code, result.stderr).toBe(0);
    expectNoSecret(result);
  });

  it.each([
    [['migrate', '--phase', '7'], /--phase must be a whole number from 0 to 4, got "7"/],
    [['migrate', '--phase', 'x'], /--phase must be a whole number from 0 to 4, got "x"/],
    [['migrate', '--phase', '-1'], /--phase must be a whole number from 0 to 4/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['migrate', '--bogus'], /unknown option '--bogus'/],
    [['migrate', '--lock-wait', '-5s'], /--lock-wait takes a duration/],
    [['migrate', '--lock-wait', '400h'], /--lock-wait must be between/],
    [['rollback'], /rollback needs --phase N/],
  ])('%j is a usage error (exit 2) and touches nothing', async (args, message) => {
    const result = await runCli(args, { env: { DATABASE_URL: withPassword(db.url, SECRET) } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expectNoSecret(result);
    expect(await db.query(`SELECT 1 FROM pg_namespace WHERE nspname = 'rasdb'`)).toEqual([]);
  });

  it('--json errors are one JSON document on stdout', async () => {
    const result = await runCli(['status', '--json', '--database-url', `postgres://dba:${SECRET}@127.0.0.1:1/rasdash`]);
    expect(result.code).toBe(3);
    const body = JSON.parse(result.stdout);
    expect(body).toMatchObject({ ok: false, exitCode: 3, error: { host: '127.0.0.1', port: 1, database: 'rasdash' } });
    expectNoSecret(result);
  });
});
