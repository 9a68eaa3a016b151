/**
 * Partitioned logs, three measurements side by side in one run, each against its baseline:
 *
 * 1. prune: api_call_logs of `--rows` rows (default 5M) over 400 days, partitioned by month, pruned
 *    by `rasdb retention prune` (whole partitions dropped) against one `DELETE` of the same rows and
 *    against row-wise prune of the unpartitioned table: time (target <= 0.1x the DELETE), WAL
 *    (target <= 1 % of row-wise prune's) and the longest lock a drop holds (target < 100 ms). Beside
 *    them, the floor: the same partitions dropped bare, one DROP TABLE each and nothing else, which
 *    is what returning their files costs this server's disk.
 * 2. adopt: `partition enable` of the live unpartitioned table while writers insert steadily,
 *    against the same writers alone on the same table just before (each copy checkpointed first, so
 *    that no copy's own writes land in either window) and against one CREATE UNIQUE INDEX
 *    CONCURRENTLY on an identical copy: rows lost or changed (target 0), writers' p99 (target <= 1.5x), the longest
 *    lock (target < 200 ms), the whole adoption (target <= 1.5x the index build). Beside the
 *    target, the same statement with the adoption's index workers on a third copy: the adoption
 *    over that is what the method costs on top of the one index it cannot do without.
 * 3. insert: rows per second into the partitioned table against the unpartitioned one (target >= 0.9).
 *
 *   npm run bench -- partition [--rows 5000000] [--only prune|adopt|insert] [--index-workers N]
 *
 * `--index-workers N` adopts with that many parallel workers for the unique index build (the
 * default, 0, builds it in one process and leaves the other core to the writers).
 */
import type pg from 'pg';
import { enablePartitioning } from '../src/partition/enable.js';
import { prune } from '../src/retention/prune.js';
import { migrate } from '../src/migrate/migrate.js';
import { admin, freshDatabase, median } from './_support.js';
import {
  DAYS,
  NOW,
  buildTemplate,
  connectTo,
  copyTemplate,
  dropDatabases,
  markSummarized,
  percentile,
  rowsFromArgs,
} from './_retention-data.js';

const PARTITIONED_TEMPLATE = 'rasdb_bench_partitioned_template';
const verdict = (met: boolean, target: string): string => `  (target ${target}: ${met ? 'met' : 'NOT met'})`;

export default async function run(args: string[]): Promise<void> {
  const rows = rowsFromArgs(args);
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
  if (!only || only === 'prune' || only === 'adopt') await buildTemplate(rows);
  if (!only || only === 'prune') await benchPrune(rows);
  const workers = args.includes('--index-workers') ? Number(args[args.indexOf('--index-workers') + 1]) : 0;
  if (!only || only === 'adopt') await benchAdopt(rows, workers);
  if (!only || only === 'insert') await benchInsert();
  if (!only || only === 'prune' || only === 'adopt') await dropDatabases();
}

async function drop(...names: string[]): Promise<void> {
  for (const name of names) await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

async function walMark(client: pg.Client): Promise<string> {
  await client.query('CHECKPOINT');
  return (await client.query('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0].lsn;
}
async function walMb(client: pg.Client, lsn: string): Promise<number> {
  const { rows } = await client.query('SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn) / 1048576 AS mb', [
    lsn,
  ]);
  return Number(rows[0].mb);
}

/** The empty table partitioned by month, with the months of the 400 days before NOW made as a database partitioned then would have them. */
async function partitionedShape(client: pg.Client): Promise<void> {
  await enablePartitioning(client, 'api_call_logs', { interval: 'month', premake: 1, timeZone: 'UTC' });
  const { rows } = await client.query(`SELECT to_char(bound, 'YYYY-MM-DD') AS bound FROM rasdb.partition_tables`);
  for (let month = new Date(`${rows[0].bound}T00:00:00Z`); ;) {
    const to = month.toISOString().slice(0, 10);
    month = new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() - 1, 1));
    const from = month.toISOString().slice(0, 10);
    await client.query(
      `CREATE TABLE api_call_logs_p${from.slice(0, 7).replace('-', '')} PARTITION OF api_call_logs FOR VALUES FROM ('${from}') TO ('${to}')`,
    );
    if (
      new Date(`${from}T00:00:00Z`).getTime() <
      new Date(`${NOW.slice(0, 10)}T00:00:00Z`).getTime() - DAYS * 86_400_000
    )
      break;
  }
}

async function benchPrune(rows: number): Promise<void> {
  await buildTemplate(rows, { template: PARTITIONED_TEMPLATE, prepare: partitionedShape });
  const parts = await copyTemplate('rasdb_bench_part_drop', PARTITIONED_TEMPLATE);
  const plain = await copyTemplate('rasdb_bench_part_rowwise');
  const single = await copyTemplate('rasdb_bench_part_delete');
  const bare = await copyTemplate('rasdb_bench_part_bare', PARTITIONED_TEMPLATE);
  await markSummarized(parts);
  await markSummarized(plain);
  // The same warm-up for each copy: its pages read once, its catalogs vacuumed (a fresh copy's first
  // catalog writes otherwise cost megabytes of WAL of their own), and a dry run of the prunes.
  for (const c of [parts, plain, single, bare]) {
    await c.query('SELECT count(*) FROM api_call_logs');
    await c.query(
      'VACUUM pg_class, pg_attribute, pg_depend, pg_constraint, pg_index, pg_trigger, pg_inherits, pg_type, pg_attrdef',
    );
  }
  for (const c of [parts, plain]) await prune(c, { policies: ['api_call_logs'], now: NOW, dryRun: true });

  let lsn = await walMark(parts);
  let started = performance.now();
  const byPartitions = await prune(parts, {
    policies: ['api_call_logs'],
    now: NOW,
    openSibling: () => connectTo('rasdb_bench_part_drop'),
  });
  const partsMs = performance.now() - started;
  const partsWal = await walMb(parts, lsn);
  // The WAL position is the server's: on a shared server, others' writes count too. What it moves
  // by while this run waits as long again, doing nothing, is printed beside it.
  const idle = await walMark(parts);
  await new Promise((resolve) => setTimeout(resolve, partsMs));
  const noiseWal = await walMb(parts, idle);
  const t = byPartitions.tables[0];
  const { rows: stages } = await parts.query(
    `SELECT coalesce(max(duration_ms) FILTER (WHERE step = 'truncate'), 0) AS truncate FROM rasdb.partition_history`,
  );
  const dropped = t.partitionsDropped ?? [];
  const parentLock = Math.max(0, ...dropped.map((p) => p.parentLockMs ?? 0));
  console.log(
    `  by partitions: ${t.deleted.toLocaleString('en-US')} rows gone, ${dropped.length} partitions dropped (TRUNCATE, locking only its partition, up to ${stages[0].truncate} ms before its commit; then DROP holding the parent up to ${parentLock} ms, commit included), the rest row by row (slowest batch ${t.slowestBatchMs} ms); ${partsMs.toFixed(0)} ms, ${partsWal.toFixed(2)} MB of WAL`,
  );

  lsn = await walMark(plain);
  started = performance.now();
  const rowWise = await prune(plain, { policies: ['api_call_logs'], now: NOW });
  const rowMs = performance.now() - started;
  const rowWal = await walMb(plain, lsn);
  console.log(
    `  row-wise prune: ${rowWise.tables[0].deleted.toLocaleString('en-US')} rows in ${rowWise.tables[0].batches} batches; ${rowMs.toFixed(0)} ms, ${rowWal.toFixed(0)} MB of WAL`,
  );

  lsn = await walMark(single);
  started = performance.now();
  const deleted = await single.query(
    `DELETE FROM api_call_logs WHERE called_at < timestamp '${NOW}' - interval '90 days'`,
  );
  const deleteMs = performance.now() - started;
  const deleteWal = await walMb(single, lsn);
  console.log(
    `  one DELETE: ${deleted.rowCount?.toLocaleString('en-US')} rows; ${deleteMs.toFixed(0)} ms, ${deleteWal.toFixed(0)} MB of WAL`,
  );

  // The floor: the partitions prune dropped, dropped bare on their own copy, one after another.
  await walMark(bare);
  started = performance.now();
  for (const p of dropped) await bare.query(`DROP TABLE ${p.name}`);
  const bareMs = performance.now() - started;
  console.log(
    `  bare drops (the floor): the same ${dropped.length} partitions, one DROP TABLE each and nothing else; ${bareMs.toFixed(0)} ms, ${(bareMs / deleteMs).toFixed(3)}x the DELETE`,
  );

  const timeRatio = partsMs / deleteMs;
  const walRatio = partsWal / rowWal;
  const longest = Math.max(parentLock, t.slowestBatchMs);
  console.log(
    `prune by partitions / one DELETE: ratio ${timeRatio.toFixed(3)}${verdict(timeRatio <= 0.1, '<= 0.1')}; prune by partitions / bare drops: ${(partsMs / bareMs).toFixed(2)}`,
  );
  console.log(
    `WAL by partitions / row-wise prune: ${(walRatio * 100).toFixed(3)} %${verdict(walRatio <= 0.01, '<= 1 %')}`,
  );
  const adjusted = Math.max(0, partsWal - noiseWal) / rowWal;
  console.log(
    `  (the server wrote ${noiseWal.toFixed(2)} MB of WAL while idle for as long; less that: ${(adjusted * 100).toFixed(3)} %${verdict(adjusted <= 0.01, '<= 1 %')})`,
  );
  console.log(
    `longest lock on the table held by prune by partitions: ${longest} ms (a drop's lock on the parent, or a row-wise batch)${verdict(longest < 100, '< 100 ms')}`,
  );
  for (const c of [parts, plain, single, bare]) await c.end();
  await drop('rasdb_bench_part_drop', 'rasdb_bench_part_rowwise', 'rasdb_bench_part_delete', 'rasdb_bench_part_bare');
  if (process.env.BENCH_KEEP !== '1') await drop(PARTITIONED_TEMPLATE);
}

/**
 * Writers inserting steadily (one row each every `everyMs`), until stopped; each insert's start
 * (ms since `origin`) and latency kept, so one run can be split into before and during.
 */
function writers(database: string, count: number, everyMs: number, origin = performance.now()) {
  const inserts: { at: number; ms: number }[] = [];
  const written: number[] = [];
  const failures: string[] = [];
  let stop = false;
  const done = Promise.all(
    Array.from({ length: count }, async (_, w) => {
      const client = await connectTo(database);
      let n = 0;
      try {
        while (!stop) {
          const started = performance.now();
          try {
            await client.query(
              `INSERT INTO api_call_logs (external_system_id, method, endpoint, response_status, called_at) VALUES (1, 'POST', $1, 201, localtimestamp)`,
              [`/writer/${w}/${n}`],
            );
            written.push(1);
            n++;
          } catch (error) {
            failures.push((error as Error).message);
          }
          const ms = performance.now() - started;
          inserts.push({ at: started - origin, ms });
          await new Promise((resolve) => setTimeout(resolve, Math.max(0, everyMs - ms)));
        }
      } finally {
        await client.end();
      }
    }),
  );
  return {
    /** The latencies of the inserts that started in [from, to) ms after `origin`. */
    latencies: (from = 0, to = Infinity) => inserts.filter((i) => i.at >= from && i.at < to).map((i) => i.ms),
    failures,
    written: () => written.length,
    stop: async () => {
      stop = true;
      await done;
    },
  };
}

/** A copy whose pages are written out and read once: no checkpoint of the copy runs during the measurement. */
async function settledCopy(name: string): Promise<pg.Client> {
  const client = await copyTemplate(name);
  await client.query('CHECKPOINT');
  await client.query('SELECT count(*) FROM api_call_logs');
  return client;
}

async function fingerprint(client: pg.Client, where = 'true'): Promise<{ n: number; sum: string }> {
  const { rows } = await client.query(
    `SELECT count(*)::bigint AS n, sum(hashtext(t::text)::bigint)::text AS sum FROM api_call_logs t WHERE ${where}`,
  );
  return { n: Number(rows[0].n), sum: rows[0].sum };
}

async function benchAdopt(rows: number, indexWorkers: number): Promise<void> {
  const WRITERS = 2;
  const EVERY_MS = 5;
  const ALONE_MS = 10_000;
  // Baseline for the time: one CREATE UNIQUE INDEX CONCURRENTLY on an identical copy, under the
  // same writers, as the server runs it (its own max_parallel_maintenance_workers); beside it the
  // same statement with the adoption's workers, which tells the method's own cost apart from the
  // choice of workers.
  const plainIndex = async (name: string, workers?: number) => {
    const base = await settledCopy(name);
    if (workers !== undefined) await base.query(`SET max_parallel_maintenance_workers = ${workers}`);
    const during = writers(name, WRITERS, EVERY_MS);
    const t = performance.now();
    await base.query('CREATE UNIQUE INDEX CONCURRENTLY bench_id_called_at ON api_call_logs (id, called_at)');
    const ms = performance.now() - t;
    await during.stop();
    await base.end();
    await drop(name);
    return { ms, p99: percentile(during.latencies(), 99) };
  };
  const { ms: indexMs, p99: p99Index } = await plainIndex('rasdb_bench_adopt_base');
  const { ms: sameWorkersMs } = await plainIndex('rasdb_bench_adopt_same', indexWorkers);

  // On the table adopted: the writers alone first, then the same writers, going on, during the adoption.
  const live = await settledCopy('rasdb_bench_adopt_live');
  const [{ max }] = (await live.query('SELECT max(id) AS max FROM api_call_logs')).rows;
  const before = await fingerprint(live);
  const origin = performance.now();
  const during = writers('rasdb_bench_adopt_live', WRITERS, EVERY_MS, origin);
  await new Promise((resolve) => setTimeout(resolve, ALONE_MS));
  const started = performance.now();
  const result = await enablePartitioning(live, 'api_call_logs', { interval: 'month', timeZone: 'UTC', indexWorkers });
  const adoptMs = performance.now() - started;
  await during.stop();
  const alone = during.latencies(0, started - origin);
  const adopting = during.latencies(started - origin, started - origin + adoptMs);
  const after = await fingerprint(live, `id <= ${max}`);
  const ours = await fingerprint(live, `id > ${max}`);
  const { rows: distinct } = await live.query(
    `SELECT count(DISTINCT endpoint)::int AS n FROM api_call_logs WHERE id > ${max} AND endpoint LIKE '/writer/%'`,
  );
  const { rows: held } = await live.query(
    `SELECT step, (detail->>'lockHeldMs')::int AS held, duration_ms FROM rasdb.partition_history WHERE step IN ('bound-check', 'swap') ORDER BY id`,
  );
  await live.end();
  await drop('rasdb_bench_adopt_live');

  const lost = before.n - after.n + (during.written() - ours.n) + (during.written() - distinct[0].n);
  const changed = before.sum === after.sum ? 0 : 1;
  console.log(
    `  adoption of ${rows.toLocaleString('en-US')} rows (index workers: ${indexWorkers}): steps ${result.steps.map((s) => `${s.step} ${s.durationMs} ms`).join(', ')}; ${adoptMs.toFixed(0)} ms in all`,
  );
  console.log(
    `  rows before ${before.n.toLocaleString('en-US')} = after ${after.n.toLocaleString('en-US')} (checksum ${changed ? 'CHANGED' : 'equal'}); writers wrote ${during.written()} rows during it, ${ours.n} found, ${during.failures.length} inserts failed`,
  );
  console.log(
    `rows lost or changed: ${lost + changed + during.failures.length}${verdict(lost + changed + during.failures.length === 0, '0')}`,
  );
  const p99Alone = percentile(alone, 99);
  const p99During = percentile(adopting, 99);
  console.log(
    `writers' p99 insert latency: during adoption ${p99During.toFixed(1)} ms (${adopting.length} inserts) vs the same writers alone just before ${p99Alone.toFixed(1)} ms (${alone.length}) (during the plain index build on a copy ${p99Index.toFixed(1)} ms) -> ratio ${(p99During / p99Alone).toFixed(2)}${verdict(p99During / p99Alone <= 1.5, '<= 1.5')}; slowest insert ${Math.max(...adopting).toFixed(0)} ms`,
  );
  const longest = Math.max(...held.map((h) => Number(h.held ?? h.duration_ms)));
  console.log(
    `longest lock held: ${longest} ms (${held.map((h) => `${h.step} ${h.held ?? h.duration_ms} ms`).join(', ')})${verdict(longest < 200, '< 200 ms')}`,
  );
  console.log(
    `whole adoption / one CREATE UNIQUE INDEX CONCURRENTLY: ${adoptMs.toFixed(0)} ms vs ${indexMs.toFixed(0)} ms -> ratio ${(adoptMs / indexMs).toFixed(2)}${verdict(adoptMs / indexMs <= 1.5, '<= 1.5')}`,
  );
  console.log(
    `  beside it, the same statement with the adoption's ${indexWorkers} index workers: ${sameWorkersMs.toFixed(0)} ms -> ratio ${(adoptMs / sameWorkersMs).toFixed(2)} (what the method adds to the index it must build)`,
  );
}

async function benchInsert(): Promise<void> {
  const ROWS = 100_000;
  const BATCH = 100;
  const databases = { partitioned: 'rasdb_bench_insert_part', plain: 'rasdb_bench_insert_plain' };
  const clients: Record<string, pg.Client> = {};
  for (const [kind, name] of Object.entries(databases)) {
    await freshDatabase(name);
    clients[kind] = await connectTo(name);
    await migrate(clients[kind], {});
    await clients[kind].query(
      `INSERT INTO external_systems (system_name, system_type, api_base_url, authentication_method, connection_config) VALUES ('s', 'scanner', 'https://example.org', 'api_key', '{}')`,
    );
  }
  await enablePartitioning(clients.partitioned, 'api_call_logs', { interval: 'month', timeZone: 'UTC' });
  const values = Array.from(
    { length: BATCH },
    (_, i) => `(1, 'GET', '/a/${i}', 200, '{"ok": true}', localtimestamp - interval '${i} minutes')`,
  ).join(', ');
  const times: Record<string, number[]> = { partitioned: [], plain: [] };
  for (let round = 0; round < 5; round++) {
    for (const kind of round % 2 ? ['plain', 'partitioned'] : ['partitioned', 'plain']) {
      const started = performance.now();
      for (let i = 0; i < ROWS / BATCH; i++) {
        await clients[kind].query(
          `INSERT INTO api_call_logs (external_system_id, method, endpoint, response_status, response_body, called_at) VALUES ${values}`,
        );
      }
      times[kind].push(performance.now() - started);
    }
  }
  for (const c of Object.values(clients)) await c.end();
  await drop(...Object.values(databases));
  const part = (ROWS / median(times.partitioned)) * 1000;
  const plain = (ROWS / median(times.plain)) * 1000;
  console.log(
    `insert throughput (${ROWS.toLocaleString('en-US')} rows in statements of ${BATCH}, median of 5): partitioned ${part.toFixed(0)} rows/s vs unpartitioned ${plain.toFixed(0)} rows/s -> ratio ${(part / plain).toFixed(2)}${verdict(part / plain >= 0.9, '>= 0.9')}`,
  );
}
