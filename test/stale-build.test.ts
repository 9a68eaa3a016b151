import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

/**
 * The built CLI runs the compiled migrations in dist/migrations. A migration edited after the
 * build would run as it was built, and the ledger would record what no file says: refused instead.
 * Each test works on a copy of the built project (its executable, build and sources).
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MIGRATION = join('migrations', 'phase-1-core-integration', '1001-integration-configuration.ts');
let project: string;
let db: TestDatabase;

beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), 'rasdb-stale-build-'));
  for (const part of ['bin', 'dist', 'migrations', 'package.json'])
    cpSync(join(ROOT, part), join(project, part), { recursive: true });
  db = await createTestDatabase('stale_build');
});
afterAll(async () => {
  rmSync(project, { recursive: true, force: true });
  await db.drop();
});

const rasdb = (args: string[]) =>
  runCli(args, { bin: join(project, 'bin', 'rasdb.js'), env: { DATABASE_URL: db.url } });

describe('a migration edited after the build', () => {
  it('is refused (exit 4, one line naming it) until the project is built again; nothing is applied', async () => {
    expect((await rasdb(['status'])).code).toBe(0);
    appendFileSync(join(project, MIGRATION), '\n// an edit after npm run build\n');
    for (const command of [['migrate'], ['status']]) {
      const result = await rasdb(command);
      expect(result.code, result.stderr).toBe(4);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain(
        `a migration has changed since the build (${MIGRATION}); rasdb runs the compiled ones in dist/migrations: run npm run build first`,
      );
    }
    expect(await db.query(`SELECT to_regclass('rasdb.migrations') AS ledger`)).toEqual([{ ledger: null }]);
  });
});
