/**
 * Whole-process wall time of `rasdb codegen` against the `kysely-codegen` CLI on the same migrated
 * database: node start, module loading, connecting, introspecting and writing, as a user waits for
 * it. Runs alternate so drift of the machine hits both alike; one warm-up each is not counted.
 *
 *   npm run bench -- codegen [runs]        (BENCH_DATABASE_URL: a server to create the database on)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { admin, buildProject, freshDatabase, median, report, timeProcess } from './_support.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export default async function bench(args: string[]): Promise<void> {
  const runs = Math.max(5, Number(args[0] ?? 9));
  const name = `rasdb_bench_codegen_${process.pid}`;
  buildProject();
  const url = await freshDatabase(name);
  const dir = mkdtempSync(join(tmpdir(), 'rasdb-bench-codegen-'));
  try {
    const env = { ...process.env, DATABASE_URL: url };
    execFileSync(process.execPath, [join(ROOT, 'bin/rasdb.js'), 'migrate', '-q'], { env, stdio: 'inherit' });
    const commands: Record<string, [string, string[]]> = {
      'rasdb codegen': [process.execPath, [join(ROOT, 'bin/rasdb.js'), 'codegen', '--out', join(dir, 'rasdb.ts')]],
      'kysely-codegen': [
        join(ROOT, 'node_modules/.bin/kysely-codegen'),
        [
          '--dialect',
          'postgres',
          '--url',
          url,
          '--exclude-pattern',
          'rasdb.*',
          '--out-file',
          join(dir, 'kysely-codegen.ts'),
        ],
      ],
    };
    const times: Record<string, number[]> = { 'rasdb codegen': [], 'kysely-codegen': [] };
    for (let round = 0; round <= runs; round++) {
      for (const [label, [command, rest]] of Object.entries(commands)) {
        const elapsed = timeProcess(command, rest, env);
        if (round > 0) times[label].push(elapsed); // round 0 warms the file cache
      }
    }
    const ours = { name: 'rasdb codegen', ms: median(times['rasdb codegen']) };
    const theirs = { name: 'kysely-codegen CLI', ms: median(times['kysely-codegen']) };
    report(`codegen, full schema, median of ${runs} whole-process runs`, ours, theirs, 1.3);
  } finally {
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    rmSync(dir, { recursive: true, force: true });
  }
}
