import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { adminUrl, createTestDatabase, type TestDatabase } from './support/database.js';

// verify and codegen on a database whose logs are partitioned: one adopted with rows, one empty.
let template: TestDatabase;
let db: TestDatabase;
beforeAll(async () => {
  template = await createTestDatabase('partverify_template');
  const env = { DATABASE_URL: template.url };
  expect((await runCli(['migrate', '-q'], { env })).code).toBe(0);
  await template.query(
    `INSERT INTO performance_metrics (metric_type, component, value, unit, recorded_at)
     SELECT 'cpu', 'api', i, 'pct', localtimestamp - (i % 90) * interval '1 day' FROM generate_series(1, 3000) i`,
  );
}, 120_000);
afterAll(async () => {
  await template.drop();
});
beforeEach(async () => {
  db = await createTestDatabase('partverify', { template: template.name });
});
afterEach(async () => {
  await db.drop();
});

const cli = (args: string[]) => runCli(args, { env: { DATABASE_URL: db.url } });
const verify = () => cli(['verify', '--scratch-url', adminUrl(), '--strict', '--json']);

async function partitionAll(): Promise<void> {
  for (const [table, interval] of [
    ['api_call_logs', 'month'],
    ['performance_metrics', 'week'],
    ['security_events_extended', 'month'],
  ]) {
    const result = await cli(['partition', 'enable', table, '--interval', interval]);
    expect(result.code, result.stderr).toBe(0);
  }
}

describe('verify and codegen on partitioned tables', () => {
  it('verify replays the partitioning and passes, even --strict (partitions are not unmanaged tables)', async () => {
    await partitionAll();
    const result = await verify();
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc.differences).toEqual([]);
    expect(doc.unmanaged).toEqual([]);
  });

  it('verify catches drift inside the partitions: an index of its own, a default, a constraint on the adopted heap', async () => {
    await partitionAll();
    const [{ part }] = await db.query(
      `SELECT c.relname AS part FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'api_call_logs'::regclass AND c.relname ~ '_p[0-9]{6}$' ORDER BY 1 LIMIT 1`,
    );
    await db.query(`CREATE INDEX adhoc_endpoint ON ${part} (endpoint)`);
    await db.query(`ALTER TABLE ${part} ALTER COLUMN method SET DEFAULT 'GET'`);
    await db.query(`ALTER TABLE performance_metrics_legacy ADD CONSTRAINT positive CHECK (value >= 0)`);
    const result = await verify();
    expect(result.code).toBe(4);
    const objects = JSON.parse(result.stdout).differences.map(
      (d: { kind: string; object: string }) => `${d.kind} ${d.object}`,
    );
    expect(objects).toEqual(
      expect.arrayContaining([
        `extra ${part}.adhoc_endpoint`,
        `changed ${part}.method`,
        'extra performance_metrics_legacy.positive',
      ]),
    );
  });

  it('verify sees a parent that differs from what the partitioning makes', async () => {
    await partitionAll();
    await db.query(`ALTER TABLE api_call_logs DROP CONSTRAINT api_call_logs_id_called_at_key`);
    const result = await verify();
    expect(result.code).toBe(4);
    expect(result.stdout).toMatch(/api_call_logs_id_called_at_key/);
  });

  it('codegen types each parent once and no partition: the generated file is the same before and after enable', async () => {
    const committed = readFileSync(new URL('../generated/db.ts', import.meta.url), 'utf8');
    expect((await cli(['codegen', '--check'])).code).toBe(0);
    await partitionAll();
    const after = await cli(['codegen', '--check']);
    expect(after.code, after.stdout + after.stderr).toBe(0);
    expect(committed).not.toMatch(/_legacy|_future|_p\d{6}/);
  });
});
