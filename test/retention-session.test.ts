import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { utcText } from '../src/db/time-text.js';
import { addUnits, truncateTo } from '../src/retention/time.js';
import { compressOwnWal } from '../src/retention/wal-compression.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

let db: TestDatabase;
let client: pg.Client;
beforeAll(async () => {
  db = await createTestDatabase('retention_session');
  client = await db.connect();
});
afterAll(async () => {
  await client.end();
  await db.drop();
});

describe('bucket arithmetic done in the process', () => {
  const times = [
    '2026-01-31 23:59:59.5',
    '2024-02-29 12:00:00',
    '2025-12-31 00:00:00',
    '2026-03-31 10:30:00.123456',
    '2000-01-01 00:00:00',
    '2026-06-01 00:05:00',
  ];
  const units = ['hour', 'day', 'month'] as const;

  it('truncates and adds exactly as PostgreSQL does, month ends and leap days included', async () => {
    for (const at of times) {
      for (const unit of units) {
        for (const count of [1, 3, 13, 366, -1]) {
          const { rows } = await client.query(
            `SELECT ${utcText(`date_trunc('${unit}', $1::timestamp)`)} AS truncated, ${utcText('$1::timestamp + $2::interval')} AS added`,
            [at, `${count} ${unit}s`],
          );
          expect(truncateTo(unit, at), `${unit} of ${at}`).toBe(rows[0].truncated);
          expect(addUnits(at, count, unit), `${at} + ${count} ${unit}s`).toBe(rows[0].added);
        }
      }
    }
  });

  it('refuses a time in another spelling instead of guessing', () => {
    expect(() => truncateTo('day', '2026-01-31T00:00:00Z')).toThrow(/spelling/);
  });
});

describe('WAL compression of retention sessions', () => {
  it('compresses the session of a role that may, and leaves the server setting alone', async () => {
    await client.query('RESET wal_compression');
    const server = (await client.query(`SELECT current_setting('wal_compression') AS v`)).rows[0].v;
    expect(server).toBe('off'); // PostgreSQL's default, on the test servers too
    expect(await compressOwnWal(client)).toBe(true);
    expect((await client.query(`SELECT current_setting('wal_compression') AS v`)).rows[0].v).toMatch(/^(lz4|pglz)$/);
    const other = await db.connect();
    try {
      expect((await other.query(`SELECT current_setting('wal_compression') AS v`)).rows[0].v).toBe('off');
    } finally {
      await other.end();
    }
  });

  it('keeps a compression the session already has', async () => {
    await client.query('SET wal_compression = pglz');
    expect(await compressOwnWal(client)).toBe(false);
    expect((await client.query(`SELECT current_setting('wal_compression') AS v`)).rows[0].v).toBe('pglz');
    await client.query('RESET wal_compression');
  });

  it('goes on uncompressed, without an error, for a role that may not set it', async () => {
    const role = `rasdb_plain_${process.pid}`;
    await client.query(`DROP ROLE IF EXISTS ${role}; CREATE ROLE ${role}`);
    try {
      await client.query(`SET ROLE ${role}`);
      expect(await compressOwnWal(client)).toBe(false);
      expect((await client.query(`SELECT current_setting('wal_compression') AS v`)).rows[0].v).toBe('off');
    } finally {
      await client.query('RESET ROLE');
      await client.query(`DROP ROLE ${role}`);
    }
  });
});
