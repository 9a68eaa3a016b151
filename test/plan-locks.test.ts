import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASES } from './fixtures/plan-lock-cases.js';
import { runCli } from './support/cli.js';
import { adminQuery, createTestDatabase, type TestDatabase } from './support/database.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/plan-locks', import.meta.url));
const TABLE_KINDS = ['table', 'partitioned table', 'view'];

interface Lock {
  relation: string;
  kind: string;
  mode: string;
  origin: string;
  rewrite: boolean;
  scan: boolean | null;
}
interface Statement {
  sql: string;
  observedFrom: string;
  locks: Lock[];
}

let db: TestDatabase;
let statements: Statement[];

/** What a database's catalog (every relation, with its xmin and file) and ledger say, to tell whether anything wrote to it. */
async function footprint(target: TestDatabase): Promise<unknown> {
  // A backend flushes its statistics as it exits, before it leaves pg_stat_activity.
  for (let i = 0; i < 100; i++) {
    const [{ n }] = await adminQuery(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1`, [
      target.name,
    ]);
    if (n === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const catalog = await target.query(
    `SELECT c.oid::int8, c.relname, c.relkind, c.relfilenode::int8, c.xmin::text FROM pg_class c ORDER BY c.oid`,
  );
  const ledger = await target.query(`SELECT name, checksum FROM rasdb.migrations ORDER BY name`);
  const events = await target.query(`SELECT count(*)::int AS n FROM rasdb.migration_events`);
  // Not pg_stat_database's tuple counters: autovacuum's ANALYZE writes pg_statistic in this database too.
  return { catalog, ledger, events };
}

beforeAll(async () => {
  db = await createTestDatabase('plan_locks');
  const setup = await runCli(['migrate', '--phase', '0', '-q', '--migrations-dir', FIXTURE], {
    env: { DATABASE_URL: db.url },
  });
  expect(setup.code, setup.stderr).toBe(0);
}, 120_000);
afterAll(async () => {
  await db.drop();
});

describe('rasdb plan on the lock fixture (PostgreSQL itself)', () => {
  it('observes the fixture and writes nothing to the target', async () => {
    const before = await footprint(db);
    const result = await runCli(['plan', '--json', '--migrations-dir', FIXTURE], { env: { DATABASE_URL: db.url } });
    expect(result.code, result.stderr).toBe(0);
    const plan = JSON.parse(result.stdout);
    statements = plan.migrations.flatMap((m: { statements: Statement[] }) => m.statements);
    expect(await footprint(db)).toEqual(before);
    const scratch = /\/(rasdb_scratch_\w+)$/.exec(plan.scratch)?.[1];
    expect(scratch).toBeDefined();
    expect(await adminQuery(`SELECT datname FROM pg_database WHERE datname = $1`, [scratch])).toEqual([]);
  });

  it('has at least 30 statements', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
    expect(statements).toHaveLength(CASES.length);
  });

  for (const c of CASES) {
    it(`${c.sql}`, () => {
      const statement = statements.find((s) => s.sql === c.sql);
      expect(statement).toBeDefined();
      const existing = statement!.locks.filter((l) => l.origin === 'existing' && TABLE_KINDS.includes(l.kind));
      expect(Object.fromEntries(existing.map((l) => [l.relation, l.mode]))).toEqual(c.locks);
      expect(existing.filter((l) => l.rewrite).map((l) => l.relation)).toEqual([...(c.rewrite ?? [])]);
      if (c.transactional === false) {
        expect(statement!.observedFrom).toBe('second-connection');
        expect(existing.every((l) => l.scan === null)).toBe(true);
      } else {
        expect(statement!.observedFrom).toBe('own-backend');
        expect(
          existing
            .filter((l) => l.scan)
            .map((l) => l.relation)
            .sort(),
        ).toEqual([...(c.scan ?? [])].sort());
      }
    });
  }
});
