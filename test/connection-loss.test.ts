import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from './support/cli.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/interrupted-migration/', import.meta.url));

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('connloss');
});
afterAll(async () => {
  await db.drop();
});

describe('a connection lost in the middle of migrate', () => {
  it('says only what the ledger, read again on a new connection, shows; never a bare "Applied N"', async () => {
    const child = spawn(process.execPath, [BIN, 'migrate', '--migrations-dir', FIXTURE], {
      env: { ...process.env, DATABASE_URL: db.url, NO_COLOR: '1' },
    });
    const result = { code: null as number | null, stdout: '', stderr: '' };
    child.stdout.on('data', (chunk) => (result.stdout += chunk));
    child.stderr.on('data', (chunk) => (result.stderr += chunk));
    const exited = new Promise<void>((resolve) => child.on('close', (code) => ((result.code = code), resolve())));
    // Wait until the slow migration runs, then end rasdb's session as a DBA would.
    for (let i = 0; i < 200; i++) {
      const [running] = await db.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)%' AND datname = current_database() AND pid <> pg_backend_pid()`,
      );
      if (running.n > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await db.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)%' AND datname = current_database() AND pid <> pg_backend_pid()`,
    );
    await exited;
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toMatch(
      /The connection was lost while applying 0002-slow; read again on a new connection, the ledger lists 1 of the 1 migration this run applied/,
    );
    expect(result.stdout).not.toMatch(/^Applied \d/m);
    expect(result.stderr).toMatch(/^rasdb: the connection to .* was lost while applying 0002-slow/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(await db.query(`SELECT name FROM rasdb.migrations ORDER BY name`)).toEqual([{ name: '0001-quick' }]);
  }, 60_000);
});
