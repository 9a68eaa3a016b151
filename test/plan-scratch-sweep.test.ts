import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { adminQuery, createTestDatabase, urlFor, type TestDatabase } from './support/database.js';

/**
 * A run killed outright (kill -9, a power cut) never drops its scratch database. The next run
 * that makes one on the same server drops those left more than a day ago, unless someone is
 * connected to one; never a database of any other name.
 */
const FIXTURE = fileURLToPath(
  new URL('./fixtures/failing-migrations/phase-0-fixture/0001-first-table.js', import.meta.url),
);
const DAY = 86_400_000;
const scratchName = (pid: number, madeAt: number) => `rasdb_scratch_${pid}_${madeAt.toString(36)}`;
const OLD = scratchName(4_000_001, Date.now() - 2 * DAY);
const HELD = scratchName(4_000_002, Date.now() - 3 * DAY);
const RECENT = scratchName(4_000_003, Date.now() - 60_000);
const LOOKALIKE = `${OLD}_backup`;
let db: TestDatabase;
let dir: string;

beforeAll(async () => {
  db = await createTestDatabase('plan_sweep');
  dir = mkdtempSync(join(tmpdir(), 'rasdb-sweep-'));
  mkdirSync(join(dir, 'phase-0-fixture'));
  copyFileSync(FIXTURE, join(dir, 'phase-0-fixture', '0001-first-table.js'));
  for (const name of [OLD, RECENT, LOOKALIKE]) await adminQuery(`CREATE DATABASE ${name}`);
});
afterAll(async () => {
  for (const name of [OLD, HELD, RECENT, LOOKALIKE]) await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  rmSync(dir, { recursive: true, force: true });
  await db.drop();
});

/**
 * Connects to a database made to look abandoned. Other test files run plan and verify on the same
 * server at the same time, and their sweep may drop it before anyone is connected: made again then.
 */
async function holdDatabase(name: string): Promise<pg.Client> {
  for (let attempt = 1; ; attempt++) {
    await adminQuery(`CREATE DATABASE ${name}`).catch((error: { code?: string }) => {
      if (error.code !== '42P04') throw error; // 42P04: it is still there
    });
    const holder = new pg.Client({ connectionString: urlFor(name) });
    try {
      await holder.connect();
      return holder;
    } catch (error) {
      await holder.end().catch(() => undefined);
      if ((error as { code?: string }).code !== '3D000' || attempt === 5) throw error; // 3D000: swept meanwhile
    }
  }
}

describe('scratch databases left by a killed run', () => {
  it('are dropped by the next plan when more than a day old and unused; in use, recent or of another name, kept', async () => {
    const holder = await holdDatabase(HELD);
    try {
      const result = await runCli(['plan', '--migrations-dir', dir], { env: { DATABASE_URL: db.url } });
      expect(result.code, result.stderr).toBe(0);
    } finally {
      await holder.end();
    }
    const left = await adminQuery(`SELECT datname FROM pg_database WHERE datname = ANY($1) ORDER BY datname`, [
      [OLD, HELD, RECENT, LOOKALIKE],
    ]);
    expect(left.map((r) => r.datname)).toEqual([HELD, RECENT, LOOKALIKE].sort());
  });
});
