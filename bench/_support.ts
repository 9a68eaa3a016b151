import { spawnSync } from 'node:child_process';
import pg from 'pg';

/** The server benchmarks create their scratch databases on. */
export const BENCH_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function urlFor(database: string): string {
  const url = new URL(BENCH_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: BENCH_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function freshDatabase(name: string): Promise<string> {
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${name}`);
  return urlFor(name);
}

/** Wall time of one whole process, in milliseconds; throws if it fails. */
export function timeProcess(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const started = performance.now();
  const result = spawnSync(command, args, { env, encoding: 'utf8' });
  const elapsed = performance.now() - started;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  return elapsed;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function report(
  label: string,
  subject: { name: string; ms: number },
  baseline: { name: string; ms: number },
  target?: number,
): void {
  const ratio = subject.ms / baseline.ms;
  const verdict =
    target === undefined ? '' : ratio <= target ? `  (target <= ${target}: met)` : `  (target <= ${target}: NOT met)`;
  console.log(
    `${label}: ${subject.name} ${subject.ms.toFixed(1)} ms vs ${baseline.name} ${baseline.ms.toFixed(1)} ms -> ratio ${ratio < 0.1 ? ratio.toFixed(3) : ratio.toFixed(2)}${verdict}`,
  );
}

/** Builds what bin/rasdb.js runs (tsc, then the bundle), as `npm run build` does. */
export function buildProject(): void {
  const root = new URL('..', import.meta.url).pathname;
  spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' }); // emits even with type errors elsewhere
  const bundled = spawnSync(process.execPath, ['src/build/bundle.mjs'], { cwd: root, stdio: 'inherit' });
  if (bundled.status !== 0) throw new Error('the bundle did not build');
}
