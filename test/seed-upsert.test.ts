/**
 * The ownership rules of the upsert, at the level of one table: what the seed updates (its own,
 * untouched rows, when the seed changes), and what it keeps (edited rows, rows it did not create,
 * keys several rows share). Driven through planTable / writeTable with a table spec of the test's
 * own, as a newer rasdb would change a seed.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import type { DB } from '../generated/db.js';
import { kyselyOn } from '../src/db/single-client-pool.js';
import { documentsOf } from '../src/seed/documents.js';
import { planTable, type TablePlan } from '../src/seed/plan-table.js';
import { defineTable, type AnySeedTable } from '../src/seed/types.js';
import { writeTable } from '../src/seed/write-table.js';
import { runCli } from './support/cli.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

let target: TestDatabase;
let client: pg.Client;
let db: Kysely<DB>;

const dashboards = (title: string, refresh = 300): AnySeedTable =>
  defineTable({
    table: 'dashboards',
    key: ['dashboard_name'],
    owned: ['dashboard_type', 'layout_config', 'widget_config', 'refresh_interval_seconds'],
    initial: ['is_active'],
    stamp: 'updated_at',
    rows: ['Alpha', 'Beta'].map((name) => ({
      key: name,
      values: {
        dashboard_name: name,
        dashboard_type: 'operational',
        layout_config: { title },
        widget_config: { widgets: [] },
        refresh_interval_seconds: refresh,
        is_active: true,
      },
    })),
  });

async function run(table: AnySeedTable): Promise<TablePlan> {
  const documents = JSON.stringify(await documentsOf(db, table, table.rows));
  const plan = await planTable(db, table, documents, true);
  await writeTable(db, table, documents, plan, 'test');
  return plan;
}

const counts = ({ inserted, updated, unchanged, kept }: TablePlan) => ({ inserted, updated, unchanged, kept });

beforeAll(async () => {
  target = await createTestDatabase('seed_upsert');
  expect((await runCli(['migrate', '-q'], { env: { DATABASE_URL: target.url } })).code).toBe(0);
  expect((await runCli(['seed', '--only', 'workflows', '-q'], { env: { DATABASE_URL: target.url } })).code).toBe(0); // creates the seed ledger
  client = await target.connect();
  db = kyselyOn<DB>(client);
});
afterAll(async () => {
  await client.end();
  await target.drop();
});

describe('seed upsert ownership', () => {
  it('inserts, then finds everything unchanged', async () => {
    expect(counts(await run(dashboards('v1')))).toEqual({ inserted: 2, updated: 0, unchanged: 0, kept: 0 });
    expect(counts(await run(dashboards('v1')))).toEqual({ inserted: 0, updated: 0, unchanged: 2, kept: 0 });
  });

  it('updates its own untouched rows when the seed changes, and stamps updated_at', async () => {
    await client.query(`UPDATE dashboards SET updated_at = '2000-01-01'`);
    const plan = await run(dashboards('v2'));
    expect(counts(plan)).toEqual({ inserted: 0, updated: 2, unchanged: 0, kept: 0 });
    expect(plan.rows[0]).toMatchObject({ key: 'Alpha', action: 'update', differing: ['layout_config'] });
    const rows = (
      await client.query(
        `SELECT layout_config->>'title' AS title, updated_at > '2001-01-01' AS stamped FROM dashboards ORDER BY id`,
      )
    ).rows;
    expect(rows).toEqual([
      { title: 'v2', stamped: true },
      { title: 'v2', stamped: true },
    ]);
  });

  it('keeps a row an operator edited, even when the seed changes it, and leaves initial columns alone', async () => {
    await client.query(
      `UPDATE dashboards SET refresh_interval_seconds = 30, is_active = false WHERE dashboard_name = 'Alpha'`,
    );
    await client.query(`UPDATE dashboards SET is_active = false WHERE dashboard_name = 'Beta'`); // initial column: the operator's
    const plan = await run(dashboards('v3'));
    expect(counts(plan)).toEqual({ inserted: 0, updated: 1, unchanged: 0, kept: 1 });
    expect(plan.rows.find((r) => r.key === 'Alpha')).toMatchObject({
      action: 'kept',
      reason: 'edited',
      differing: ['layout_config', 'refresh_interval_seconds'],
    });
    const rows = (
      await client.query(
        `SELECT dashboard_name, layout_config->>'title' AS title, refresh_interval_seconds AS refresh, is_active FROM dashboards ORDER BY id`,
      )
    ).rows;
    expect(rows).toEqual([
      { dashboard_name: 'Alpha', title: 'v2', refresh: 30, is_active: false },
      { dashboard_name: 'Beta', title: 'v3', refresh: 300, is_active: false },
    ]);
  });

  it('takes a row back when the operator edits it back to the seed', async () => {
    await client.query(
      `UPDATE dashboards SET layout_config = '{"title": "v3"}', refresh_interval_seconds = 300 WHERE dashboard_name = 'Alpha'`,
    );
    expect(counts(await run(dashboards('v3')))).toEqual({ inserted: 0, updated: 0, unchanged: 2, kept: 0 });
    expect(counts(await run(dashboards('v4')))).toEqual({ inserted: 0, updated: 2, unchanged: 0, kept: 0 });
  });

  it('keeps rows it did not create, and keys several rows share', async () => {
    await client.query(`DELETE FROM rasdb.seed_rows WHERE table_name = 'dashboards' AND natural_key = 'Alpha'`);
    await client.query(
      `INSERT INTO dashboards (dashboard_name, layout_config, widget_config) VALUES ('Beta', '{}', '{}')`,
    );
    const plan = await run(dashboards('v5'));
    expect(counts(plan)).toEqual({ inserted: 0, updated: 0, unchanged: 0, kept: 2 });
    expect(plan.rows.map((r) => [r.key, r.reason])).toEqual(
      expect.arrayContaining([
        ['Alpha', 'not_seeded'],
        ['Beta', 'duplicate'],
      ]),
    );
    expect(
      (await client.query(`SELECT count(*)::int AS n FROM dashboards WHERE layout_config->>'title' = 'v5'`)).rows[0].n,
    ).toBe(0);
  });
});
