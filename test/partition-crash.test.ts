import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli } from './support/cli.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

// kill -9 of `partition enable` at random moments of a run on a table with rows: the table is
// always whole and writable, and the next run finishes.
const TRIALS = 20;
const ARGS = ['partition', 'enable', 'performance_metrics', '--interval', 'week', '--quiet'];

let template: TestDatabase;
let fullRunMs: number;
let finalPartitions: number;
let original: { n: number; sum: string };
beforeAll(async () => {
  template = await createTestDatabase('partcrash_template');
  expect((await runCli(['migrate', '-q'], { env: { DATABASE_URL: template.url } })).code).toBe(0);
  await template.query(
    `INSERT INTO performance_metrics (metric_type, component, value, unit, tags, recorded_at)
     SELECT 'cpu', 'api-' || (i % 7), i, 'pct', jsonb_build_object('i', i, 'pad', repeat('x', 200)),
            localtimestamp - (i % 400) * interval '1 day'
       FROM generate_series(1, 150000) i`,
  );
  await template.query(
    `INSERT INTO performance_metrics (metric_type, component, value, unit, recorded_at) VALUES ('cpu', 'x', 1, 'u', NULL)`,
  );
  original = await fingerprint(template);
  // How long a whole run takes, on a copy.
  const probe = await createTestDatabase('partcrash_probe', { template: template.name });
  const started = performance.now();
  expect((await runCli(ARGS, { env: { DATABASE_URL: probe.url } })).code).toBe(0);
  fullRunMs = performance.now() - started;
  [{ parts: finalPartitions }] = await probe.query(
    `SELECT count(*)::int AS parts FROM pg_inherits WHERE inhparent = 'performance_metrics'::regclass`,
  );
  await probe.drop();
}, 180_000);
afterAll(async () => {
  await template.drop();
});

async function fingerprint(db: TestDatabase): Promise<{ n: number; sum: string }> {
  const [row] = await db.query(
    `SELECT count(*)::int AS n, md5(string_agg(t::text, '|' ORDER BY id)) AS sum FROM performance_metrics t`,
  );
  return { n: row.n, sum: row.sum };
}

function enableAndKill(url: string, delayMs: number): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...ARGS], {
      env: { ...process.env, DATABASE_URL: url },
      stdio: 'ignore',
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    child.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** What a killed run left: nothing yet, a part of the adoption, a partitioned table short of partitions, or all of it. */
async function stateLeft(db: TestDatabase): Promise<string> {
  const [{ kind, index, check, parts }] = await db.query(
    `SELECT (SELECT relkind::text FROM pg_class WHERE oid = 'performance_metrics'::regclass) AS kind,
            to_regclass('performance_metrics_id_recorded_at_key_adopt') IS NOT NULL AS index,
            EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'performance_metrics_rasdb_before_bound') AS check,
            (SELECT count(*)::int FROM pg_inherits WHERE inhparent = 'performance_metrics'::regclass) AS parts`,
  );
  if (kind === 'r') return check ? 'bound checked, not swapped' : index ? 'unique index (maybe invalid)' : 'untouched';
  return parts < finalPartitions ? 'swapped, partitions short' : 'finished';
}

describe('kill -9 during partition enable', () => {
  it(`leaves the table whole and writable, and the next run finishes (${TRIALS} trials)`, async () => {
    const landed = new Map<string, number>();
    for (let trial = 0; trial < TRIALS; trial++) {
      const db = await createTestDatabase(`partcrash_${trial}`, { template: template.name });
      try {
        await enableAndKill(db.url, Math.floor(Math.random() * fullRunMs * 1.1));
        const where = await stateLeft(db);
        landed.set(where, (landed.get(where) ?? 0) + 1);
        expect(await fingerprint(db), `trial ${trial}, killed after ${where}`).toEqual(original);
        // Writable whatever state it was left in, rows without a time included (the session that
        // held its locks is gone once its backend notices the client died: the insert may wait for that).
        await db.query(
          `INSERT INTO performance_metrics (metric_type, component, value, unit, recorded_at) VALUES ('t', 't', 1, 'u', NULL), ('t', 't', 1, 'u', DEFAULT)`,
        );
        const rerun = await runCli(ARGS, { env: { DATABASE_URL: db.url } });
        expect(rerun.code, `trial ${trial}: ${rerun.stderr}`).toBe(0);
        const [{ kind }] = await db.query(
          `SELECT relkind::text AS kind FROM pg_class WHERE oid = 'performance_metrics'::regclass`,
        );
        expect(kind).toBe('p');
        const after = await fingerprint(db);
        expect(after.n).toBe(original.n + 2);
        const [{ sum }] = await db.query(
          `SELECT md5(string_agg(t::text, '|' ORDER BY id)) AS sum FROM performance_metrics t WHERE metric_type <> 't'`,
        );
        expect(sum).toBe(original.sum);
        const [{ invalid }] = await db.query(`SELECT count(*)::int AS invalid FROM pg_index WHERE NOT indisvalid`);
        expect(invalid).toBe(0);
      } finally {
        await db.drop();
      }
    }
    // The kills landed inside the run, between its steps, not only before or after it.
    const inside = [...landed.entries()].filter(([state]) => state !== 'untouched' && state !== 'finished');
    expect(inside.length, JSON.stringify([...landed])).toBeGreaterThan(0);
  }, 600_000);
});
