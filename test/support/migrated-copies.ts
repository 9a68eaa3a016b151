import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { runCli } from './cli.js';
import { createTestDatabase, type TestDatabase } from './database.js';

/**
 * For a test file whose every test works on its own copy of one migrated database: migrates a
 * template once (copying it is much faster than migrating again), gives each test a fresh copy
 * and drops both. Call at the top of the file; the function it returns is the current test's copy.
 *
 * @example
 * const copy = migratedCopies('part'); ... await copy().query('SELECT 1');
 */
export function migratedCopies(label: string): () => TestDatabase {
  let template: TestDatabase;
  let db: TestDatabase;
  beforeAll(async () => {
    template = await createTestDatabase(`${label}_template`);
    const migrated = await runCli(['migrate', '-q'], { env: { DATABASE_URL: template.url } });
    expect(migrated.code, migrated.stderr).toBe(0);
  }, 120_000);
  afterAll(async () => {
    await template.drop();
  });
  beforeEach(async () => {
    db = await createTestDatabase(label, { template: template.name });
  });
  afterEach(async () => {
    await db.drop();
  });
  return () => db;
}
