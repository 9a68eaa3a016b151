import { beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import type { TestDatabase } from './support/database.js';
import { migratedCopies } from './support/migrated-copies.js';

/**
 * A row whose time is no day of the calendar (-infinity, or a year BC) has no bucket to be
 * summarized in: retention refuses the policy, naming the rows, rather than move a watermark past
 * rows it never summarized and then delete them.
 */
const copy = migratedCopies('adv_calendar');
let db: TestDatabase;
beforeEach(() => {
  db = copy();
});

const retention = (args: string[]) => runCli(['retention', ...args], { env: { DATABASE_URL: db.url } });

describe('a row dated off the calendar', () => {
  it.each(['-infinity', '0044-03-15 BC'])(
    'at %s: summarize and prune refuse the policy (exit 4, one line naming the row), and nothing is summarized or deleted',
    async (when) => {
      await db.query(
        `INSERT INTO api_call_logs (method, endpoint, response_status, called_at)
         SELECT 'GET', '/old', 200, (now() AT TIME ZONE 'UTC') - interval '200 days' - g * interval '1 hour' FROM generate_series(1, 40) g`,
      );
      const [{ id }] = await db.query(
        `INSERT INTO api_call_logs (method, endpoint, called_at) VALUES ('GET', '/odd', $1) RETURNING id`,
        [when],
      );
      for (const step of ['summarize', 'prune']) {
        const result = await retention([step, '--policy', 'api_call_logs']);
        expect(result.code, `${step}: ${result.stderr}`).toBe(4);
        expect(result.stderr.trim().split('\n')).toHaveLength(1);
        expect(result.stderr).toContain(`api_call_logs holds rows dated before year 1 (ids ${id})`);
      }
      const [state] = await db.query(
        `SELECT (SELECT count(*) FROM api_call_logs)::int AS rows, (SELECT count(*) FROM api_call_daily_summary)::int AS buckets,
                (SELECT count(*) FROM rasdb.retention_watermarks)::int AS marks`,
      );
      expect(state).toEqual({ rows: 41, buckets: 0, marks: 0 });

      // Fixed, the same runs summarize every row before they delete it.
      await db.query(`DELETE FROM api_call_logs WHERE id = $1`, [id]);
      for (const step of ['summarize', 'prune'])
        expect((await retention([step, '--policy', 'api_call_logs', '-q'])).code).toBe(0);
      const [after] = await db.query(
        `SELECT (SELECT count(*) FROM api_call_logs)::int AS rows, (SELECT sum(calls) FROM api_call_daily_summary)::int AS calls`,
      );
      expect(after).toEqual({ rows: 0, calls: 40 });
    },
  );

  it('in one table of a run over every policy: that policy is left alone, the others are summarized and pruned, exit 4 naming it', async () => {
    await db.query(
      `INSERT INTO api_call_logs (method, endpoint, response_status, called_at)
       SELECT 'GET', '/old', 200, (now() AT TIME ZONE 'UTC') - interval '200 days' - g * interval '1 hour' FROM generate_series(1, 40) g`,
    );
    const [{ id }] = await db.query(
      `INSERT INTO api_call_logs (method, endpoint, called_at) VALUES ('GET', '/odd', '-infinity') RETURNING id`,
    );
    await db.query(
      `INSERT INTO performance_metrics (metric_type, component, value, unit, recorded_at)
       SELECT 'latency', 'api', g, 'ms', (now() AT TIME ZONE 'UTC') - interval '100 days' - g * interval '1 hour' FROM generate_series(1, 30) g`,
    );
    for (const step of ['summarize', 'prune']) {
      const result = await retention([step]);
      expect(result.code, `${step}: ${result.stderr}`).toBe(4);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain(`api_call_logs holds rows dated before year 1 (ids ${id})`);
      expect(result.stderr).toContain('the other policies ran');
    }
    const json = JSON.parse((await retention(['summarize', '--json'])).stdout);
    expect(json).toMatchObject({ ok: false, refused: [{ policy: 'api_call_logs', ids: [String(id)] }] });
    const [state] = await db.query(
      `SELECT (SELECT count(*) FROM api_call_logs)::int AS api_rows, (SELECT count(*) FROM api_call_daily_summary)::int AS api_buckets,
              (SELECT count(*) FROM performance_metrics)::int AS perf_rows,
              (SELECT sum(samples) FROM performance_metrics_hourly)::int AS perf_summarized`,
    );
    expect(state).toEqual({ api_rows: 41, api_buckets: 0, perf_rows: 0, perf_summarized: 30 });
    const [run] = await db.query(
      `SELECT policies, message FROM rasdb.retention_runs WHERE kind = 'prune' ORDER BY id DESC LIMIT 1`,
    );
    expect(run.policies).not.toContain('api_call_logs');
    expect(run.message).toContain('left alone: api_call_logs holds rows dated before year 1');
  });
});
