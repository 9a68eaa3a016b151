/**
 * What prune costs the application: the latency of single-row inserts into api_call_logs (4
 * writers, one insert every 5 ms each, as a logging service would) while `rasdb retention prune`
 * runs, against the same inserts for as long with no prune. Prints p50, p99 and max, and the
 * ratio of the p99s.
 *
 *   npm run bench -- retention-latency [--rows 5000000]
 */
import pg from 'pg';
import { prune } from '../src/retention/prune.js';
import { urlFor } from './_support.js';
import {
  NOW,
  buildTemplate,
  copyTemplate,
  dropDatabases,
  markSummarized,
  percentile,
  rowsFromArgs,
} from './_retention-data.js';

const WRITERS = 4;
const INTERVAL_MS = 5;
const DATABASE = 'rasdb_bench_latency';

/** Runs the writers until `until` resolves; returns every insert's latency in ms. */
async function insertWhile(until: Promise<unknown>): Promise<number[]> {
  let done = false;
  void until.then(() => (done = true));
  const latencies: number[] = [];
  const writer = async (n: number) => {
    const client = new pg.Client({ connectionString: urlFor(DATABASE), options: '-c TimeZone=UTC' });
    await client.connect();
    try {
      for (let i = 0; !done; i++) {
        const started = performance.now();
        await client.query(
          `INSERT INTO api_call_logs (external_system_id, method, endpoint, response_status, response_time_ms, request_headers, response_body)
           VALUES ($1, 'GET', '/api/v2/assets', 200, 42, '{"accept": "application/json"}', '{"status": "ok"}')`,
          [1 + ((n + i) % 10)],
        );
        const elapsed = performance.now() - started;
        latencies.push(elapsed);
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, INTERVAL_MS - elapsed)));
      }
    } finally {
      await client.end();
    }
  };
  await Promise.all(Array.from({ length: WRITERS }, (_, n) => writer(n)));
  return latencies;
}

function describe(label: string, values: number[]): string {
  return `${label}: ${values.length} inserts, p50 ${percentile(values, 50).toFixed(2)} ms, p99 ${percentile(values, 99).toFixed(2)} ms, max ${Math.max(...values).toFixed(1)} ms`;
}

export default async function run(args: string[]): Promise<void> {
  const rows = rowsFromArgs(args);
  await buildTemplate(rows);
  const client = await copyTemplate(DATABASE);
  await markSummarized(client);
  await client.query('SELECT count(*) FROM api_call_logs; CHECKPOINT');

  // Prune first, to learn how long to run the quiet baseline for.
  const started = performance.now();
  let result: Awaited<ReturnType<typeof prune>> | undefined;
  const during = await insertWhile(prune(client, { policies: ['api_call_logs'], now: NOW }).then((r) => (result = r)));
  const pruneMs = performance.now() - started;
  const quiet = await insertWhile(new Promise((resolve) => setTimeout(resolve, pruneMs)));
  await client.end();
  await dropDatabases(DATABASE);

  const table = result?.tables[0];
  console.log(
    `  prune: ${table?.deleted.toLocaleString('en-US')} rows in ${table?.batches} batches, ${pruneMs.toFixed(0)} ms, slowest batch ${table?.slowestBatchMs} ms`,
  );
  console.log(`  ${describe('inserts with no prune', quiet)}`);
  console.log(`  ${describe('inserts during prune', during)}`);
  const ratio = percentile(during, 99) / percentile(quiet, 99);
  console.log(
    `insert p99 during prune / without: ${ratio.toFixed(2)} (p50 ratio ${(percentile(during, 50) / percentile(quiet, 50)).toFixed(2)})`,
  );
}
