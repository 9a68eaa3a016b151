import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { adminQuery, createTestDatabase, type TestDatabase } from './support/database.js';

/**
 * A database whose writers' sessions run in America/New_York (ALTER DATABASE ... SET timezone):
 * the rows' TIMESTAMP columns hold New York clock readings, and retention must compute its
 * horizons, buckets and holds in that zone, across the changes to and from daylight saving time.
 */
const ZONE = 'America/New_York';
/** Noon in New York the day after daylight saving time ended (2026-11-01), as an instant. */
const AFTER_FALL_BACK = '2026-11-02T17:00:00Z';

let template: TestDatabase;
const created: TestDatabase[] = [];

async function newYorkDatabase(label: string): Promise<TestDatabase> {
  const db = await createTestDatabase(label, { template: template.name });
  created.push(db);
  await adminQuery(`ALTER DATABASE "${db.name}" SET timezone = '${ZONE}'`);
  return db;
}

/** Runs SQL as a writer does: a fresh session of the database, in its own zone. */
async function asWriter(db: TestDatabase, text: string): Promise<void> {
  const client = await db.connect();
  try {
    expect((await client.query('SHOW timezone')).rows[0].TimeZone).toBe(ZONE);
    await client.query(text);
  } finally {
    await client.end();
  }
}

const retention = (db: TestDatabase, args: string[], env: Record<string, string> = {}) =>
  runCli(['retention', ...args], { env: { DATABASE_URL: db.url, ...env } });

async function ok(db: TestDatabase, args: string[]) {
  const result = await retention(db, [...args, '--json']);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

const callsAt = (stamps: string[]) =>
  `INSERT INTO api_call_logs (method, endpoint, response_status, response_time_ms, called_at)
   SELECT 'GET', '/api/v1/assets', 200, 10, t FROM unnest(ARRAY[${stamps.join(', ')}]::timestamptz[]) AS t`;

beforeAll(async () => {
  template = await createTestDatabase('tz_template');
  const migrated = await runCli(['migrate', '-q'], { env: { DATABASE_URL: template.url } });
  expect(migrated.code, migrated.stderr).toBe(0);
});
afterAll(async () => {
  for (const db of created) await db.drop();
  await template.drop();
});

describe('retention in a database whose writers are in America/New_York', () => {
  it('prunes a 90-day policy by New York days: 89 days 20 hours stays, 90 days 1 hour goes', async () => {
    const db = await newYorkDatabase('tz_prune');
    // `now() - interval` as a writer computes it, from the run's "now".
    const now = `timestamptz '${AFTER_FALL_BACK}'`;
    await asWriter(db, callsAt([`${now} - interval '89 days 20 hours'`, `${now} - interval '90 days 1 hour'`]));
    await ok(db, ['summarize', '--policy', 'api_call_logs', '--now', AFTER_FALL_BACK]);
    const pruned = await ok(db, ['prune', '--policy', 'api_call_logs', '--now', AFTER_FALL_BACK]);
    // JSON gives instants: noon in New York (EST) and noon on 4 August (EDT), in UTC.
    expect(pruned).toMatchObject({ asOf: '2026-11-02T17:00:00Z', timeZone: ZONE });
    expect(pruned.tables[0]).toMatchObject({ table: 'api_call_logs', cutoff: '2026-08-04T16:00:00Z', deleted: 1 });
    const left = await db.query(`SELECT called_at::text AS t FROM api_call_logs`);
    expect(left).toEqual([{ t: '2026-08-04 16:00:00' }]);
    const [run] = await db.query(`SELECT time_zone, writers_time_zone FROM rasdb.retention_runs WHERE kind = 'prune'`);
    expect(run).toEqual({ time_zone: ZONE, writers_time_zone: ZONE });
  });

  it('summarizes New York calendar days: a day closes at New York midnight, and the 25-hour day is one bucket', async () => {
    const db = await newYorkDatabase('tz_days');
    await asWriter(
      db,
      callsAt([
        `'2026-11-01 00:30-04'`,
        `'2026-11-01 01:30-04'`, // the 01:30 before the clocks go back ...
        `'2026-11-01 01:30-05'`, // ... and the one after: the same reading in the column
        `'2026-11-01 23:30-05'`, // 04:30 UTC on 2 November: still 1 November in New York
        `'2026-11-02 00:30-05'`,
        // The hour of the spring change does not exist in New York, so 8 March 2026 is 23 hours long.
        `'2026-03-08 00:30-05'`,
        `'2026-03-08 03:30-04'`,
        `'2026-03-08 23:30-04'`,
      ]),
    );
    // 22:00 in New York on 1 November: that day is still open, though it is 2 November in UTC.
    const evening = await ok(db, ['summarize', '--policy', 'api_call_logs', '--now', '2026-11-02T03:00:00Z']);
    // Midnight in New York (still EDT), as an instant.
    expect(evening.summaries[0]).toMatchObject({ closedUntil: '2026-11-01T04:00:00Z' });
    expect(await db.query(`SELECT day::text, calls FROM api_call_daily_summary WHERE day >= '2026-10-31'`)).toEqual([]);
    await ok(db, ['summarize', '--policy', 'api_call_logs', '--now', AFTER_FALL_BACK]);
    expect(
      await db.query(`SELECT day::text, calls::int FROM api_call_daily_summary WHERE day >= '2026-10-31'`),
    ).toEqual([{ day: '2026-11-01', calls: 4 }]);
    expect(await db.query(`SELECT day::text, calls::int FROM api_call_daily_summary WHERE day = '2026-03-08'`)).toEqual(
      [{ day: '2026-03-08', calls: 3 }],
    );
  });

  it('honours the offset of a hold bound, converting it into the data zone; a time without one is a New York reading', async () => {
    const db = await newYorkDatabase('tz_holds');
    const placed = await ok(db, [
      'hold',
      'add',
      '--table',
      'api_call_logs',
      '--from',
      '2026-05-01',
      '--until',
      '2026-05-02T00:00:00-05:00',
      '--reason',
      'case 17',
    ]);
    // Midnight at -05:00 is 01:00 in New York on 2 May (daylight saving time, -04:00).
    expect(placed.hold).toMatchObject({ from: '2026-05-01T04:00:00Z', until: '2026-05-02T05:00:00Z' });
    const utc = await ok(db, [
      'hold',
      'add',
      '--table',
      'api_call_logs',
      '--from',
      '2026-01-10T05:00:00Z',
      '--reason',
      'case 18',
    ]);
    expect(utc.hold).toMatchObject({ from: '2026-01-10T05:00:00Z', until: null });
    // Kept, and printed, as New York readings.
    expect(
      await db.query(`SELECT from_time::text AS f, until_time::text AS u FROM rasdb.retention_holds ORDER BY id`),
    ).toEqual([
      { f: '2026-05-01 00:00:00', u: '2026-05-02 01:00:00' },
      { f: '2026-01-10 00:00:00', u: null },
    ]);
    expect((await retention(db, ['hold', 'list'])).stdout).toContain('2026-05-01 00:00:00 to 2026-05-02 01:00:00');
  });

  it('refuses hold ranges that make no sense, and writes nothing', async () => {
    const db = await newYorkDatabase('tz_bad_holds');
    const reversed = await retention(db, [
      'hold',
      'add',
      '--table',
      'api_call_logs',
      '--from',
      '2026-05-02T00:00:00-05:00',
      '--until',
      '2026-05-02',
      '--reason',
      'x',
    ]);
    expect(reversed.code).toBe(2);
    expect(reversed.stderr).toMatch(
      /^rasdb: --from 2026-05-02T00:00:00-05:00 must be before --until 2026-05-02 \(in America\/New_York: 2026-05-02 01:00:00 and 2026-05-02 00:00:00\)\n$/,
    );
    const far = await retention(db, [
      'hold',
      'add',
      '--table',
      'api_call_logs',
      '--until',
      '2300-01-01',
      '--reason',
      'x',
    ]);
    expect(far.code).toBe(2);
    expect(far.stderr).toMatch(/--until 2300-01-01 is more than 100 years ahead; leave --until out/);
    const impossible = await retention(db, [
      'hold',
      'add',
      '--table',
      'api_call_logs',
      '--until',
      '2026-02-30',
      '--reason',
      'x',
    ]);
    expect(impossible.code).toBe(2);
    expect(impossible.stderr).toMatch(/--until: 2026-02-30 is not a date \(February 2026 has 28 days\)/);
    // Not even the holds table, which a first migrate leaves to be made.
    expect(await db.query(`SELECT to_regclass('rasdb.retention_holds') IS NULL AS none`)).toEqual([{ none: true }]);
  });

  it('refuses to run once the zone changed after a run, naming it, until the zone is declared', async () => {
    const db = await newYorkDatabase('tz_change');
    await ok(db, ['summarize', '--now', AFTER_FALL_BACK]);
    await adminQuery(`ALTER DATABASE "${db.name}" SET timezone = 'Europe/Berlin'`);
    for (const command of ['summarize', 'prune']) {
      const refused = await retention(db, [command, '--now', AFTER_FALL_BACK]);
      expect(refused.code).toBe(4);
      expect(refused.stderr).toMatch(
        /^rasdb: the data's time zone is Europe\/Berlin \(the database setting timezone = 'Europe\/Berlin'\), but retention run 1 computed in America\/New_York; .*rasdb retention policy time-zone <zone>/,
      );
    }
    expect(await db.query(`SELECT count(*)::int AS n FROM rasdb.retention_runs`)).toEqual([{ n: 1 }]);
    const status = await retention(db, ['status']);
    expect(status.code).toBe(0);
    expect(status.stderr).toMatch(/retention runs would refuse: the data's time zone is Europe\/Berlin/);

    const declared = await ok(db, [
      'policy',
      'time-zone',
      'europe/berlin',
      '--reason',
      'OPS-77: the app moved to Frankfurt',
      '--by',
      'dba',
    ]);
    expect(declared).toMatchObject({ timeZone: 'Europe/Berlin', before: ZONE });
    expect(
      await db.query(
        `SELECT time_zone, reason, declared_by LIKE '%(dba via %' AS by_dba FROM rasdb.retention_time_zones`,
      ),
    ).toEqual([{ time_zone: 'Europe/Berlin', reason: 'OPS-77: the app moved to Frankfurt', by_dba: true }]);
    const after = await ok(db, ['summarize', '--now', AFTER_FALL_BACK]);
    expect(after).toMatchObject({ timeZone: 'Europe/Berlin', asOf: '2026-11-02T17:00:00Z' });
    expect((await ok(db, ['status'])).timeZone).toBe('Europe/Berlin');
  });

  it('refuses when roles of the database write in different zones, until one is declared', async () => {
    const db = await newYorkDatabase('tz_roles');
    const role = `rasdb_tz_writer_${process.pid}`;
    await adminQuery(`DROP ROLE IF EXISTS ${role}`);
    await adminQuery(`CREATE ROLE ${role}`);
    try {
      await adminQuery(`ALTER ROLE ${role} IN DATABASE "${db.name}" SET timezone = 'Asia/Tokyo'`);
      const refused = await retention(db, ['prune', '--dry-run']);
      expect(refused.code).toBe(4);
      expect(refused.stderr).toMatch(
        /cannot tell which time zone .*role "rasdb_tz_writer_\d+" sets timezone = 'Asia\/Tokyo', while the database setting timezone = 'America\/New_York'.*policy time-zone/,
      );
      expect((await ok(db, ['policy', 'time-zone', ZONE, '--reason', 'the ingest role only reads'])).timeZone).toBe(
        ZONE,
      );
      expect((await ok(db, ['prune', '--dry-run'])).timeZone).toBe(ZONE);
    } finally {
      await db.drop();
      await adminQuery(`DROP ROLE IF EXISTS ${role}`);
    }
  });

  it("refuses a role that may not read the server's zone in a database without one, until it is granted or declared", async () => {
    const db = await createTestDatabase('tz_limited', { template: template.name });
    created.push(db);
    const role = `rasdb_tz_reader_${process.pid}`;
    await adminQuery(`DROP ROLE IF EXISTS ${role}`);
    await adminQuery(`CREATE ROLE ${role} LOGIN PASSWORD 'reader-pw'`);
    await db.query(
      `GRANT USAGE ON SCHEMA rasdb TO ${role}; GRANT SELECT ON ALL TABLES IN SCHEMA rasdb, public TO ${role}`,
    );
    const asReader = new URL(db.url);
    asReader.username = role;
    asReader.password = 'reader-pw';
    try {
      const run = () => runCli(['retention', 'prune', '--dry-run'], { env: { DATABASE_URL: asReader.toString() } });
      // Granted after a first migrate, which left retention's ledger tables to be made: the reader
      // may not make them as the owner; the owner's next migrate does, and they carry its grants.
      const early = await run();
      expect(early.code).toBe(4);
      expect(early.stderr).toMatch(
        /^rasdb: rasdb's ledger tables for retention, seed, capacity and partitions are not made yet, and role "rasdb_tz_reader_\d+" may not make them as the ledger's owner \(postgres\); run rasdb migrate \(it makes them\)/,
      );
      expect((await runCli(['migrate', '-q'], { env: { DATABASE_URL: db.url } })).code).toBe(0);
      const refused = await run();
      expect(refused.code).toBe(4);
      expect(refused.stderr).toMatch(
        /^rasdb: cannot tell which time zone .*no timezone setting of its own .*role "rasdb_tz_reader_\d+" may not read the server's \(the view pg_file_settings, a superuser's unless granted\).*policy time-zone <zone>/,
      );
      await db.query(
        `GRANT SELECT ON pg_file_settings TO ${role}; GRANT EXECUTE ON FUNCTION pg_show_all_file_settings() TO ${role}`,
      );
      const granted = await run();
      expect(granted.code, granted.stderr).toBe(0);
    } finally {
      await db.drop();
      await adminQuery(`DROP ROLE IF EXISTS ${role}`);
    }
  });

  it('refuses an unknown zone in a declaration', async () => {
    const db = await newYorkDatabase('tz_unknown');
    const result = await retention(db, ['policy', 'time-zone', 'Mars/Olympus_Mons', '--reason', 'x']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/"Mars\/Olympus_Mons" is not a time zone PostgreSQL knows/);
    // Refused before anything is made: retention's tables, which a first migrate leaves, included.
    expect(await db.query(`SELECT to_regclass('rasdb.retention_time_zones') IS NULL AS none`)).toEqual([
      { none: true },
    ]);
  });
});

describe("retention's clock", () => {
  it('refuses a --now ahead of the server clock, and deletes nothing', async () => {
    const db = await newYorkDatabase('tz_future');
    await asWriter(db, callsAt([`now() - interval '400 days'`]));
    await ok(db, ['summarize', '--policy', 'api_call_logs']);
    for (const command of ['prune', 'summarize']) {
      const result = await retention(db, [command, '--now', '2099-01-01']);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        /^rasdb: --now 2099-01-01 is ahead of the server's clock \(.* America\/New_York\); it may only replay the past/,
      );
    }
    expect(await db.query(`SELECT count(*)::int AS n FROM api_call_logs`)).toEqual([{ n: 1 }]);
    expect(await db.query(`SELECT count(*)::int AS n FROM rasdb.retention_runs`)).toEqual([{ n: 1 }]);
  });

  it('takes no clock from the environment', async () => {
    const db = await newYorkDatabase('tz_env');
    await asWriter(db, callsAt([`now() - interval '10 days'`]));
    await ok(db, ['summarize', '--policy', 'api_call_logs']);
    const result = await retention(db, ['prune', '--policy', 'api_call_logs', '--json'], { RASDB_NOW: '2099-01-01' });
    expect(result.code, result.stderr).toBe(0);
    const { asOf } = JSON.parse(result.stdout);
    const [{ close }] = await db.query(`SELECT abs(extract(epoch FROM now() - $1::timestamptz)) < 3600 AS close`, [
      asOf,
    ]);
    expect(close, asOf).toBe(true);
    expect(await db.query(`SELECT count(*)::int AS n FROM api_call_logs`)).toEqual([{ n: 1 }]);
  });
});
