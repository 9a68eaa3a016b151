/**
 * `rasdb retention prune` of api_call_logs (90-day horizon: about 77.5 % of 400 days of rows)
 * against one plain `DELETE FROM api_call_logs WHERE called_at < cutoff` on an identical copy,
 * in the same run, alternating which goes first. Prints each round, then medians, the ratio of
 * wall times (target <= 1.3) and the slowest batch (target < 100 ms).
 *
 *   npm run bench -- retention-prune [--rows 5000000] [--rounds 3]
 */
import type pg from 'pg';
import { prune } from '../src/retention/prune.js';
import { median, report } from './_support.js';
import { NOW, buildTemplate, copyTemplate, dropDatabases, markSummarized, rowsFromArgs } from './_retention-data.js';

/**
 * Each contender starts from a finished checkpoint, so neither pays for the checkpoint the other's
 * gigabytes of WAL set off (the server is shared by both copies). Returns the WAL position.
 */
async function settle(client: pg.Client): Promise<string> {
  await client.query('CHECKPOINT');
  return (await client.query('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0].lsn;
}

async function walSince(client: pg.Client, lsn: string): Promise<number> {
  const { rows } = await client.query(
    'SELECT round(pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn) / 1048576) AS mb',
    [lsn],
  );
  return Number(rows[0].mb);
}

export default async function run(args: string[]): Promise<void> {
  const rows = rowsFromArgs(args);
  const rounds = args.includes('--rounds') ? Number(args[args.indexOf('--rounds') + 1]) : 3;
  await buildTemplate(rows);
  const pruneMs: number[] = [];
  const deleteMs: number[] = [];
  const slowest: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const a = await copyTemplate('rasdb_bench_prune_a');
    const b = await copyTemplate('rasdb_bench_prune_b');
    await markSummarized(a);
    // The same warm-up for both: the copies' pages read once, then a checkpoint.
    for (const client of [a, b]) await client.query('SELECT count(*) FROM api_call_logs; CHECKPOINT');
    const timePrune = async () => {
      const wal = await settle(a);
      const started = performance.now();
      const result = await prune(a, { policies: ['api_call_logs'], now: NOW });
      const ms = performance.now() - started;
      const walMb = await walSince(a, wal);
      const table = result.tables[0];
      pruneMs.push(ms);
      slowest.push(table.slowestBatchMs);
      console.log(
        `  round ${round + 1}: prune deleted ${table.deleted.toLocaleString('en-US')} rows in ${table.batches} batches, ${ms.toFixed(0)} ms; batch p50 ${table.batchMsP50} ms, p99 ${table.batchMsP99} ms, slowest ${table.slowestBatchMs} ms; ${walMb} MB of WAL`,
      );
    };
    const timeDelete = async () => {
      const wal = await settle(b);
      const started = performance.now();
      const result = await b.query(
        `DELETE FROM api_call_logs WHERE called_at < timestamp '${NOW}' - interval '90 days'`,
      );
      const ms = performance.now() - started;
      const walMb = await walSince(b, wal);
      deleteMs.push(ms);
      console.log(
        `  round ${round + 1}: one DELETE deleted ${result.rowCount?.toLocaleString('en-US')} rows, ${ms.toFixed(0)} ms; ${walMb} MB of WAL`,
      );
    };
    if (round % 2 === 0) {
      await timePrune();
      await timeDelete();
    } else {
      await timeDelete();
      await timePrune();
    }
    await a.end();
    await b.end();
  }
  await dropDatabases('rasdb_bench_prune_a', 'rasdb_bench_prune_b');
  report(
    `prune of ${rows.toLocaleString('en-US')} rows over 400 days (median of ${rounds})`,
    { name: 'rasdb prune', ms: median(pruneMs) },
    { name: 'one DELETE', ms: median(deleteMs) },
    1.3,
  );
  const worst = Math.max(...slowest);
  console.log(
    `slowest batch: ${worst} ms over all rounds (median of the rounds' slowest: ${median(slowest)} ms)${worst < 100 ? '  (target < 100 ms: met)' : '  (target < 100 ms: NOT met)'}`,
  );
}
