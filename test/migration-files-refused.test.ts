import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}/`, import.meta.url));

let db: TestDatabase;
let work: string;
beforeAll(async () => {
  db = await createTestDatabase('migfiles');
  work = mkdtempSync(join(tmpdir(), 'rasdb-migfiles-'));
});
afterAll(async () => {
  rmSync(work, { recursive: true, force: true });
  await db.drop();
});
const cli = (args: string[]) => runCli(args, { env: { DATABASE_URL: db.url }, timeoutMs: 60_000 });
const tables = async () => db.query(`SELECT relname FROM pg_class WHERE relname LIKE 'fixture_%'`);

describe('a migrations folder rasdb cannot read as a plan', () => {
  it('refuses files and folders outside the naming scheme and phases beyond the plan, naming each', async () => {
    const dir = join(work, 'strays');
    cpSync(fixture('failing-migrations'), dir, { recursive: true });
    writeFileSync(join(dir, 'phase-0-fixture', 'notes.txt'), 'remember to add the index');
    writeFileSync(join(dir, 'phase-0-fixture', '5-too-short.js'), 'export async function up() {}');
    mkdirSync(join(dir, 'phase-7-later'));
    mkdirSync(join(dir, 'drafts'));
    const result = await cli(['migrate', '--migrations-dir', dir]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('holds what is not a migration: drafts (not a phase folder');
    expect(result.stderr).toContain('phase-0-fixture/5-too-short.js (not a migration file');
    expect(result.stderr).toContain('phase-0-fixture/notes.txt');
    expect(result.stderr).toContain('phase-7-later (the plan has phases 0 to 4)');
    expect(await tables()).toEqual([]);
  });

  it('names a migration file that cannot be loaded', async () => {
    const result = await cli(['migrate', '--migrations-dir', fixture('broken-import')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^rasdb: the migration \S+0001-broken\.js cannot be loaded: this migration cannot even be imported\n$/,
    );
  });

  it('gives up compiling a migration whose up() never settles, naming it, instead of hanging', async () => {
    const started = Date.now();
    const result = await cli(['migrate', '--dry-run', '--migrations-dir', fixture('never-settles')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^rasdb: compiling 0001-never-settles did not finish within 10s: /);
    expect(Date.now() - started).toBeLessThan(45_000);
  }, 60_000);
});

describe('a migrations folder outside any Node.js project', () => {
  it("imports 'kysely' from rasdb's own install, and rolls back with it too", async () => {
    const dir = join(work, 'elsewhere');
    mkdirSync(join(dir, 'phase-0-x'), { recursive: true });
    writeFileSync(
      join(dir, 'phase-0-x', '0001-with-sql.js'),
      `import { sql } from 'kysely';
export async function up(db) { await sql\`CREATE TABLE fixture_elsewhere (at timestamptz DEFAULT now())\`.execute(db); }
export async function down(db) { await sql\`DROP TABLE fixture_elsewhere\`.execute(db); }\n`,
    );
    const migrated = await cli(['migrate', '--migrations-dir', dir, '-q']);
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(await tables()).toEqual([{ relname: 'fixture_elsewhere' }]);
    const reverted = await cli(['rollback', '--all', '--migrations-dir', dir, '-q']);
    expect(reverted.code, reverted.stderr).toBe(0);
    expect(await tables()).toEqual([]);
    // A module the folder cannot resolve and rasdb does not provide is still named.
    writeFileSync(
      join(dir, 'phase-0-x', '0002-missing.js'),
      `import 'no-such-package';\nexport async function up() {}\n`,
    );
    const missing = await cli(['migrate', '--migrations-dir', dir]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/0002-missing\.js cannot be loaded: .*no-such-package/);
  });
});
