/**
 * Whole-process wall time of `rasdb plan` (the report for every pending phase) against `rasdb
 * verify` on the same database, in the same run, both making their scratch database on the same
 * server (plan beside the target, verify with --scratch-url to that server): on an empty database
 * (plan observes all 15 migrations, verify replays none) and on one at phase 0 (plan observes
 * phases 1 to 4). For reference, verify on a database at phase 4 (it replays all 15). Medians of
 * `RUNS` runs each, interleaved.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { admin, BENCH_URL, buildProject, freshDatabase, median, report, timeProcess } from './_support.js';

const BIN = fileURLToPath(new URL('../bin/rasdb.js', import.meta.url));
const RUNS = Number(process.env.RUNS ?? 7);

export default async function run(): Promise<void> {
  buildProject();
  const databases = { empty: 'rasdb_bench_plan_empty', phase0: 'rasdb_bench_plan_p0', phase4: 'rasdb_bench_plan_p4' };
  const urls = {
    empty: await freshDatabase(databases.empty),
    phase0: await freshDatabase(databases.phase0),
    phase4: await freshDatabase(databases.phase4),
  };
  const env = (url: string) => ({ ...process.env, DATABASE_URL: url });
  timeProcess(process.execPath, [BIN, 'migrate', '--phase', '0', '-q'], env(urls.phase0));
  timeProcess(process.execPath, [BIN, 'migrate', '-q'], env(urls.phase4));
  const times: Record<string, number[]> = {
    planEmpty: [],
    verifyEmpty: [],
    planPhase0: [],
    verifyPhase0: [],
    verifyPhase4: [],
  };
  const verify = ['verify', '-q', '--scratch-url', BENCH_URL];
  for (let i = 0; i < RUNS; i++) {
    times.planEmpty.push(timeProcess(process.execPath, [BIN, 'plan', '-q'], env(urls.empty)));
    times.verifyEmpty.push(timeVerify(verify, urls.empty));
    times.planPhase0.push(timeProcess(process.execPath, [BIN, 'plan', '-q'], env(urls.phase0)));
    times.verifyPhase0.push(timeVerify([...verify, '--phase', '0'], urls.phase0));
    times.verifyPhase4.push(timeVerify(verify, urls.phase4));
  }
  for (const name of Object.values(databases)) await admin(`DROP DATABASE ${name} WITH (FORCE)`);
  const m = (key: string) => median(times[key]);
  report(
    `plan, all phases on an empty database (median of ${RUNS})`,
    { name: 'rasdb plan', ms: m('planEmpty') },
    { name: 'rasdb verify', ms: m('verifyEmpty') },
    3,
  );
  report(
    `plan, phases 1-4 on a database at phase 0 (median of ${RUNS})`,
    { name: 'rasdb plan', ms: m('planPhase0') },
    { name: 'rasdb verify --phase 0', ms: m('verifyPhase0') },
    3,
  );
  report(
    '  reference: verify replaying all 15 migrations (phase 4)',
    { name: 'rasdb plan (empty)', ms: m('planEmpty') },
    { name: 'rasdb verify (phase 4)', ms: m('verifyPhase4') },
  );
}

/** verify exits 4 on a database with pending migrations (the empty one): that run counts all the same. */
function timeVerify(args: string[], url: string): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, [BIN, ...args], {
    env: { ...process.env, DATABASE_URL: url },
    encoding: 'utf8',
  });
  const elapsed = performance.now() - started;
  if (result.status !== 0 && result.status !== 4)
    throw new Error(`rasdb ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  return elapsed;
}
