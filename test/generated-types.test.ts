import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import { kyselyOn } from '../src/db/single-client-pool.js';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../generated/db.js';
import { openSession } from '../src/db/session.js';
import { runCli } from './support/cli.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

const GENERATED = fileURLToPath(new URL('../generated/db.ts', import.meta.url));

let db: TestDatabase;
const zone = process.env.TZ;
beforeAll(async () => {
  db = await createTestDatabase('gentypes');
  expect((await runCli(['migrate', '--phase', '1'], { env: { DATABASE_URL: db.url } })).code).toBe(0);
  await db.query(
    `INSERT INTO external_systems (system_name, system_type, api_base_url, authentication_method, connection_config) VALUES ('probe', 'tenable', 'https://x.invalid', 'api_key', '{}')`,
  );
  await db.query(`UPDATE external_systems SET created_at = '2026-03-08 06:30:00' WHERE system_name = 'probe'`);
  process.env.TZ = 'America/New_York';
});
afterAll(async () => {
  process.env.TZ = zone;
  await db.drop();
});

describe('generated/db.ts in a process that is not in UTC', () => {
  it('types TIMESTAMP columns as the strings rasdb reads, never as Date', () => {
    const text = readFileSync(GENERATED, 'utf8');
    expect(text).not.toMatch(/\bDate\b/);
    expect(text).toMatch(/created_at: Generated<string \| null>;/);
  });

  it('reads the stored time exactly, where a plain pg Date would shift it by the local zone', async () => {
    const session = await openSession({ databaseUrl: db.url });
    try {
      const typed: Kysely<DB> = kyselyOn<DB>(session.client);
      const row = await typed
        .selectFrom('external_systems')
        .select('created_at')
        .where('system_name', '=', 'probe')
        .executeTakeFirstOrThrow();
      const value: string | null = row.created_at;
      expect(value).toBe('2026-03-08 06:30:00');
    } finally {
      await session.close();
    }
    // What the generated types used to promise: a Date read in the local zone is another instant.
    const plain = new pg.Client({ connectionString: db.url });
    await plain.connect();
    try {
      const { rows } = await plain.query(`SELECT created_at FROM external_systems WHERE system_name = 'probe'`);
      // 06:30 in New York that morning (EDT since 02:00) is 10:30 UTC, not the 06:30 the row holds.
      expect((rows[0].created_at as Date).toISOString()).toBe('2026-03-08T10:30:00.000Z');
    } finally {
      await plain.end();
    }
  });
});
