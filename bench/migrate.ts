/**
 * Whole-process wall time of `rasdb migrate` (all phases, empty database) against `psql -1 -f` of
 * the SQL `rasdb migrate --dry-run` prints, on empty databases of the same server; and the start-up
 * cost of `rasdb --help` against `node -e 0`. Medians of `RUNS` runs each, interleaved.
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
  const dry = spawnSync(process.execPath, [BIN, 'migrate', '--dry-run'], { env: { ...process.env, DATABASE_URL: probe }, encoding: 'utf8' });
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
  const baseline = { name: 'psql -1 -f', ms: median(psql) };
  report(`migrate, all phases (median of ${RUNS})`, { name: 'rasdb migrate', ms: median(rasdb) }, baseline, 1.5);
  // What the target leaves room for: the same SQL from the barest Node.js runner that still
  // keeps the rules (a ledger, one transaction per migration); see migrate-floor.mjs.
  report('  reference: the barest Node.js runner', { name: 'node + pg', ms: median(floor) }, baseline);

  const help: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < RUNS * 2; i++) {
    help.push(timeProcess(process.execPath, [BIN, '--help']));
    bare.push(timeProcess(process.execPath, ['-e', '0']));
  }
  report(`start-up (median of ${RUNS * 2})`, { name: 'rasdb --help', ms: median(help) }, { name: 'node -e 0', ms: median(bare) }, 2.0);
}
