import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

/**
 * Human output writes numbers, counts, durations and times one way (src/cli/text.ts), whatever the
 * user's locale: `1,500 rows`, `1 batch`, `applied 2026-11-29 17:23:58 UTC in 15 ms`.
 */
let db: TestDatabase;
const NOW = '2026-06-01T12:00:00Z';
// A locale that writes 1.500 and 1,5: rasdb's lines must not follow it.
const env = () => ({ DATABASE_URL: db.url, LC_ALL: 'de_DE.UTF-8', LANG: 'de_DE.UTF-8' });
const cli = async (args: string[]) => {
  const result = await runCli(args, { env: env() });
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
};

beforeAll(async () => {
  db = await createTestDatabase('text_output');
  await cli(['migrate', '-q']);
  await db.query(
    `INSERT INTO api_call_logs (method, endpoint, response_status, called_at)
     SELECT 'GET', '/a', 200, timestamp '2026-01-10 08:00' + g * interval '1 second' FROM generate_series(1, 1500) AS g`,
  );
});
afterAll(async () => {
  await db.drop();
});

/** Every time written in `text`, in whatever spelling. */
const timesIn = (text: string): string[] =>
  text.match(/\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?| UTC)?/g) ?? [];
const ONE_FORMAT = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}( UTC)?$/;

describe('human output', () => {
  it('shows a line feed in text from the database as \\n, so it cannot forge a line of its own', async () => {
    const forged = 'ops\nThe database is at phase 4; 0 migrations pending.';
    const [{ applied_by: by }] = await db.query(
      `SELECT applied_by FROM rasdb.migrations WHERE name = '0001-users-and-audit-logs'`,
    );
    await db.query(`UPDATE rasdb.migrations SET applied_by = $1 WHERE name = '0001-users-and-audit-logs'`, [forged]);
    try {
      const status = await cli(['status']);
      expect(status).toContain('by ops\\nThe database is at phase 4; 0 migrations pending.\n');
      expect(status.split('\n').filter((line) => line.startsWith('The database is at'))).toHaveLength(1);
    } finally {
      await db.query(`UPDATE rasdb.migrations SET applied_by = $1 WHERE name = '0001-users-and-audit-logs'`, [by]);
    }
  });

  it('status shows when, how long and by whom each migration was applied, in the one time format', async () => {
    const status = await cli(['status']);
    const applied = status.split('\n').filter((line) => line.includes('✓'));
    expect(applied).toHaveLength(15);
    for (const line of applied) {
      expect(line).toMatch(/ applied \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC in (\d+ ms|\d+\.\d s) by \S+/);
    }
    expect(status).toContain('0 migrations pending');
  });

  it('counts with separators and the right plural, durations in ms or s, whatever the locale', async () => {
    await cli(['retention', 'summarize', '--policy', 'api_call_logs', '--now', NOW]);
    const pruned = await cli(['retention', 'prune', '--policy', 'api_call_logs', '--batch-size', '5000', '--now', NOW]);
    expect(pruned).toMatch(
      /api_call_logs\s+before 2026-03-03 12:00:00: deleted 1,500 rows in 1 batch \(slowest \d+ ms\)/,
    );
    expect(pruned).toContain('Deleted 1,500 rows; held back 0 (run 2).');
    await cli(['retention', 'hold', 'add', '--table', 'api_call_logs', '--from', '2026-01-01', '--reason', 'case 9']);
    const status = await cli(['retention', 'status']);
    expect(status).toMatch(/4 policies, 1 active hold, 2 runs shown\.$/m);
    expect(status).toContain('deleted 1,500, held back 0');
    const holds = await cli(['retention', 'hold', 'list']);
    expect(holds).toMatch(/placed \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC by /);
    expect(holds).toMatch(/^1 hold\.$/m);
  });

  it('writes every time of every text output the one way', async () => {
    const outputs = await Promise.all(
      [
        ['status'],
        ['retention', 'status'],
        ['retention', 'hold', 'list', '--all'],
        ['retention', 'prune', '--dry-run'],
        ['capacity'],
      ].map((args) => cli(args)),
    );
    const times = outputs.flatMap(timesIn);
    expect(times.length).toBeGreaterThan(20);
    expect(times.filter((t) => !ONE_FORMAT.test(t))).toEqual([]);
  });
});
