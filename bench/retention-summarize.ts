/**
 * `rasdb retention summarize` of api_call_logs from scratch (400 days) against one
 * `INSERT ... SELECT ... GROUP BY` computing the same daily summary on an identical copy (target
 * ratio <= 1.2, medians of `--rounds` rounds), then the daily incremental run: one new day of
 * rows, summarized the next morning (target < 50 ms, median of `--days` days).
 *
 *   npm run bench -- retention-summarize [--rows 5000000] [--rounds 3] [--days 7]
 */
import type pg from 'pg';
import { summarize } from '../src/retention/summarize.js';
import { median, report } from './_support.js';
import { DAYS, NOW, buildTemplate, copyTemplate, dropDatabases, rowsFromArgs } from './_retention-data.js';

// The baseline: the same groups and aggregates as src/retention/summaries.ts, written out by hand.
const ONE_STATEMENT = `
  INSERT INTO api_call_daily_summary (day, external_system_id, method, endpoint, status_class, calls, errors, avg_response_ms, p95_response_ms, max_response_ms)
  SELECT date_trunc('day', called_at)::date, external_system_id, method, endpoint,
         CASE WHEN response_status BETWEEN 100 AND 599 THEN (response_status / 100)::text || 'xx' ELSE 'none' END,
         count(*), count(*) FILTER (WHERE response_status IS NULL OR response_status >= 400 OR error_message IS NOT NULL),
         avg(response_time_ms)::double precision, percentile_cont(0.95) WITHIN GROUP (ORDER BY response_time_ms), max(response_time_ms)
    FROM api_call_logs WHERE called_at < '${NOW}' GROUP BY 1, 2, 3, 4, 5`;

export default async function run(args: string[]): Promise<void> {
  const rows = rowsFromArgs(args);
  const days = args.includes('--days') ? Number(args[args.indexOf('--days') + 1]) : 7;
  const rounds = args.includes('--rounds') ? Number(args[args.indexOf('--rounds') + 1]) : 3;
  await buildTemplate(rows);
  const scratch: number[] = [];
  const one: number[] = [];
  let a: pg.Client | undefined;
  for (let round = 0; round < rounds; round++) {
    await a?.end();
    a = await copyTemplate('rasdb_bench_summarize_a');
    const b = await copyTemplate('rasdb_bench_summarize_b');
    for (const client of [a, b]) await client.query('SELECT count(*) FROM api_call_logs');
    const summarizeA = a;
    const timeRasdb = async () => {
      await summarizeA.query('CHECKPOINT');
      const started = performance.now();
      const result = await summarize(summarizeA, { policies: ['api_call_logs'], now: NOW });
      scratch.push(performance.now() - started);
      return result;
    };
    const timeOne = async () => {
      await b.query('CHECKPOINT');
      const started = performance.now();
      await b.query(ONE_STATEMENT);
      one.push(performance.now() - started);
    };
    // Alternating which goes first, so neither always inherits the other's dirty pages.
    const result =
      round % 2 === 0 ? await timeRasdb().then(async (r) => (await timeOne(), r)) : await timeOne().then(timeRasdb);
    const totals =
      'SELECT count(*)::int AS groups, sum(calls)::bigint AS calls, sum(errors)::bigint AS errors, round(sum(p95_response_ms)) AS p95 FROM api_call_daily_summary';
    const [mine, theirs] = [(await a.query(totals)).rows[0], (await b.query(totals)).rows[0]];
    console.log(
      `  round ${round + 1}: rasdb ${result.totals.bucketsSummarized} days, ${result.totals.rowsSummarized.toLocaleString('en-US')} rows, ${scratch[round].toFixed(0)} ms; one statement ${one[round].toFixed(0)} ms; same summary: ${JSON.stringify(mine) === JSON.stringify(theirs) ? 'yes' : 'NO'}`,
    );
    await b.end();
  }
  const daysOn = a as pg.Client;
  report(
    `summarize from scratch, ${rows.toLocaleString('en-US')} rows over ${DAYS} days (median of ${rounds})`,
    { name: 'rasdb summarize', ms: median(scratch) },
    { name: 'one INSERT ... SELECT', ms: median(one) },
    1.2,
  );

  // Daily runs: the rows of one more day arrive, and the next morning's run summarizes that day.
  const perDay = Math.round(rows / DAYS);
  const daily: number[] = [];
  for (let day = 0; day < days; day++) {
    await daysOn.query(
      `INSERT INTO api_call_logs (external_system_id, method, endpoint, response_status, response_time_ms, called_at, request_headers, response_body)
       SELECT 1 + g % 10, 'GET', '/api/v2/assets', CASE WHEN g % 20 = 0 THEN 404 ELSE 200 END, 20 + (g * 7919) % 2000,
              timestamp '${NOW}' + ${day} * interval '1 day' + (g::float8 / ${perDay}) * interval '1 day', '{"accept": "application/json"}', '{"status": "ok"}'
         FROM generate_series(0, ${perDay - 1}) g`,
    );
    // The day's rows arrived over a day, with checkpoints in between; the copies made above set
    // off checkpoints of gigabytes that a real morning would not be sharing the disk with.
    await daysOn.query('CHECKPOINT');
    const started = performance.now();
    const run = await summarize(daysOn, {
      policies: ['api_call_logs'],
      now: `2026-06-${String(2 + day).padStart(2, '0')} 00:05:00`,
    });
    daily.push(performance.now() - started);
    if (run.totals.rowsSummarized !== perDay)
      throw new Error(`day ${day + 1}: summarized ${run.totals.rowsSummarized} rows, expected ${perDay}`);
  }
  await daysOn.end();
  await dropDatabases('rasdb_bench_summarize_a', 'rasdb_bench_summarize_b');
  const ms = median(daily);
  console.log(
    `daily incremental summarize of one new day (${perDay.toLocaleString('en-US')} rows), median of ${days}: ${ms.toFixed(1)} ms (runs: ${daily.map((d) => d.toFixed(0)).join(', ')})${ms < 50 ? '  (target < 50 ms: met)' : '  (target < 50 ms: NOT met)'}`,
  );
}
