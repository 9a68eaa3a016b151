import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { atNow, NOW, retentionState, seedRetentionData } from './support/retention-data.js';

// One migrated and seeded database; every test works on a copy of it.
let template: TestDatabase;
let db: TestDatabase;
beforeAll(async () => {
  template = await createTestDatabase('retention_template');
  const migrated = await runCli(['migrate', '-q'], { env: { DATABASE_URL: template.url } });
  expect(migrated.code, migrated.stderr).toBe(0);
  await seedRetentionData(template);
});
afterAll(async () => {
  await template.drop();
});
beforeEach(async () => {
  db = await createTestDatabase('retention', { template: template.name });
});
afterEach(async () => {
  await db.drop();
});

const cli = (args: string[]) => runCli(['retention', ...atNow(args)], { env: { DATABASE_URL: db.url } });
async function json(args: string[], expectCode = 0) {
  const result = await cli([...args, '--json']);
  expect(result.code, result.stderr).toBe(expectCode);
  return JSON.parse(result.stdout);
}

/** Per bucket: the raw rows of a detail table against the count the summary recorded for it. */
async function bucketMismatches([summary, bucket, count, source, time, unit]: readonly string[]) {
  return db.query(`
    WITH raw AS (SELECT date_trunc('${unit}', ${time}) AS b, count(*) AS n FROM ${source}
                  WHERE ${time} < (SELECT summarized_until FROM rasdb.retention_watermarks WHERE summary = '${summary}') GROUP BY 1),
         sum AS (SELECT ${bucket}::timestamp AS b, sum(${count}) AS n FROM ${summary} GROUP BY 1)
    SELECT coalesce(raw.b, sum.b) AS bucket, raw.n AS raw, sum.n AS summarized
      FROM raw FULL JOIN sum ON raw.b = sum.b WHERE raw.n IS DISTINCT FROM sum.n`);
}

const SUMMARY_CHECKS = [
  ['api_call_daily_summary', 'day', 'calls', 'api_call_logs', 'called_at', 'day'],
  ['performance_metrics_hourly', 'hour', 'samples', 'performance_metrics', 'recorded_at', 'hour'],
  ['performance_metrics_daily', 'day', 'samples', 'performance_metrics', 'recorded_at', 'day'],
  ['integration_operations_monthly_summary', 'month', 'operations', 'integration_operations', 'started_at', 'month'],
] as const;

describe('rasdb retention summarize', () => {
  it('counts exactly the raw rows of every bucket, before and after prune; a re-run changes nothing', async () => {
    const first = await json(['summarize']);
    expect(first.summaries.map((s: { watermarkAfter: string }) => s.watermarkAfter)).toEqual([
      '2026-06-01T00:00:00Z',
      '2026-06-01T00:00:00Z',
      '2026-06-01T00:00:00Z',
      '2026-06-01T00:00:00Z',
    ]);
    for (const check of SUMMARY_CHECKS) expect(await bucketMismatches(check), check[0]).toEqual([]);
    const [p95] = await db.query(`
      SELECT (SELECT p95_response_ms FROM api_call_daily_summary WHERE day = '2026-05-01' AND external_system_id = 2 AND method = 'GET' AND endpoint = '/api/v1/assets' AND status_class = '2xx') AS summarized,
             (SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY response_time_ms) FROM api_call_logs
               WHERE called_at::date = '2026-05-01' AND external_system_id = 2 AND method = 'GET' AND endpoint = '/api/v1/assets' AND response_status = 200) AS direct`);
    expect(p95.summarized).toBe(p95.direct);

    const summaries = await retentionState(db);
    const again = await json(['summarize']);
    expect(again.totals.rowsSummarized).toBe(0);
    expect(await retentionState(db)).toEqual(summaries);

    const counts = async () =>
      db.query(
        `SELECT day::text, sum(calls)::int AS calls FROM api_call_daily_summary WHERE day >= '2025-06-01' GROUP BY day ORDER BY day`,
      );
    const before = await counts();
    const pruned = await json(['prune', '--batch-size', '50']);
    expect(pruned.totals.deleted).toBeGreaterThan(2000);
    expect(await db.query(`SELECT count(*)::int AS n FROM api_call_logs WHERE called_at < '2026-03-03'`)).toEqual([
      { n: 0 },
    ]);
    // Summaries outlive their raw rows: the same counts, bucket for bucket, up to their own 1-year horizon.
    expect(await counts()).toEqual(before);
    expect(before).toHaveLength(365);
    expect(await db.query(`SELECT min(day)::text AS first FROM api_call_daily_summary`)).toEqual([
      { first: '2025-06-01' },
    ]);
  });

  it('picks up a late row in a bucket it already summarized, while that bucket is kept in detail', async () => {
    await json(['summarize', '--policy', 'api_call_logs']);
    await db.query(
      `INSERT INTO api_call_logs (method, endpoint, response_status, called_at) VALUES ('GET', '/late', 200, '2026-05-20 10:00:00')`,
    );
    const again = await json(['summarize', '--policy', 'api_call_logs']);
    expect(again.summaries[0]).toMatchObject({ lateBucketsRecomputed: 1, rowsSummarized: 9 }); // 8 calls that day, and the late one
    expect(await bucketMismatches(SUMMARY_CHECKS[0])).toEqual([]);
    expect(await db.query(`SELECT calls::int FROM api_call_daily_summary WHERE endpoint = '/late'`)).toEqual([
      { calls: 1 },
    ]);
  });

  it('keeps a late row and its whole bucket from prune until summarize has recomputed that bucket', async () => {
    await json(['summarize', '--policy', 'api_call_logs']);
    const day = async () =>
      (
        await db.query(
          `SELECT coalesce(sum(calls), 0)::int AS calls FROM api_call_daily_summary WHERE day = '2025-12-15'`,
        )
      )[0].calls;
    const before = await day();
    // Below the 90-day horizon (2026-03-03), in a day prune has not touched yet.
    await db.query(
      `INSERT INTO api_call_logs (method, endpoint, response_status, called_at) VALUES ('GET', '/late', 200, '2025-12-15 10:00:00')`,
    );
    const rowsOf = async () =>
      Number(
        (
          await db.query(
            `SELECT count(*) AS n FROM api_call_logs WHERE called_at >= '2025-12-15' AND called_at < '2025-12-16'`,
          )
        )[0].n,
      );
    const whole = await rowsOf();

    const held = await json(['prune', '--policy', 'api_call_logs']);
    expect(held.tables[0]).toMatchObject({ effectiveCutoff: '2025-12-15T00:00:00Z' });
    expect(held.tables[0].heldBack.not_yet_summarized).toBeGreaterThan(0);
    expect(await rowsOf()).toBe(whole);

    const recomputed = await json(['summarize', '--policy', 'api_call_logs']);
    expect(recomputed.summaries[0]).toMatchObject({ lateBucketsRecomputed: 1, lateRowsAfterPrune: 0 });
    expect(await day()).toBe(before + 1);
    // Summarize looks one run back for rows of transactions that were still open: one more run
    // and the late row counts as examined.
    await json(['summarize', '--policy', 'api_call_logs']);
    const pruned = await json(['prune', '--policy', 'api_call_logs']);
    expect(pruned.tables[0]).toMatchObject({ effectiveCutoff: '2026-03-03T00:00:00Z' });
    expect(await rowsOf()).toBe(0);
    expect(await day()).toBe(before + 1);
  });

  it('does not thin the day the horizon cuts through while a late row sits in its later part', async () => {
    await json(['summarize', '--policy', 'api_call_logs']);
    // At noon the 90-day horizon is 2026-03-03 12:00; the late row is that afternoon.
    await db.query(
      `INSERT INTO api_call_logs (method, endpoint, response_status, called_at) VALUES ('GET', '/late', 200, '2026-03-03 15:00:00')`,
    );
    const morning = async () =>
      Number(
        (
          await db.query(
            `SELECT count(*) AS n FROM api_call_logs WHERE called_at >= '2026-03-03' AND called_at < '2026-03-03 12:00'`,
          )
        )[0].n,
      );
    const before = await morning();
    expect(before).toBeGreaterThan(0);
    const result = await runCli(
      ['retention', ...atNow(['prune', '--policy', 'api_call_logs', '--json'], '2026-06-01 12:00:00')],
      { env: { DATABASE_URL: db.url } },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).tables[0]).toMatchObject({
      cutoff: '2026-03-03T12:00:00Z',
      effectiveCutoff: '2026-03-03T00:00:00Z',
    });
    expect(await morning()).toBe(before);
    const again = await json(['summarize', '--policy', 'api_call_logs']);
    expect(again.summaries[0]).toMatchObject({ lateBucketsRecomputed: 1, lateRowsAfterPrune: 0 });
  });

  it('folds a late row into a day prune has already thinned, exactly once, and prune takes it after', async () => {
    await json(['summarize', '--policy', 'api_call_logs']);
    await json(['prune', '--policy', 'api_call_logs']);
    const [group] = await db.query(`
      SELECT external_system_id, method, endpoint, calls::int, errors::int, avg_response_ms, p95_response_ms, max_response_ms
        FROM api_call_daily_summary WHERE day = '2025-06-15' AND status_class = '2xx' ORDER BY calls DESC LIMIT 1`);
    expect(group.calls).toBeGreaterThan(0);
    const day = async () =>
      (await db.query(`SELECT sum(calls)::int AS calls FROM api_call_daily_summary WHERE day = '2025-06-15'`))[0].calls;
    const before = await day();
    // The day's raw rows are gone; a row for it arrives now, slower than any that day.
    await db.query(
      `INSERT INTO api_call_logs (external_system_id, method, endpoint, response_status, response_time_ms, called_at) VALUES ($1, $2, $3, 200, 99999, '2025-06-15 10:00:00')`,
      [group.external_system_id, group.method, group.endpoint],
    );
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push((await json(['summarize', '--policy', 'api_call_logs'])).summaries[0]);
    // Folded in by the second run (one run late, like every look back), and by no other.
    expect(runs.map((r) => r.lateRowsMerged)).toEqual([0, 1, 0]);
    expect(runs.map((r) => r.lateRowsAfterPrune)).toEqual([0, 0, 0]);
    expect(await day()).toBe(before + 1);
    const [after] = await db.query(
      `SELECT calls::int, errors::int, avg_response_ms, p95_response_ms, max_response_ms FROM api_call_daily_summary
        WHERE day = '2025-06-15' AND status_class = '2xx' AND external_system_id IS NOT DISTINCT FROM $1 AND method = $2 AND endpoint = $3`,
      [group.external_system_id, group.method, group.endpoint],
    );
    expect(after).toMatchObject({
      calls: group.calls + 1,
      errors: group.errors,
      p95_response_ms: group.p95_response_ms,
      max_response_ms: 99999,
    });
    expect(after.avg_response_ms).toBeCloseTo((group.avg_response_ms * group.calls + 99999) / (group.calls + 1), 6);
    const [run] = await db.query(
      `SELECT message FROM rasdb.retention_runs WHERE kind = 'summarize' ORDER BY id DESC OFFSET 1 LIMIT 1`,
    );
    expect(run.message).toBe(
      'api_call_daily_summary: 1 late rows folded into buckets prune had thinned (percentiles unchanged)',
    );

    await json(['prune', '--policy', 'api_call_logs']);
    expect(await db.query(`SELECT count(*)::int AS n FROM api_call_logs WHERE called_at < '2026-03-03'`)).toEqual([
      { n: 0 },
    ]);
    expect(await day()).toBe(before + 1);
  });

  it('folds a late performance sample into both rollups of its thinned day', async () => {
    await json(['summarize', '--policy', 'performance_metrics']);
    await json(['prune', '--policy', 'performance_metrics']);
    const daily = `SELECT samples::int, min_value, max_value, p95_value FROM performance_metrics_daily
                    WHERE day = '2026-04-10' AND metric_type = 'latency' AND component = 'ingest' AND operation = 'parse' AND unit = 'ms'`;
    const [before] = await db.query(daily);
    expect(before.samples).toBeGreaterThan(0);
    expect(
      await db.query(`SELECT count(*)::int AS n FROM performance_metrics WHERE recorded_at::date = '2026-04-10'`),
    ).toEqual([{ n: 0 }]);
    await db.query(
      `INSERT INTO performance_metrics (metric_type, component, operation, value, unit, recorded_at) VALUES ('latency', 'ingest', 'parse', 100000, 'ms', '2026-04-10 01:30:00')`,
    );
    for (let i = 0; i < 3; i++) await json(['summarize', '--policy', 'performance_metrics']);
    expect((await db.query(daily))[0]).toEqual({ ...before, samples: before.samples + 1, max_value: '100000.0000' });
    // That hour had no samples before: its group is the late row alone, exact.
    expect(
      await db.query(
        `SELECT samples::int, min_value, max_value, p95_value FROM performance_metrics_hourly WHERE hour = '2026-04-10 01:00'`,
      ),
    ).toEqual([{ samples: 1, min_value: '100000.0000', max_value: '100000.0000', p95_value: 100000 }]);
  });

  it('only counts a late row in a day thinned before rasdb recorded what prune had examined', async () => {
    await json(['summarize', '--policy', 'api_call_logs']);
    await json(['prune', '--policy', 'api_call_logs']);
    await db.query(`DELETE FROM rasdb.retention_thinned`); // as a prune of an older rasdb left it
    const day = async () =>
      db.query(`SELECT sum(calls)::int AS calls FROM api_call_daily_summary WHERE day = '2025-06-15'`);
    const before = await day();
    await db.query(
      `INSERT INTO api_call_logs (method, endpoint, response_status, called_at) VALUES ('GET', '/very-late', 200, '2025-06-15 10:00:00')`,
    );
    await json(['summarize', '--policy', 'api_call_logs']);
    const again = await json(['summarize', '--policy', 'api_call_logs']);
    expect(again.summaries[0]).toMatchObject({ lateRowsMerged: 0, lateRowsAfterPrune: 1 });
    expect(await day()).toEqual(before);
  });

  it('leaves rows with future timestamps alone, in summaries and in prune', async () => {
    await json(['summarize']);
    await json(['prune']);
    const [future] = await db.query(`
      SELECT (SELECT count(*)::int FROM api_call_logs WHERE called_at > '${NOW}') AS api,
             (SELECT count(*)::int FROM performance_metrics WHERE recorded_at > '${NOW}') AS perf,
             (SELECT count(*)::int FROM integration_operations WHERE started_at > '${NOW}') AS ops,
             (SELECT count(*)::int FROM api_call_daily_summary WHERE day >= '${NOW}') AS summarized`);
    expect(future).toEqual({ api: 20, perf: 6, ops: 5, summarized: 0 });
  });
});

describe('rasdb retention prune', () => {
  it('deletes nothing that is not summarized yet, and says why', async () => {
    const result = await json(['prune', '--policy', 'api_call_logs,security_events_extended']);
    const [api, , security] = result.tables;
    expect(api).toMatchObject({ table: 'api_call_logs', effectiveCutoff: null, deleted: 0 });
    expect(api.heldBack.not_yet_summarized).toBe(
      Number((await db.query(`SELECT count(*) AS n FROM api_call_logs WHERE called_at < '2026-03-03'`))[0].n),
    );
    // Security events have no summary: their 7-year horizon applies as it is.
    expect(security).toMatchObject({ table: 'security_events_extended', cutoff: '2019-06-01T00:00:00Z', deleted: 24 });
    expect(
      await db.query(`SELECT count(*)::int AS n FROM security_events_extended WHERE occurred_at < '2019-06-01'`),
    ).toEqual([{ n: 0 }]);
  });

  it('never deletes a row newer than its cutoff, under a hold or still referenced; counts what it held back, by reason', async () => {
    await json(['summarize']);
    const hold = await json([
      'hold',
      'add',
      '--table',
      'api_call_logs',
      '--from',
      '2025-04-20',
      '--until',
      '2025-06-10',
      '--reason',
      'case 17',
    ]);
    expect(hold.hold).toMatchObject({
      table: 'api_call_logs',
      from: '2025-04-20T00:00:00Z',
      until: '2025-06-10T00:00:00Z',
      reason: 'case 17',
    });
    const byIds = await json([
      'hold',
      'add',
      '--table',
      'integration_operations',
      '--ids',
      '5,6,5',
      '--reason',
      'audit',
      '--by',
      'legal',
    ]);
    // An id given twice is held once: the record lists each row one time.
    expect(byIds.hold.ids).toEqual([5, 6]);
    const before = await db.query(
      `SELECT 'api' AS t, id, called_at::text AS ts FROM api_call_logs UNION ALL SELECT 'ops', id, started_at::text FROM integration_operations`,
    );

    const result = await json(['prune', '--batch-size', '7']);
    const byTable = Object.fromEntries(result.tables.map((t: { table: string }) => [t.table, t]));
    const after = new Set(
      (
        await db.query(
          `SELECT 'api:' || id AS k FROM api_call_logs UNION ALL SELECT 'ops:' || id FROM integration_operations`,
        )
      ).map((r) => r.k),
    );
    const deleted = before.filter((r) => !after.has(`${r.t}:${r.id}`));
    const apiCut = new Date(byTable.api_call_logs.effectiveCutoff);
    const opsCut = new Date(byTable.integration_operations.effectiveCutoff);
    expect(byTable.integration_operations.effectiveCutoff).toBe('2025-06-01T00:00:00Z');
    for (const row of deleted) {
      const ts = new Date(`${String(row.ts).replace(' ', 'T')}Z`);
      if (row.t === 'api') {
        expect(ts < apiCut).toBe(true);
        expect(ts >= new Date('2025-04-20T00:00:00Z') && ts < new Date('2025-06-10T00:00:00Z')).toBe(false);
      } else {
        expect(ts < opsCut).toBe(true);
        expect([5, 6]).not.toContain(row.id);
      }
    }
    // Everything old that is left has a reason to stay.
    const [left] = await db.query(`
      SELECT (SELECT count(*)::int FROM api_call_logs WHERE called_at < '2026-03-03' AND NOT (called_at >= '2025-04-20' AND called_at < '2025-06-10')) AS api_unheld,
             (SELECT count(*)::int FROM api_call_logs WHERE called_at < '2026-03-03') AS api_held,
             (SELECT count(*)::int FROM integration_operations o WHERE started_at < '2025-06-01' AND id NOT IN (5, 6)
                AND NOT EXISTS (SELECT 1 FROM api_call_logs a WHERE a.operation_id = o.operation_id)
                AND NOT EXISTS (SELECT 1 FROM sync_conflicts c WHERE c.operation_id = o.operation_id)
                AND NOT EXISTS (SELECT 1 FROM integration_operations ch WHERE ch.parent_operation_id = o.operation_id)) AS ops_without_reason`);
    expect(left).toMatchObject({ api_unheld: 0, ops_without_reason: 0 });
    expect(byTable.api_call_logs.heldBack).toEqual({ legal_hold: left.api_held });
    expect(Object.keys(byTable.integration_operations.heldBack).sort()).toEqual([
      'legal_hold',
      'referenced_by_api_call_logs',
      'referenced_by_child_operation',
      'referenced_by_sync_conflicts',
    ]);
    expect(byTable.integration_operations.heldBack.legal_hold).toBe(2);
    // The grandchild (10 days old) keeps its parent and grandparent, started ~500 days ago.
    expect(
      await db.query(
        `SELECT count(*)::int AS n FROM integration_operations WHERE operation_id IN (md5('op0')::uuid, md5('child0')::uuid)`,
      ),
    ).toEqual([{ n: 2 }]);
    expect(deleted.filter((r) => r.t === 'ops').length).toBe(byTable.integration_operations.deleted);

    const history = await json(['status']);
    expect(history.runs[0]).toMatchObject({ kind: 'prune', outcome: 'succeeded' });
    const step = history.runs[0].steps.find((s: { table: string }) => s.table === 'api_call_logs');
    expect(step).toMatchObject({
      action: 'prune',
      rowsDeleted: byTable.api_call_logs.deleted,
      rowsHeldBack: left.api_held,
      cutoff: '2026-03-03T00:00:00Z',
    });
  });

  it('holds stack: a row stays until every hold on it is released, and the releases are kept', async () => {
    await json(['summarize', '--policy', 'api_call_logs']);
    const a = await json([
      'hold',
      'add',
      '--table',
      'api_call_logs',
      '--from',
      '2025-10-01',
      '--until',
      '2025-10-03',
      '--reason',
      'one',
    ]);
    const b = await json(['hold', 'add', '--table', 'api_call_logs', '--from', '2025-10-02', '--reason', 'two']);
    const held = async () =>
      (
        await db.query(
          `SELECT count(*)::int AS n FROM api_call_logs WHERE called_at >= '2025-10-01' AND called_at < '2026-03-03'`,
        )
      )[0].n;
    const all = await held();
    await json(['prune', '--policy', 'api_call_logs']);
    expect(await held()).toBe(all);
    await json(['hold', 'release', String(b.hold.id), '--reason', 'closed']);
    await json(['prune', '--policy', 'api_call_logs']);
    expect(await held()).toBe(16); // the 2 days of hold one, every 3 hours
    const again = await cli(['hold', 'release', String(b.hold.id), '--reason', 'twice']);
    expect(again.code).toBe(4);
    // In text, an instant reads as rasdb writes them everywhere: to the second, in UTC.
    expect(again.stderr).toMatch(/was already released at \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC by /);
    await json(['hold', 'release', String(a.hold.id), '--reason', 'closed']);
    await json(['prune', '--policy', 'api_call_logs']);
    expect(await held()).toBe(0);
    const list = await json(['hold', 'list', '--all']);
    expect(list.holds.map((h: { releaseReason: string }) => h.releaseReason)).toEqual(['closed', 'closed']);
    expect((await json(['hold', 'list'])).holds).toEqual([]);
  });

  it('--dry-run changes nothing and predicts the real run table by table', async () => {
    await json(['summarize']);
    await json(['hold', 'add', '--table', 'integration_operations', '--ids', '40', '--reason', 'audit']);
    const before = await retentionState(db);
    const ledger = async () =>
      db.query(
        `SELECT (SELECT count(*) FROM rasdb.retention_runs) AS runs, (SELECT count(*) FROM rasdb.retention_run_steps) AS steps, (SELECT count(*) FROM rasdb.retention_pruned) AS pruned`,
      );
    const ledgerBefore = await ledger();
    const dry = await json(['prune', '--dry-run', '--batch-size', '100']);
    expect(dry.dryRun).toBe(true);
    expect(await retentionState(db)).toEqual(before);
    expect(await ledger()).toEqual(ledgerBefore);
    const summarizeDry = await json(['summarize', '--dry-run']);
    expect(summarizeDry.summaries.every((s: { bucketsSummarized: number }) => s.bucketsSummarized === 0)).toBe(true);
    const real = await json(['prune', '--batch-size', '100']);
    for (const [i, table] of real.tables.entries()) {
      expect(dry.tables[i].eligible, table.table).toBe(table.deleted);
      expect(dry.tables[i].heldBack, table.table).toEqual(table.heldBack);
    }
    const human = await cli(['prune', '--dry-run']);
    expect(human.stdout).toMatch(/Dry run, nothing changed/);
  });

  it('refuses to keep security events under 7 years unless told loudly, and records the change', async () => {
    const refused = await cli(['policy', 'set', 'security_events_extended', '--keep-detail', '5y', '--reason', 'cost']);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('--violate-7-year-security-retention');
    const allowed = await cli([
      'policy',
      'set',
      'security_events_extended',
      '--keep-detail',
      '5y',
      '--reason',
      'cost',
      '--violate-7-year-security-retention',
    ]);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stderr).toContain('WARNING');
    const status = await cli(['status']);
    expect(status.stdout).toMatch(
      /security_events_extended: keep detail 5 years \(changed\) !! BELOW THE 7 YEARS COMPLIANCE MINIMUM/,
    );
    const result = await json(['prune', '--policy', 'security_events_extended']);
    expect(result.tables[0]).toMatchObject({ cutoff: '2021-06-01T00:00:00Z', deleted: 48 });
    const runs = (await json(['status'])).runs;
    expect(runs.map((r: { kind: string }) => r.kind)).toEqual(['prune', 'policy']);
    expect(runs[1].message).toContain('detail 7 years -> detail 5 years');
    expect((await cli(['policy', 'set', 'api_call_logs', '--keep-detail', 'forever', '--reason', 'x'])).code).toBe(2);
  });

  it('--max-runtime stops within one batch, exits 6, and the next run finishes the work', async () => {
    await json(['summarize', '--policy', 'api_call_logs']);
    const stopped = await cli([
      'prune',
      '--policy',
      'api_call_logs',
      '--batch-size',
      '20',
      '--max-runtime',
      '1ms',
      '--json',
    ]);
    expect(stopped.code).toBe(6);
    const first = JSON.parse(stopped.stdout);
    expect(first.stoppedEarly).toBe(true);
    expect(first.totals.batches).toBeLessThanOrEqual(1);
    const rest = await json(['prune', '--policy', 'api_call_logs', '--batch-size', '20']);
    expect(rest.stoppedEarly).toBe(false);
    expect(await db.query(`SELECT count(*)::int AS n FROM api_call_logs WHERE called_at < '2026-03-03'`)).toEqual([
      { n: 0 },
    ]);
    const runs = (await json(['status'])).runs;
    expect(runs.map((r: { outcome: string }) => r.outcome)).toEqual(['succeeded', 'stopped_early', 'succeeded']);
  });
});
