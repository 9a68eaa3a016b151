import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { adminQuery, adminUrl, createTestDatabase, type TestDatabase } from './support/database.js';

/**
 * Every time in every `--json` document is an ISO 8601 instant (ending in Z, or with an offset),
 * on a database whose writers are not in UTC: retention's readings of the data's zone included,
 * each converted with the zone it was computed in. Text output keeps the data zone's readings.
 */
const ZONE = 'America/Chicago';
/** 11:00 in Chicago (CST, -06:00). */
const NOW = '2026-11-02T17:00:00Z';
const TIME = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}/;
const INSTANT = /(Z|[+-]\d{2}(:?\d{2})?)$/;

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('json_times');
  await adminQuery(`ALTER DATABASE "${db.name}" SET timezone = '${ZONE}'`);
});
afterAll(async () => {
  await db.drop();
});

const run = async (args: string[]) => {
  const result = await runCli([...args, '--json'], { env: { DATABASE_URL: db.url } });
  expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
  return JSON.parse(result.stdout) as Record<string, unknown>;
};

/** Every string in `value` that looks like a time, with where it is. */
function times(value: unknown, path = ''): { path: string; text: string }[] {
  if (typeof value === 'string') return TIME.test(value) ? [{ path, text: value }] : [];
  if (Array.isArray(value)) return value.flatMap((item, i) => times(item, `${path}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => times(v, `${path}.${k}`));
  return [];
}

describe('times in --json output', () => {
  it('are all instants, in every document of every command, on a database in America/Chicago', async () => {
    const documents: Record<string, Record<string, unknown>> = {};
    documents.migrate = await run(['migrate']);
    documents.status = await run(['status']);
    documents.validate = await run(['validate']);
    documents.seed = await run(['seed', '--only', 'workflows']);
    documents.verify = await run(['verify', '--scratch-url', adminUrl()]);
    const client = await db.connect();
    try {
      expect((await client.query('SHOW timezone')).rows[0].TimeZone).toBe(ZONE);
      await client.query(
        `INSERT INTO api_call_logs (method, endpoint, response_status, called_at)
         SELECT 'GET', '/a', 200, timestamptz '${NOW}' - d * interval '1 day' FROM generate_series(1, 200, 7) AS d`,
      );
    } finally {
      await client.end();
    }
    documents.holdAdd = await run([
      'retention',
      'hold',
      'add',
      '--table',
      'api_call_logs',
      '--from',
      '2026-03-01',
      '--until',
      '2026-03-02',
      '--reason',
      'case 1',
    ]);
    documents.summarize = await run(['retention', 'summarize', '--now', NOW]);
    documents.summarizeDry = await run(['retention', 'summarize', '--dry-run', '--now', NOW]);
    documents.prune = await run(['retention', 'prune', '--now', NOW]);
    documents.pruneDry = await run(['retention', 'prune', '--dry-run', '--now', NOW]);
    documents.holdList = await run(['retention', 'hold', 'list', '--all']);
    documents.holdRelease = await run(['retention', 'hold', 'release', '1', '--reason', 'closed']);
    documents.statusRetention = await run(['retention', 'status']);
    documents.policy = await run([
      'retention',
      'policy',
      'set',
      'api_call_logs',
      '--keep-detail',
      '120d',
      '--reason',
      'x',
    ]);
    documents.partitionEnable = await run(['partition', 'enable', 'api_call_logs', '--interval', 'month']);
    documents.partitionStatus = await run(['partition', 'status']);
    documents.partitionMaintain = await run(['partition', 'maintain']);

    const found = Object.entries(documents).flatMap(([name, doc]) =>
      times(doc).map((t) => ({ ...t, path: `${name}${t.path}` })),
    );
    for (const name of [
      'status',
      'holdAdd',
      'summarize',
      'prune',
      'statusRetention',
      'partitionEnable',
      'partitionStatus',
    ]) {
      expect(
        found.some((t) => t.path.startsWith(`${name}.`)),
        name,
      ).toBe(true);
    }
    expect(found.filter((t) => !INSTANT.test(t.text))).toEqual([]);

    // The readings convert with the data's zone: 11:00 and midnight in Chicago, as instants.
    expect(documents.prune).toMatchObject({ asOf: NOW, timeZone: ZONE });
    expect(documents.holdAdd.hold).toMatchObject({ from: '2026-03-01T06:00:00Z', until: '2026-03-02T06:00:00Z' });
    expect((documents.holdAdd.hold as { placedAt: string }).placedAt).toMatch(/^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/);
  });

  it("converts a past run's times with the zone that run computed in, after the zone was declared anew", async () => {
    await run(['retention', 'policy', 'time-zone', 'Europe/Berlin', '--reason', 'moved']);
    const status = await run(['retention', 'status', '--runs', '100']);
    const runs = status.runs as { kind: string; asOf: string; timeZone: string }[];
    const pruneRun = runs.find((r) => r.kind === 'prune');
    expect(pruneRun).toMatchObject({ timeZone: ZONE, asOf: NOW });
    expect(times(status).filter((t) => !INSTANT.test(t.text))).toEqual([]);
    // Text output keeps the readings of the data's zone (now Berlin).
    const text = await runCli(['retention', 'hold', 'list', '--all'], { env: { DATABASE_URL: db.url } });
    expect(text.stdout).toContain('2026-03-01 00:00:00 to 2026-03-02 00:00:00');
  });
});
