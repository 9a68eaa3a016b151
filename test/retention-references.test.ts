import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { untilSomeoneWaitsForALock } from './support/lock-waits.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { NOW, seedRetentionData } from './support/retention-data.js';

// Foreign keys that rasdb did not create: an operator's own tables, in any schema, that point at
// rows prune deletes. One migrated, seeded and summarized database; every test works on a copy.
let template: TestDatabase;
let db: TestDatabase;
beforeAll(async () => {
  template = await createTestDatabase('refs_template');
  const migrated = await runCli(['migrate', '-q'], { env: { DATABASE_URL: template.url } });
  expect(migrated.code, migrated.stderr).toBe(0);
  await seedRetentionData(template);
  const summarized = await runCli(['retention', 'summarize'], { env: { DATABASE_URL: template.url, RASDB_NOW: NOW } });
  expect(summarized.code, summarized.stderr).toBe(0);
}, 120_000);
afterAll(async () => {
  await template.drop();
});
beforeEach(async () => {
  db = await createTestDatabase('refs', { template: template.name });
});
afterEach(async () => {
  await db.drop();
});

const cli = (args: string[]) => runCli(['retention', ...args], { env: { DATABASE_URL: db.url, RASDB_NOW: NOW } });
async function prune(args: string[] = []) {
  const result = await cli(['prune', '--json', ...args]);
  expect(result.code, result.stderr).toBe(0);
  const parsed = JSON.parse(result.stdout);
  return Object.fromEntries(parsed.tables.map((t: { table: string }) => [t.table, t]));
}

/** Old operations nothing of the document references: only the operator's key can keep them. */
const LONELY_OPERATIONS = `
  SELECT operation_id FROM integration_operations o
   WHERE started_at < '2025-05-01' AND parent_operation_id IS NULL
     AND NOT EXISTS (SELECT 1 FROM api_call_logs a WHERE a.operation_id = o.operation_id)
     AND NOT EXISTS (SELECT 1 FROM sync_conflicts c WHERE c.operation_id = o.operation_id)
     AND NOT EXISTS (SELECT 1 FROM integration_operations ch WHERE ch.parent_operation_id = o.operation_id)
   ORDER BY started_at LIMIT 4`;

async function heldInRun(table: string): Promise<Record<string, number>> {
  const [step] = await db.query(
    `SELECT held_back FROM rasdb.retention_run_steps WHERE table_name = $1 AND action = 'prune' ORDER BY run_id DESC LIMIT 1`,
    [table],
  );
  return step.held_back;
}

describe('prune and foreign keys it did not create', () => {
  it('keeps the rows of an operator table with ON DELETE CASCADE, and holds back the operations it references by name', async () => {
    await db.query(`
      CREATE TABLE ops_tickets (id serial PRIMARY KEY, op uuid NOT NULL REFERENCES integration_operations (operation_id) ON DELETE CASCADE);
      INSERT INTO ops_tickets (op) ${LONELY_OPERATIONS};`);
    const dry = await prune(['--dry-run']);
    const tables = await prune();
    expect(await db.query(`SELECT count(*)::int AS n FROM ops_tickets`)).toEqual([{ n: 4 }]);
    expect(
      await db.query(
        `SELECT count(*)::int AS n FROM integration_operations WHERE operation_id IN (SELECT op FROM ops_tickets)`,
      ),
    ).toEqual([{ n: 4 }]);
    const ops = tables.integration_operations;
    expect(ops.deleted).toBeGreaterThan(0);
    expect(ops.heldBack['referenced_by_public.ops_tickets']).toBe(4);
    // The document's own keys keep the reasons they always had.
    expect(ops.heldBack).toHaveProperty('referenced_by_sync_conflicts');
    expect(await heldInRun('integration_operations')).toMatchObject({ 'referenced_by_public.ops_tickets': 4 });
    expect(dry.integration_operations.heldBack).toEqual(ops.heldBack);
    expect(dry.integration_operations.eligible).toBe(ops.deleted);
  });

  it('holds back an operation that gets a cascading reference while prune is deleting, instead of cascading', async () => {
    await db.query(
      `CREATE TABLE ops_tickets (id serial PRIMARY KEY, op uuid NOT NULL REFERENCES integration_operations (operation_id) ON DELETE CASCADE)`,
    );
    const writer = new pg.Client({ connectionString: db.url, application_name: 'ticket-writer' });
    await writer.connect();
    try {
      // Written, not committed, when prune starts: its reference check cannot see the ticket yet.
      await writer.query(`BEGIN; INSERT INTO ops_tickets (op) ${LONELY_OPERATIONS.replace('LIMIT 4', 'LIMIT 1')}`);
      const run = cli(['prune', '--json', '--policy', 'integration_operations', '--lock-timeout', '30s']);
      await untilSomeoneWaitsForALock(db, writer);
      await writer.query('COMMIT');
      const result = await run;
      expect(result.code, result.stderr).toBe(0);
      const [ops] = JSON.parse(result.stdout).tables;
      expect(ops.heldBack['referenced_by_public.ops_tickets']).toBe(1);
    } finally {
      await writer.end();
    }
    expect(
      await db.query(`SELECT count(*)::int AS n FROM ops_tickets JOIN integration_operations ON operation_id = op`),
    ).toEqual([{ n: 1 }]);
  }, 60_000);

  it('sees a key added while the run is under way, before it deletes from the table the key points at', async () => {
    const operator = new pg.Client({ connectionString: db.url, application_name: 'operator' });
    await operator.connect();
    try {
      // Holds the run in its first batch (of api_call_logs), after it read the keys at its start.
      await operator.query('BEGIN; LOCK TABLE rasdb.retention_holds IN EXCLUSIVE MODE');
      const run = cli(['prune', '--json', '--lock-timeout', '30s']);
      await untilSomeoneWaitsForALock(db, operator);
      const other = await db.connect();
      try {
        await other.query(`
          CREATE TABLE ops_tickets (id serial PRIMARY KEY, op uuid NOT NULL REFERENCES integration_operations (operation_id) ON DELETE CASCADE);
          INSERT INTO ops_tickets (op) ${LONELY_OPERATIONS};`);
      } finally {
        await other.end();
      }
      await operator.query('COMMIT');
      const result = await run;
      expect(result.code, result.stderr).toBe(0);
      const ops = JSON.parse(result.stdout).tables.find((t: { table: string }) => t.table === 'integration_operations');
      expect(ops.heldBack['referenced_by_public.ops_tickets']).toBe(4);
    } finally {
      await operator.end();
    }
    expect(
      await db.query(`SELECT count(*)::int AS n FROM ops_tickets JOIN integration_operations ON operation_id = op`),
    ).toEqual([{ n: 4 }]);
  }, 60_000);

  it('holds back an API call a plain key of another schema references instead of failing the run, in a dry run too', async () => {
    await db.query(`
      CREATE SCHEMA "audit trail";
      CREATE TABLE "audit trail".cited_calls (log_id integer REFERENCES api_call_logs (id));
      INSERT INTO "audit trail".cited_calls SELECT min(id) FROM api_call_logs;`);
    const dry = await prune(['--dry-run', '--policy', 'api_call_logs']);
    const result = await cli(['prune', '--json', '--policy', 'api_call_logs']);
    expect(result.code, result.stderr).toBe(0);
    const api = JSON.parse(result.stdout).tables[0];
    expect(api.table).toBe('api_call_logs');
    expect(api.deleted).toBeGreaterThan(0);
    expect(api.heldBack).toEqual({ 'referenced_by_audit trail.cited_calls': 1 });
    expect(dry.api_call_logs.heldBack).toEqual(api.heldBack);
    expect(dry.api_call_logs.eligible).toBe(api.deleted);
    expect(
      await db.query(
        `SELECT count(*)::int AS n FROM api_call_logs WHERE id IN (SELECT log_id FROM "audit trail".cited_calls)`,
      ),
    ).toEqual([{ n: 1 }]);
    expect(await heldInRun('api_call_logs')).toEqual(api.heldBack);
  });

  it('holds back a summary row a composite key references, with SET NULL, and leaves the key alone', async () => {
    await db.query(`
      CREATE SCHEMA reports;
      CREATE TABLE reports.cited_days (
        id serial PRIMARY KEY, day date, external_system_id integer, method varchar(10), endpoint varchar(500), status_class varchar(4),
        FOREIGN KEY (day, external_system_id, method, endpoint, status_class)
          REFERENCES api_call_daily_summary (day, external_system_id, method, endpoint, status_class) ON DELETE SET NULL);
      INSERT INTO reports.cited_days (day, external_system_id, method, endpoint, status_class)
      SELECT day, external_system_id, method, endpoint, status_class FROM api_call_daily_summary
       WHERE external_system_id IS NOT NULL ORDER BY day, external_system_id, method, endpoint, status_class LIMIT 2;`);
    const cited = await db.query(`SELECT day::text, endpoint FROM reports.cited_days ORDER BY id`);
    const dry = await prune(['--dry-run', '--policy', 'api_call_logs']);
    const tables = await prune(['--policy', 'api_call_logs']);
    const summary = tables.api_call_daily_summary;
    expect(summary.deleted).toBeGreaterThan(0);
    expect(summary.heldBack).toEqual({ 'referenced_by_reports.cited_days': 2 });
    expect(dry.api_call_daily_summary.heldBack).toEqual(summary.heldBack);
    expect(await db.query(`SELECT day::text, endpoint FROM reports.cited_days ORDER BY id`)).toEqual(cited);
    expect(
      await db.query(
        `SELECT count(*)::int AS n FROM reports.cited_days c JOIN api_call_daily_summary s USING (day, external_system_id, method, endpoint, status_class)`,
      ),
    ).toEqual([{ n: 2 }]);
  });
});
