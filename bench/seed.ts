/**
 * Time of the reference sets: `rasdb seed` on an empty migrated database (every set), and again on
 * the same database (nothing to change). Whole-process wall time (Node start-up, connection and
 * module loading included) and the library's own time (the sum of the sets' durations it reports).
 * Medians of `runs`, each on a fresh database.
 *
 *   npm run bench -- seed [runs=7]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { admin, buildProject, freshDatabase, median, timeProcess } from './_support.js';

const BIN = fileURLToPath(new URL('../bin/rasdb.js', import.meta.url));

function seeded(url: string): { wallMs: number; libraryMs: number; inserted: number } {
  const started = performance.now();
  const run = spawnSync(process.execPath, [BIN, 'seed', '--json'], {
    env: { ...process.env, DATABASE_URL: url },
    encoding: 'utf8',
  });
  const wallMs = performance.now() - started;
  if (run.status !== 0) throw new Error(`rasdb seed failed: ${run.stderr}`);
  const result = JSON.parse(run.stdout) as { sets: { durationMs: number }[]; totals: { inserted: number } };
  return {
    wallMs,
    libraryMs: result.sets.reduce((sum, set) => sum + set.durationMs, 0),
    inserted: result.totals.inserted,
  };
}

export default async function run(args: string[]): Promise<void> {
  buildProject();
  const runs = Number(args[0] ?? 7);
  const full: ReturnType<typeof seeded>[] = [];
  const noop: ReturnType<typeof seeded>[] = [];
  for (let i = 0; i < runs; i++) {
    const url = await freshDatabase('rasdb_bench_seed');
    timeProcess(process.execPath, [BIN, 'migrate', '-q'], { ...process.env, DATABASE_URL: url });
    full.push(seeded(url));
    noop.push(seeded(url));
    if (noop[i].inserted !== 0) throw new Error('the second run inserted rows');
  }
  await admin('DROP DATABASE IF EXISTS rasdb_bench_seed WITH (FORCE)');
  const line = (label: string, list: ReturnType<typeof seeded>[], target: number) => {
    const wall = median(list.map((r) => r.wallMs));
    const library = median(list.map((r) => r.libraryMs));
    console.log(
      `${label} (median of ${runs}): whole process ${wall.toFixed(0)} ms, library ${library.toFixed(0)} ms  (target < ${target} ms: ${wall < target ? 'met' : library < target ? 'met by the library, not the whole process' : 'NOT met'})`,
    );
  };
  line(`reference sets on an empty database, ${full[0].inserted} rows`, full, 1500);
  line('re-run that changes nothing', noop, 500);
  const bare: number[] = [];
  for (let i = 0; i < runs; i++) bare.push(timeProcess(process.execPath, [BIN, '--version']));
  console.log(`for scale: rasdb --version ${median(bare).toFixed(0)} ms (Node start-up and the CLI's own modules)`);
}
