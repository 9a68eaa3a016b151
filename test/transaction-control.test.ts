import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/transaction-control/', import.meta.url));

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('txcontrol');
});
afterAll(async () => {
  await db.drop();
});

describe('a migration that commits inside up()', () => {
  it('is refused before anything runs, naming it; no DDL and no ledger row are left behind', async () => {
    const result = await runCli(['migrate', '--migrations-dir', FIXTURE], { env: { DATABASE_URL: db.url } });
    expect(result.code, result.stderr).toBe(4);
    expect(result.stderr).toMatch(/refusing to run 0002-commits-itself \(COMMIT in up\)/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    const tables = await db.query(`SELECT relname FROM pg_class WHERE relname LIKE 'fixture_%' ORDER BY 1`);
    expect(tables).toEqual([]);
    expect(await db.query(`SELECT count(*)::int AS n FROM rasdb.migrations`)).toEqual([{ n: 0 }]);
  });

  it('is not confused by the word in a string literal', async () => {
    const result = await runCli(['migrate', '--migrations-dir', FIXTURE, '--dry-run'], {
      env: { DATABASE_URL: db.url },
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`'commit; rollback'`);
  });
});
