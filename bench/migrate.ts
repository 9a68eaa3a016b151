/**
 * Whole-process wall time of `rasdb migrate` (all phases, empty database) against the barest
 * Node.js runner that keeps the same rules (bench/migrate-floor.mjs: node + pg, a ledger, each
 * migration with its ledger row in a transaction of its own), both running the SQL `rasdb migrate
 * --dry-run` prints, on empty databases of the same server; `psql -1 -f` of that SQL is printed
 * as a reference. Then the start-up cost of `rasdb --help` against `node -e 0`. Medians of `RUNS`
 * runs each, interleaved.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { admin, buildProject, freshDatabase, median, report, timeProcess } from './_support.js';

const BIN = fileURLToPath(new URL('../bin/rasdb.js', import.meta.url));
const FLOOR = fileURLToPath(new URL('./migrate-floor.mjs', import.meta.url));
const RUNS = Number(process.env.RUNS ?? 7);

export default async function run(): Promise<void> {
  buildProject();
  const probe = await freshDatabase('rasdb_bench_dry');
  const dry = spawnSync(process.execPath, [BIN, 'migrate', '--dry-run'], {
    env: { ...process.env, DATABASE_URL: probe },
    encoding: 'utf8',
  });
  if (dry.status !== 0) throw new Error(dry.stderr);
  const sqlFile = join(mkdtempSync(join(tmpdir(), 'rasdb-bench-')), 'plan.sql');
  writeFileSync(sqlFile, dry.stdout);
  await admin('DROP DATABASE rasdb_bench_dry');

  const rasdb: number[] = [];
  const psql: number[] = [];
  const floor: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const a = await freshDatabase('rasdb_bench_a');
    rasdb.push(timeProcess(process.execPath, [BIN, 'migrate', '--quiet'], { ...process.env, DATABASE_URL: a }));
    const b = await freshDatabase('rasdb_bench_b');
    psql.push(timeProcess('psql', ['-X', '-q', '-1', '-v', 'ON_ERROR_STOP=1', '-f', sqlFile, b]));
    const c = await freshDatabase('rasdb_bench_c');
    floor.push(timeProcess(process.execPath, [FLOOR, c, sqlFile]));
  }
  for (const name of ['a', 'b', 'c']) await admin(`DROP DATABASE rasdb_bench_${name}`);
  // The target is against what any Node.js runner must pay (node, pg, a ledger, a transaction per
  // migration): psql starts in a few milliseconds and runs the whole file as one transaction, so a
  // ratio against it mostly measures Node.js itself. It stays printed for comparison.
  const nodeFloor = { name: 'node + pg', ms: median(floor) };
  const psqlRun = { name: 'psql -1 -f', ms: median(psql) };
  report(`migrate, all phases (median of ${RUNS})`, { name: 'rasdb migrate', ms: median(rasdb) }, nodeFloor, 1.15);
  report('  reference: psql', { name: 'rasdb migrate', ms: median(rasdb) }, psqlRun);
  report('  reference: the barest Node.js runner against psql', nodeFloor, psqlRun);

  const help: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < RUNS * 2; i++) {
    help.push(timeProcess(process.execPath, [BIN, '--help']));
    bare.push(timeProcess(process.execPath, ['-e', '0']));
  }
  report(
    `start-up (median of ${RUNS * 2})`,
    { name: 'rasdb --help', ms: median(help) },
    { name: 'node -e 0', ms: median(bare) },
    2.0,
  );
}
