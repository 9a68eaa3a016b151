/**
 * What `rasdb migrate` costs the application writing to the database meanwhile: p99 latency of
 * inserts into ingestion_assets and users while phases 1-4 are applied, against the same writers
 * for the same time with no migration running. Medians over `RUNS` rounds.
 */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { admin, freshDatabase, median } from './_support.js';

const BIN = fileURLToPath(new URL('../bin/rasdb.js', import.meta.url));
const RUNS = Number(process.env.RUNS ?? 5);
const WRITERS = 4;

function writers(url: string): { stop: () => Promise<number[]> } {
  let running = true;
  const latencies: number[] = [];
  const loops = Array.from({ length: WRITERS }, async (_, w) => {
    const client = new pg.Client({ connectionString: url, application_name: `writer-${w}` });
    await client.connect();
    for (let i = 0; running; i++) {
      const started = performance.now();
      if (i % 2)
        await client.query('INSERT INTO users (username, email) VALUES ($1, $1)', [`u-${w}-${i}-${Math.random()}`]);
      else
        await client.query('INSERT INTO ingestion_assets (asset_uuid, hostname) VALUES (gen_random_uuid(), $1)', [
          `host-${w}-${i}`,
        ]);
      latencies.push(performance.now() - started);
    }
    await client.end();
  });
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return latencies;
    },
  };
}

function p99(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))];
}

export default async function run(): Promise<void> {
  const withMigrate: number[] = [];
  const without: number[] = [];
  for (let round = 0; round < RUNS; round++) {
    const url = await freshDatabase('rasdb_bench_writers');
    const env = { ...process.env, DATABASE_URL: url };
    spawnSync(process.execPath, [BIN, 'migrate', '--phase', '0', '--quiet'], { env });
    const during = writers(url);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = performance.now();
    // Asynchronously: a synchronous spawn would freeze this process's own writers.
    const code = await new Promise<number | null>((resolve) =>
      spawn(process.execPath, [BIN, 'migrate', '--quiet'], { env, stdio: 'inherit' }).on('close', resolve),
    );
    const migrateMs = performance.now() - started;
    if (code !== 0) throw new Error(`rasdb migrate exited ${code}`);
    withMigrate.push(p99(await during.stop()));

    const alone = writers(url);
    await new Promise((resolve) => setTimeout(resolve, 200 + migrateMs));
    without.push(p99(await alone.stop()));
  }
  await admin('DROP DATABASE IF EXISTS rasdb_bench_writers WITH (FORCE)');
  const a = median(withMigrate);
  const b = median(without);
  console.log(
    `writers' p99 insert latency (median of ${RUNS}): during rasdb migrate ${a.toFixed(2)} ms vs no migration ${b.toFixed(2)} ms -> ratio ${(a / b).toFixed(2)}`,
  );
}
