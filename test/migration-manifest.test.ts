import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checksumOf, compileMigration } from '../src/migrate/compile.js';
import { defaultMigrationsDir, listMigrations } from '../src/migrate/migration-files.js';
import { MANIFEST_FILE } from '../src/migrate/migration-manifest.js';
import { runCli } from './support/cli.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const BUILT = join(DIST, 'migrations');

/** A copy of the built migrations, manifest included, where their import of the bundle still resolves. */
const copies: string[] = [];
function builtCopy(): string {
  const dir = mkdtempSync(join(DIST, 'manifest-test-'));
  cpSync(BUILT, dir, { recursive: true });
  copies.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of copies) rmSync(dir, { recursive: true, force: true });
});

describe('the compiled migrations manifest', () => {
  it('holds, for every built migration, exactly the SQL and checksum it compiles to at run time', async () => {
    const built = listMigrations(BUILT);
    const source = listMigrations(defaultMigrationsDir());
    expect(built.map((f) => f.name)).toEqual(source.map((f) => f.name));
    for (const [index, file] of built.entries()) {
      expect(file.precompiled, file.name).toBeDefined();
      const module = await source[index].load();
      const statements = await compileMigration(module, 'up');
      expect(file.precompiled?.statements, file.name).toEqual(statements);
      expect(checksumOf(file.precompiled?.statements ?? []), file.name).toBe(checksumOf(statements));
      expect(file.precompiled?.transactional, file.name).toBe(module.transactional !== false);
    }
  });

  it('counts only for the file content it was built from, and is ignored when unreadable', () => {
    const dir = builtCopy();
    const [first, second] = listMigrations(dir);
    appendFileSync(first.path, '\n// edited after the build\n');
    const listed = listMigrations(dir);
    expect(listed[0].precompiled).toBeUndefined();
    expect(listed[1].precompiled).toEqual(second.precompiled);

    writeFileSync(join(dir, MANIFEST_FILE), '{ "format": "rasdb-compiled-migrations/1", "migrations": ');
    expect(listMigrations(dir).every((file) => file.precompiled === undefined)).toBe(true);
    writeFileSync(join(dir, MANIFEST_FILE), JSON.stringify({ format: 'something else', migrations: {} }));
    expect(listMigrations(dir).every((file) => file.precompiled === undefined)).toBe(true);
  });
});

describe('migrate with the manifest', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase('manifest');
  });
  afterEach(async () => {
    await db.drop();
  });
  const cli = (args: string[]) => runCli(args, { env: { DATABASE_URL: db.url } });

  it('records the checksums a run without it records, and still catches a file changed after the build', async () => {
    const dir = builtCopy();
    rmSync(join(dir, MANIFEST_FILE));
    expect((await cli(['migrate', '-q', '--migrations-dir', dir])).code).toBe(0);
    const compiledAtRunTime = await db.query(`SELECT name, checksum FROM rasdb.migrations ORDER BY name`);
    await db.query(`DROP SCHEMA rasdb CASCADE; DROP SCHEMA public CASCADE; CREATE SCHEMA public`);
    expect((await cli(['migrate', '-q'])).code).toBe(0);
    expect(await db.query(`SELECT name, checksum FROM rasdb.migrations ORDER BY name`)).toEqual(compiledAtRunTime);

    const withManifest = builtCopy();
    const file = listMigrations(withManifest)[0].path;
    writeFileSync(file, readFileSync(file, 'utf8').replace('varchar(100)', 'varchar(101)'));
    const changed = await cli(['validate', '--json', '--migrations-dir', withManifest]);
    expect(changed.code).toBe(4);
    expect(JSON.parse(changed.stdout).mismatches.map((m: { name: string }) => m.name)).toEqual([
      '0001-users-and-audit-logs',
    ]);
  });
});
