import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { adminQuery, createTestDatabase, type TestDatabase } from './support/database.js';

/**
 * An adversary's time zones: offsets of half and three-quarter hours, a half-hour daylight saving
 * change, a POSIX offset as the database's zone, and UTC under its other spellings. The horizon of
 * a 90-day policy is 90 days before the data's clock reading of --now, whatever the zone.
 */
const NOW = '2026-06-01T00:00:00Z';
let template: TestDatabase;
const created: TestDatabase[] = [];

async function databaseIn(label: string, zone: string): Promise<TestDatabase> {
  const db = await createTestDatabase(label, { template: template.name });
  created.push(db);
  await adminQuery(`ALTER DATABASE "${db.name}" SET timezone = '${zone}'`);
  return db;
}

const retention = (db: TestDatabase, args: string[]) =>
  runCli(['retention', ...args, '-q'], { env: { DATABASE_URL: db.url } });

beforeAll(async () => {
  template = await createTestDatabase('adv_tz_template');
  const migrated = await runCli(['migrate', '-q'], { env: { DATABASE_URL: template.url } });
  expect(migrated.code, migrated.stderr).toBe(0);
});
afterAll(async () => {
  for (const db of created) await db.drop();
  await template.drop();
});

describe('retention in zones an adversary picks', () => {
  // SET reads '-03' as UTC-3 but AT TIME ZONE as UTC+3; '+05:30' both read as UTC-05:30 (POSIX).
  // Whatever PostgreSQL makes of the setting, rasdb's clock must be the writers'.
  it.each(['Asia/Kolkata', 'Pacific/Chatham', 'Australia/Lord_Howe', '-03', '+05:30', 'EST5EDT'])(
    '%s: the 90-day horizon is ten minutes either side exact',
    async (zone) => {
      const db = await databaseIn(`adv_tz_${zone.replace(/\W/g, '')}`, zone);
      const [{ horizon }] = await db.query(
        `SELECT ((timestamptz '${NOW}' AT TIME ZONE current_setting('TimeZone')) - interval '90 days')::text AS horizon`,
      );
      await db.query(
        `INSERT INTO api_call_logs (method, endpoint, response_status, called_at)
       VALUES ('GET', '/older', 200, $1::timestamp - interval '10 minutes'), ('GET', '/newer', 200, $1::timestamp + interval '10 minutes')`,
        [horizon],
      );
      for (const step of ['summarize', 'prune']) {
        const result = await retention(db, [step, '--now', NOW]);
        expect(result.code, result.stderr).toBe(0);
      }
      expect(await db.query(`SELECT endpoint FROM api_call_logs ORDER BY endpoint`)).toEqual([{ endpoint: '/newer' }]);
      const [summary] = await db.query(
        `SELECT coalesce(sum(calls), 0)::int AS n FROM api_call_daily_summary WHERE endpoint = '/older'`,
      );
      expect(summary.n).toBe(1);
    },
  );

  it('UTC spelled Etc/UTC or utc is the same zone: no refusal after a run in UTC', async () => {
    const db = await databaseIn('adv_tz_utc', 'UTC');
    expect((await retention(db, ['summarize', '--now', NOW])).code).toBe(0);
    for (const spelling of ['Etc/UTC', 'utc', 'Etc/Universal']) {
      await adminQuery(`ALTER DATABASE "${db.name}" SET timezone = '${spelling}'`);
      const again = await retention(db, ['summarize', '--now', NOW]);
      expect(again.code, `${spelling}: ${again.stderr}`).toBe(0);
    }
  });

  it('a declared zone of another spelling than the database setting (utc against Etc/UTC) is accepted as the same', async () => {
    const db = await databaseIn('adv_tz_declared', 'Etc/UTC');
    const declared = await runCli(['retention', 'policy', 'time-zone', 'utc', '--reason', 'spelling', '--json'], {
      env: { DATABASE_URL: db.url },
    });
    expect(declared.code, declared.stderr).toBe(0);
    expect((await retention(db, ['prune', '--now', NOW])).code).toBe(0);
  });

  it.each(['UTC-3', 'GMT+5', 'FOO3BAR', 'UTC\u001b[2J'])(
    'refuses to declare %j, a POSIX rule PostgreSQL would read with the sign turned round (exit 2, nothing recorded)',
    async (zone) => {
      const db = await databaseIn('adv_tz_posix', 'UTC');
      const declared = await runCli(['retention', 'policy', 'time-zone', zone, '--reason', 'posix'], {
        env: { DATABASE_URL: db.url },
      });
      expect(declared.code, declared.stderr).toBe(2);
      expect(declared.stderr.trim().split('\n')).toHaveLength(1);
      expect(declared.stderr).toMatch(/is not a zone name PostgreSQL lists/);
      const [{ n }] = await db
        .query(`SELECT count(*)::int AS n FROM rasdb.retention_time_zones`)
        .catch(() => [{ n: 0 }]);
      expect(n).toBe(0);
    },
  );
});
