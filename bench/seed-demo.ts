/**
 * Rows per second of the demo's synthetic-activity generator against a plain baseline producing
 * the same rows.
 *
 * - generator: `generateActivity`, as `rasdb seed --demo` runs it: each table's INSERT ... SELECT
 *   in chunks, all in one transaction;
 * - plain: the same statements, each run once over its whole range (one INSERT ... SELECT ... FROM
 *   generate_series per table), autocommit.
 *
 * One database is prepared once (reference sets, the real Tenable records, everything the activity
 * refers to); each run empties the activity tables, checkpoints, and times one side; the sides
 * alternate so that load from elsewhere on the machine falls on both. After every run the digest
 * of the activity tables is compared: both sides must give the same rows. Printed: each side's
 * median and best rows/s, and the ratio of medians (target >= 0.8).
 *
 *   npm run bench -- seed-demo [scale=5] [runs=5]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { DB } from '../generated/db.js';
import { kyselyOn } from '../src/db/single-client-pool.js';
import { activityStatements, type ActivityContext } from '../src/seed/demo/activity.js';
import { activityContextOf, generateActivity } from '../src/seed/demo/activity-run.js';
import { ACTIVITY_TABLES, loadDemo } from '../src/seed/demo/demo.js';
import { demoDigest } from '../src/seed/demo/digest.js';
import { RandomSql } from '../src/seed/demo/random-sql.js';
import { admin, freshDatabase, median } from './_support.js';

const BIN = fileURLToPath(new URL('../bin/rasdb.js', import.meta.url));
const DATABASE = 'rasdb_bench_demo';
const AS_OF = '2026-01-31';
const SEED = 1;

async function prepare(
  scale: number,
): Promise<{ client: pg.Client; context: ActivityContext; expected: Record<string, string> }> {
  const url = await freshDatabase(DATABASE);
  for (const args of [
    ['migrate', '-q'],
    ['seed', '-q'],
  ]) {
    const run = spawnSync(process.execPath, [BIN, ...args], {
      env: { ...process.env, DATABASE_URL: url },
      encoding: 'utf8',
    });
    if (run.status !== 0) throw new Error(`rasdb ${args.join(' ')} failed: ${run.stderr}`);
  }
  const client = new pg.Client({ connectionString: url, options: '-c TimeZone=UTC' });
  await client.connect();
  await loadDemo(client, { seed: SEED, scale, asOf: AS_OF });
  const expected = await activityDigest(client);
  const context = await activityContextOf(kyselyOn<DB>(client), new RandomSql(SEED, AS_OF), scale);
  return { client, context, expected };
}

async function activityDigest(client: pg.Client): Promise<Record<string, string>> {
  const all = await demoDigest(client);
  return Object.fromEntries(ACTIVITY_TABLES.map((table) => [table, all[table]]));
}

async function timed(client: pg.Client, work: () => Promise<number>): Promise<{ rows: number; ms: number }> {
  await client.query(`TRUNCATE ${ACTIVITY_TABLES.join(', ')} RESTART IDENTITY`);
  await client.query('CHECKPOINT');
  const started = performance.now();
  const rows = await work();
  return { rows, ms: performance.now() - started };
}

const generator = (client: pg.Client, context: ActivityContext) =>
  timed(client, async () => {
    await client.query('BEGIN');
    const counts = await generateActivity(client, context);
    await client.query('COMMIT');
    return counts.reduce((sum, count) => sum + count.rows, 0);
  });

const plain = (client: pg.Client, context: ActivityContext) =>
  timed(client, async () => {
    let rows = 0;
    for (const statement of activityStatements(context))
      rows += (await client.query(statement.build(1, statement.count))).rowCount ?? 0;
    return rows;
  });

export default async function run(args: string[]): Promise<void> {
  const scale = Number(args[0] ?? 5);
  const runs = Number(args[1] ?? 5);
  const { client, context, expected } = await prepare(scale);
  const rates = { generator: [] as number[], plain: [] as number[] };
  let rows = 0;
  try {
    for (let i = 0; i < runs; i++) {
      for (const [name, side] of i % 2
        ? ([
            ['plain', plain],
            ['generator', generator],
          ] as const)
        : ([
            ['generator', generator],
            ['plain', plain],
          ] as const)) {
        const result = await side(client, context);
        const digest = await activityDigest(client);
        const differ = ACTIVITY_TABLES.filter((table) => digest[table] !== expected[table]);
        if (differ.length)
          throw new Error(`${name} produced other rows than rasdb seed --demo in ${differ.join(', ')}`);
        rows = result.rows;
        rates[name].push(result.rows / (result.ms / 1000));
      }
      console.log(
        `  run ${i + 1}: generator ${Math.round(rates.generator[i])} rows/s, plain ${Math.round(rates.plain[i])} rows/s`,
      );
    }
  } finally {
    await client.end();
    await admin(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  }
  const [gen, base] = [median(rates.generator), median(rates.plain)];
  const best = (list: number[]) => Math.round(Math.max(...list));
  console.log(
    `demo generator, --scale ${scale}: ${rows} synthetic rows, the same rows on both sides (digests compared), ${runs} runs each, alternating`,
  );
  console.log(
    `  generator (chunked, one transaction): median ${Math.round(gen)} rows/s, best ${best(rates.generator)} rows/s`,
  );
  console.log(
    `  plain INSERT ... SELECT generate_series: median ${Math.round(base)} rows/s, best ${best(rates.plain)} rows/s`,
  );
  console.log(
    `  ratio of medians ${(gen / base).toFixed(2)}, of bests ${(Math.max(...rates.generator) / Math.max(...rates.plain)).toFixed(2)}  (target >= 0.8: ${gen / base >= 0.8 ? 'met' : 'NOT met'})`,
  );
}
