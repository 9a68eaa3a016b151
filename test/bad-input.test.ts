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
/** A database at the last phase, for the retention commands (which need its tables). */
let full: TestDatabase;
let before: unknown;
let fullBefore: unknown;
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

/** What a retention command could change: its ledger tables and the rows it deletes. */
async function retentionFingerprint(): Promise<unknown> {
  return full.query(
    `SELECT (SELECT md5(coalesce(string_agg(r::text, ',' ORDER BY id), '')) FROM rasdb.retention_runs r) AS runs,
            (SELECT md5(coalesce(string_agg(h::text, ',' ORDER BY id), '')) FROM rasdb.retention_holds h) AS holds,
            (SELECT count(*)::int FROM rasdb.retention_time_zones) AS zones,
            (SELECT count(*)::int FROM api_call_logs) AS calls`,
  );
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
  // The second run makes the ledger tables the first left for later (one test below holds a row).
  expect((await runCli(['migrate', '--phase', '1', '-q'], { env: { DATABASE_URL: db.url } })).code).toBe(0);
  await adminQuery(`DROP ROLE IF EXISTS ${ROLE}`);
  await adminQuery(`CREATE ROLE ${ROLE} LOGIN PASSWORD 'limited-pw'`);
  before = await fingerprint();
  full = await createTestDatabase('badinput_full');
  expect((await runCli(['migrate', '-q'], { env: { DATABASE_URL: full.url } })).code).toBe(0);
  // The second makes the ledger tables the first left for later: the retention fingerprint reads them.
  expect((await runCli(['migrate', '-q'], { env: { DATABASE_URL: full.url } })).code).toBe(0);
  await full.query(
    `INSERT INTO api_call_logs (method, endpoint, called_at) VALUES ('GET', '/a', now() - interval '400 days')`,
  );
  fullBefore = await retentionFingerprint();
});
afterAll(async () => {
  await db.drop();
  await full.drop();
  await adminQuery(`DROP ROLE IF EXISTS ${ROLE}`);
});

const withDb = (extra: Record<string, string> = {}) => ({ DATABASE_URL: db.url, ...extra });
const withFull = () => ({ DATABASE_URL: full.url });
const hold = (...range: string[]) => [
  'retention',
  'hold',
  'add',
  '--table',
  'api_call_logs',
  ...range,
  '--reason',
  'case 17',
];
const url = (change: (u: URL) => void) => {
  const u = new URL(db.url);
  change(u);
  return u.toString();
};

type Case = [label: string, args: string[], env: () => Record<string, string>, code: number, message: RegExp];

const cases: Case[] = [
  ['unknown command', ['frobnicate'], withDb, 2, /unknown command 'frobnicate'/],
  ['unknown flag', ['migrate', '--fast'], withDb, 2, /unknown option '--fast'/],
  [
    '--phase out of range',
    ['migrate', '--phase', '7'],
    withDb,
    2,
    /--phase must be a whole number from 0 to 4, got "7"/,
  ],
  [
    '--phase not a number',
    ['migrate', '--phase', 'x'],
    withDb,
    2,
    /--phase must be a whole number from 0 to 4, got "x"/,
  ],
  ['--phase a fraction', ['status', '--phase', '1.5'], withDb, 2, /unknown option '--phase'/],
  [
    'plan --fail-on not a lock mode',
    ['plan', '--fail-on', 'exclusive-ish'],
    withDb,
    2,
    /--fail-on: "exclusive-ish" is not a lock mode/,
  ],
  [
    'plan --fail-on not a size unit',
    ['plan', '--fail-on', 'access-exclusive>100MiB'],
    withDb,
    2,
    /"MiB" is not a size unit/,
  ],
  [
    'rollback --scratch-url without --dry-run',
    ['rollback', '--phase', '0', '--scratch-url', 'postgres://x@127.0.0.1/y'],
    withDb,
    2,
    /--scratch-url has no effect without --dry-run/,
  ],
  ['--phase on the dry run', ['migrate', '--dry-run', '--phase', '9'], withDb, 2, /--phase must be a whole number/],
  ['baseline --phase out of range', ['baseline', '--phase', '5'], withDb, 2, /--phase must be a whole number/],
  [
    'a malformed URL',
    ['status', '--database-url', 'postgres://dba:pw@[::1'],
    () => ({}),
    2,
    /--database-url is not a valid URL/,
  ],
  [
    'a URL of another database',
    ['status'],
    () => ({ DATABASE_URL: 'mysql://dba:pw@localhost/x' }),
    2,
    /must start with postgres:\/\//,
  ],
  [
    'an unknown sslmode',
    ['status'],
    () => ({ DATABASE_URL: url((u) => u.searchParams.set('sslmode', 'sometimes')) }),
    2,
    /sslmode must be one of/,
  ],
  [
    'PGPORT not a number',
    ['status'],
    () => ({ PGHOST: '127.0.0.1', PGPORT: 'five', PGDATABASE: db.name }),
    2,
    /PGPORT must be a port number/,
  ],
  ['a negative --lock-wait', ['migrate', '--lock-wait', '-5s'], withDb, 2, /--lock-wait takes a duration/],
  ['an absurd --lock-wait', ['migrate', '--lock-wait', '400h'], withDb, 2, /--lock-wait must be between 0s and 24h/],
  ['a zero --lock-timeout', ['migrate', '--lock-timeout', '0'], withDb, 2, /--lock-timeout must be between/],
  [
    'a --statement-timeout that is not a duration',
    ['migrate', '--statement-timeout', 'forever'],
    withDb,
    2,
    /--statement-timeout takes a duration/,
  ],
  ['a zero --connect-timeout', ['status', '--connect-timeout', '0s'], withDb, 2, /--connect-timeout must be between/],
  [
    '--lock-retries 0',
    ['migrate', '--lock-retries', '0'],
    withDb,
    2,
    /--lock-retries must be a whole number from 1 to 100/,
  ],
  [
    'a negative --index-workers',
    ['partition', 'enable', 'api_call_logs', '--interval', 'month', '--index-workers', '-1'],
    withDb,
    2,
    /--index-workers must be a whole number from 0 to 1024, got "-1"/,
  ],
  ['rollback without a target', ['rollback'], withDb, 2, /rollback needs --phase N/],
  ['rollback with two targets', ['rollback', '--phase', '1', '--all'], withDb, 2, /either --phase N or --all/],
  ['repair without --accept', ['repair'], withDb, 2, /required option '--accept <migration>'/],
  [
    'repair of an unknown migration',
    ['repair', '--accept', '9999-nothing'],
    withDb,
    2,
    /no migration named "9999-nothing"/,
  ],
  [
    'repair of a pending migration',
    ['repair', '--accept', '4001-workflow-automation'],
    withDb,
    2,
    /4001-workflow-automation is not applied/,
  ],
  [
    'a missing migrations folder',
    ['status', '--migrations-dir', '/nonexistent/rasdb'],
    withDb,
    2,
    /migrations folder \/nonexistent\/rasdb does not exist/,
  ],
  [
    'codegen --out a folder',
    ['codegen', '--out', tmpdir()],
    withDb,
    2,
    /is a folder, not a regular file; give a file path/,
  ],
  [
    'codegen --out a device',
    ['codegen', '--out', '/dev/full'],
    withDb,
    2,
    /\/dev\/full is a device, not a regular file/,
  ],
  [
    'codegen --out under a file',
    ['codegen', '--out', '/etc/hostname/db.ts'],
    withDb,
    2,
    /a part of the path before it is a file/,
  ],
  [
    'RASDB_DATA_DIR under a file',
    ['status', '-q'],
    () => ({ RASDB_DATA_DIR: '/etc/hostname/rasdb' }),
    2,
    /cannot create the folder \/etc\/hostname\/rasdb: a part of the path is a file/,
  ],
  [
    'a refused connection',
    ['status', '--database-url', 'postgres://dba:pw@127.0.0.1:1/rasdash'],
    () => ({}),
    3,
    /connection refused/,
  ],
  [
    'an unknown host',
    ['status', '--database-url', 'postgres://dba:pw@nowhere.invalid/rasdash'],
    () => ({}),
    3,
    /host "nowhere.invalid" was not found/,
  ],
  [
    'a missing database',
    ['status'],
    () => ({ DATABASE_URL: url((u) => (u.pathname = '/no_such_db')) }),
    3,
    /database "no_such_db" does not exist/,
  ],
  [
    'a role without CREATE privilege',
    ['migrate'],
    () => ({ DATABASE_URL: url((u) => ((u.username = ROLE), (u.password = 'limited-pw'))) }),
    4,
    /role "rasdb_limited_\d+" may not read rasdb's ledger/,
  ],
  [
    'a DATABASE_URL that is set but empty',
    ['retention', 'prune'],
    () => ({ DATABASE_URL: '' }),
    2,
    /DATABASE_URL is set but empty; set it, or unset it/,
  ],
  ['an empty flag value', ['status', '--database-url', ''], withDb, 2, /--database-url must not be empty/],
  [
    'an empty variable behind a flag',
    ['migrate', '--dry-run'],
    () => withDb({ RASDB_LOCK_TIMEOUT: '' }),
    2,
    /--lock-timeout must not be empty \(it comes from RASDB_LOCK_TIMEOUT\)/,
  ],
  [
    'a bad variable behind a flag',
    ['migrate', '--dry-run'],
    () => withDb({ RASDB_LOCK_TIMEOUT: '5parsecs' }),
    2,
    /^rasdb: --lock-timeout takes a duration such as 500ms, 30s, 15min or 1h, got "5parsecs" \(it comes from RASDB_LOCK_TIMEOUT\)\n$/,
  ],
  ['an empty --policy', ['retention', 'prune', '--policy', ''], withDb, 2, /--policy must not be empty/],
  ['a demo option without --demo', ['seed', '--scale', '5'], withDb, 2, /--scale has no effect without --demo/],
  [
    'a lock option on a dry run',
    ['migrate', '--dry-run', '--lock-timeout', '1s'],
    withDb,
    2,
    /--lock-timeout has no effect with --dry-run/,
  ],
  [
    'a lock wait on a retention dry run',
    ['retention', 'prune', '--dry-run', '--lock-wait', '5s'],
    withDb,
    2,
    /--lock-wait has no effect with --dry-run/,
  ],
  [
    'a retention period past a century',
    ['retention', 'policy', 'set', 'api_call_logs', '--keep-detail', '99999999999y', '--reason', 'x'],
    withDb,
    2,
    /--keep-detail must be at most 100 years/,
  ],
  [
    'several problems at once',
    ['migrate', '--phase', '9', '--lock-wait', '-5s'],
    withDb,
    2,
    /--phase must be .*; --lock-wait takes a duration/,
  ],
  [
    'an impossible date',
    ['retention', 'prune', '--now', '2026-02-30'],
    withFull,
    2,
    /--now: 2026-02-30 is not a date \(February 2026 has 28 days\)/,
  ],
  [
    'an impossible hold bound',
    hold('--until', '2026-04-31T12:00:00'),
    withFull,
    2,
    /--until: 2026-04-31 is not a date/,
  ],
  ['a year out of range', hold('--from', '1850-01-01'), withFull, 2, /--from: the year must be from 1900 to 9999/],
  [
    'an offset no zone has',
    hold('--until', '2026-05-02T00:00:00+15:00'),
    withFull,
    2,
    /--until: the UTC offset must be from -12:00 to \+14:00/,
  ],
  ['a time that is not one', hold('--from', 'yesterday'), withFull, 2, /--from takes a time such as 2026-05-02/],
  [
    'a hold that ends before it starts',
    hold('--from', '2026-05-02', '--until', '2026-05-01T23:00:00+05:00'),
    withFull,
    2,
    /--from 2026-05-02 must be before --until/,
  ],
  [
    'a hold until far ahead',
    hold('--until', '2300-01-01'),
    withFull,
    2,
    /--until 2300-01-01 is more than 100 years ahead; leave --until out/,
  ],
  [
    'a --now ahead of the server clock',
    ['retention', 'prune', '--now', '2099-01-01'],
    withFull,
    2,
    /--now 2099-01-01 is ahead of the server's clock .*only replay the past/,
  ],
  [
    'an unknown time zone',
    ['retention', 'policy', 'time-zone', 'Mars/Olympus_Mons', '--reason', 'x'],
    withFull,
    2,
    /"Mars\/Olympus_Mons" is not a time zone PostgreSQL knows/,
  ],
  [
    'a time zone declared as a bare offset',
    ['retention', 'policy', 'time-zone', '+05:30', '--reason', 'x'],
    withFull,
    2,
    /"\+05:30" is an offset, which PostgreSQL reads the POSIX way \(UTC-05:30, not UTC\+05:30\); declare a zone name such as Asia\/Kolkata/,
  ],
  [
    'a hold of neither a range nor ids',
    ['retention', 'hold', 'add', '--table', 'api_call_logs', '--reason', 'x'],
    withFull,
    2,
    /a hold names a time range \(--from and\/or --until\) or --ids; give one of them/,
  ],
  [
    'a --table that is SQL',
    ['retention', 'hold', 'add', '--table', 'api_call_logs";DROP TABLE users;--', '--reason', 'x'],
    withFull,
    2,
    /holds apply to api_call_logs, .*; got "api_call_logs";DROP TABLE users;--"/,
  ],
  [
    'a --table that only looks right (Cyrillic а)',
    ['retention', 'hold', 'add', '--table', '\u0430pi_call_logs', '--reason', 'x'],
    withFull,
    2,
    /holds apply to .*; got "\u0430pi_call_logs"/,
  ],
  [
    'a --policy that names nothing (a comma)',
    ['retention', 'prune', '--policy', ','],
    withFull,
    2,
    /^rasdb: --policy names no policy; the policies are api_call_logs, /,
  ],
  [
    'a policy change naming no policy (a comma)',
    ['retention', 'policy', 'set', ',', '--keep-detail', '30d', '--reason', 'x'],
    withFull,
    2,
    /^rasdb: unknown policy ","; the policies are api_call_logs, /,
  ],
  [
    'a policy change naming two policies',
    ['retention', 'policy', 'set', 'performance_metrics,api_call_logs', '--keep-detail', '30d', '--reason', 'x'],
    withFull,
    2,
    /^rasdb: unknown policy "performance_metrics,api_call_logs"; /,
  ],
  [
    'a --policy carrying an escape sequence',
    ['retention', 'prune', '--policy', 'x\u001b[2J'],
    withFull,
    2,
    /^rasdb: unknown policy x\\x1b\[2J; the policies are/,
  ],
  [
    'a repair --accept carrying quotes and an escape',
    ['repair', '--accept', "0001\u001b[2J'; DROP TABLE users;--"],
    withDb,
    2,
    /no migration named "0001\\x1b\[2J'; DROP TABLE users;--"/,
  ],
  [
    'a --migrations-dir of 100,000 characters',
    ['status', '--migrations-dir', `/tmp/${'a'.repeat(100_000)}`],
    withDb,
    2,
    /the migrations folder \/tmp\/a+ does not exist/,
  ],
  [
    'an impossible demo day',
    ['seed', '--demo', '--as-of', '2026-02-30'],
    withDb,
    2,
    /--as-of: 2026-02-30 is not a date/,
  ],
  [
    'a demo day with a time',
    ['seed', '--demo', '--as-of', '2026-02-03T10:00'],
    withDb,
    2,
    /--as-of takes a date such as 2026-05-02/,
  ],
  [
    'a ledger missing a migration file',
    ['migrate', '--migrations-dir', folderMissingOne()],
    withDb,
    4,
    /ledger lists a migration with no file here \(0002-ingestion-tables\)/,
  ],
  [
    'rasdb new with a name that is not words joined by hyphens',
    ['new', 'Add Widgets', '--phase', '2'],
    withDb,
    2,
    /a migration name is lower-case words joined by hyphens/,
  ],
  ['rasdb new without --phase', ['new', 'add-widgets'], withDb, 2, /rasdb new needs --phase N/],
  [
    'rasdb new for a phase with no folder',
    ['new', 'add-widgets', '--phase', '3', '--migrations-dir', tmpdir()],
    withDb,
    2,
    /has no folder for phase 3/,
  ],
  [
    'rasdb psql with no psql on PATH',
    ['psql'],
    () => withDb({ PATH: '/nonexistent' }),
    1,
    /psql was not found on PATH .*install the PostgreSQL client/,
  ],
  ['rasdb psql --json', ['psql', '--json'], withDb, 2, /psql's output is its own: rasdb psql does not take --json/],
  [
    'rasdb embedded url with no server kept running',
    ['embedded', 'url'],
    () => ({ RASDB_DATA_DIR: join(tmpdir(), `rasdb-never-made-${process.pid}`) }),
    3,
    /no embedded PostgreSQL is running in .*; start one with rasdb embedded start/,
  ],
];

describe('bad input', () => {
  it.each(cases.map(([label, args, env, code, message]) => ({ label, args, env, code, message })))(
    '$label: exit $code',
    async ({ args, env, code, message }) => {
      const result = await runCli(args, { env: env() });
      expect(result.code, result.stderr).toBe(code);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).not.toMatch(/\n\s+at |limited-pw|:pw@/);
      expect(result.stdout).not.toMatch(/limited-pw|:pw@/);
      expect(await fingerprint()).toEqual(before);
      expect(await retentionFingerprint()).toEqual(fullBefore);
    },
  );

  it('a data time zone rasdb cannot tell, or that changed since the last run, exits 4 and changes nothing', async () => {
    const role = `rasdb_tz_${process.pid}`;
    const summarized = await runCli(['retention', 'summarize', '-q'], { env: withFull() });
    expect(summarized.code, summarized.stderr).toBe(0);
    const recorded = await retentionFingerprint();
    await adminQuery(`ALTER DATABASE ${full.name} SET timezone = 'America/Chicago'`);
    try {
      const changed = await runCli(['retention', 'prune'], { env: withFull() });
      expect(changed.code).toBe(4);
      expect(changed.stderr).toMatch(
        /^rasdb: the data's time zone is America\/Chicago \(the database setting timezone = 'America\/Chicago'\), but retention run \d+ computed in UTC; .*rasdb retention policy time-zone <zone> --reason "\.\.\."\n$/,
      );
      await adminQuery(`CREATE ROLE ${role}`);
      await adminQuery(`ALTER ROLE ${role} IN DATABASE ${full.name} SET timezone = 'Asia/Tokyo'`);
      const unknown = await runCli(['retention', 'summarize'], { env: withFull() });
      expect(unknown.code).toBe(4);
      expect(unknown.stderr).toMatch(
        /^rasdb: cannot tell which time zone .*role "rasdb_tz_\d+" sets timezone = 'Asia\/Tokyo'.*policy time-zone <zone> --reason "\.\.\." \(for example America\/New_York or UTC\)\n$/,
      );
    } finally {
      await adminQuery(`ALTER DATABASE ${full.name} RESET timezone`);
      await adminQuery(`DROP ROLE IF EXISTS ${role}`);
    }
    expect(await retentionFingerprint()).toEqual(recorded);
  });

  it('with --json, a usage error is a JSON document too, wherever the flag stands', async () => {
    for (const args of [
      ['--json', 'migrate', '--fast'],
      ['migrate', '--fast', '--json'],
      ['frobnicate', '--json'],
      ['migrate', '--json', '--phase', '9'],
    ]) {
      const result = await runCli(args, { env: withDb() });
      expect(result.code).toBe(2);
      const document = JSON.parse(result.stdout);
      expect(document).toMatchObject({ ok: false, exitCode: 2, error: { message: expect.any(String) } });
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(await fingerprint()).toEqual(before);
  });

  it('on a ledger a first migrate left part-made, the same refusals make none of the tables it left', async () => {
    const partial = await createTestDatabase('badinput_partial');
    try {
      expect((await runCli(['migrate', '-q'], { env: { DATABASE_URL: partial.url } })).code).toBe(0);
      const catalog = () =>
        partial.query(
          `SELECT string_agg(relname, ',' ORDER BY relname) AS tables FROM pg_class WHERE relnamespace = 'rasdb'::regnamespace`,
        );
      const made = await catalog();
      const commands = ['retention', 'capacity', 'partition', 'seed'];
      // The cases whose refusal is the command's, not its connection's.
      const checked = cases.filter(
        ([, args, env]) => env === withFull || (env === withDb && commands.includes(args[0])),
      );
      expect(checked.length).toBeGreaterThan(10);
      for (const [label, args, , code, message] of [
        ...checked,
        [
          'a ledger missing a migration file',
          ['migrate', '--migrations-dir', folderMissingOne()],
          withFull,
          4,
          /ledger lists a migration with no file here/,
        ] as Case,
      ]) {
        const result = await runCli(args, { env: { DATABASE_URL: partial.url } });
        expect(result.code, `${label}: ${result.stderr}`).toBe(code);
        expect(result.stderr, label).toMatch(message);
        expect(await catalog(), label).toEqual(made);
      }
    } finally {
      await partial.drop();
    }
  });

  it('a hold on a table this database does not have yet exits 4 and records nothing', async () => {
    const fresh = await createTestDatabase('badinput_hold');
    try {
      expect((await runCli(['migrate', '--phase', '0', '-q'], { env: { DATABASE_URL: fresh.url } })).code).toBe(0);
      const result = await runCli(
        ['retention', 'hold', 'add', '--table', 'api_call_logs', '--from', '2025-01-01', '--reason', 'x'],
        {
          env: { DATABASE_URL: fresh.url },
        },
      );
      expect(result.code).toBe(4);
      expect(result.stderr).toMatch(
        /^rasdb: this database has no table api_call_logs to hold; run rasdb migrate first\n$/,
      );
      // Not even the holds table: a first migrate left it to be made, and the refusal made nothing.
      expect(await fresh.query(`SELECT to_regclass('rasdb.retention_holds') IS NULL AS none`)).toEqual([
        { none: true },
      ]);
    } finally {
      await fresh.drop();
    }
  });

  it('seed --check on a database without the reference tables fails (exit 4) instead of passing on nothing', async () => {
    const fresh = await createTestDatabase('badinput_seedcheck');
    try {
      const result = await runCli(['seed', '--check'], { env: { DATABASE_URL: fresh.url } });
      expect(result.code).toBe(4);
      expect(result.stderr).toMatch(/no reference set could be checked: .* run rasdb migrate first/);
    } finally {
      await fresh.drop();
    }
  });

  it('a role without CREATE privilege on a fresh database exits 4 and creates nothing', async () => {
    const fresh = await createTestDatabase('badinput_fresh');
    try {
      const u = new URL(fresh.url);
      u.username = ROLE;
      u.password = 'limited-pw';
      const result = await runCli(['migrate'], { env: { DATABASE_URL: u.toString() } });
      expect(result.code).toBe(4);
      expect(result.stderr).toMatch(
        /role "rasdb_limited_\d+" may not create schemas in database .*; GRANT CREATE ON DATABASE/,
      );
      expect(
        await fresh.query(`SELECT count(*)::int AS n FROM pg_class WHERE relnamespace = 'public'::regnamespace`),
      ).toEqual([{ n: 0 }]);
    } finally {
      await fresh.drop();
    }
  });

  it('a rollback, even with --force, of a table under an active legal hold exits 4 and changes nothing', async () => {
    const [hold] = await db.query(
      `INSERT INTO rasdb.retention_holds (table_name, from_time, reason, placed_by) VALUES ('api_call_logs', '2025-01-01', 'case 9', 'test') RETURNING id`,
    );
    try {
      const result = await runCli(['rollback', '--phase', '0', '--force'], { env: withDb() });
      expect(result.code, result.stderr).toBe(4);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(
        new RegExp(
          `under an active legal hold: hold ${hold.id} on api_call_logs \\("case 9"\\); it must be released first`,
        ),
      );
    } finally {
      await db.query(`DELETE FROM rasdb.retention_holds WHERE id = $1`, [hold.id]);
    }
    expect(await fingerprint()).toEqual(before);
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
