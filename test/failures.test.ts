import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}/`, import.meta.url));

/** A private copy of a fixture folder, so a test can edit its migrations. */
function copyOf(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'rasdb-fixture-'));
  cpSync(fixture(name), dir, { recursive: true });
  return dir;
}

let db: TestDatabase;
beforeEach(async () => {
  db = await createTestDatabase('failures');
});
afterEach(async () => {
  await db.drop();
});
const cli = (args: string[]) => runCli(args, { env: { DATABASE_URL: db.url } });

describe('a failed migration', () => {
  it('is kept in the history, shown by status, and migrate continues from it once fixed', async () => {
    const dir = copyOf('failing-migrations');
    expect((await cli(['migrate', '--migrations-dir', dir])).code).toBe(1);
    const status = JSON.parse((await cli(['status', '--json', '--migrations-dir', dir])).stdout);
    const failed = status.phases[0].migrations.find((m: { name: string }) => m.name === '0003-fails-halfway');
    expect(failed.state).toBe('pending');
    expect(failed.lastFailure).toMatchObject({ sqlstate: '42P01' });
    expect(failed.lastFailure.message).toMatch(/no_such_table/);
    expect(failed.lastFailure.statement).toMatch(/create table "fixture_broken"/);
    expect((await cli(['status', '--migrations-dir', dir])).stdout).toMatch(/last failed .*SQLSTATE 42P01/);

    const file = join(dir, 'phase-0-fixture', '0003-fails-halfway.js');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace("c.references('no_such_table.id')", "c.references('fixture_first.id')"),
    );
    const fixed = await cli(['migrate', '--migrations-dir', dir]);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(fixed.stdout).toContain('Applied 2 migrations');
    const after = JSON.parse((await cli(['status', '--json', '--migrations-dir', dir])).stdout);
    expect(
      after.phases[0].migrations.every(
        (m: { state: string; lastFailure: unknown }) => m.state === 'applied' && m.lastFailure === null,
      ),
    ).toBe(true);
  });

  it('a shipped migration (sent as recorded, in one round trip) that fails names its statement and leaves none of it', async () => {
    expect((await cli(['migrate', '--phase', '0', '-q'])).code).toBe(0);
    // The third statement of 1001 creates api_call_logs; an operator's table of that name is in the way.
    await db.query(`CREATE TABLE api_call_logs (note text)`);
    const failed = await cli(['migrate', '--phase', '1', '--json']);
    expect(failed.code, failed.stderr).toBe(1);
    const [event] = await db.query(
      `SELECT name, sqlstate, statement FROM rasdb.migration_events WHERE event = 'failed'`,
    );
    expect(event).toMatchObject({ name: '1001-integration-configuration', sqlstate: '42P07' });
    expect(event.statement).toMatch(/^create table "api_call_logs"/);
    const [{ n }] = await db.query(
      `SELECT count(*)::int AS n FROM pg_tables WHERE tablename IN ('external_systems', 'integration_operations')`,
    );
    expect(n).toBe(0);
    expect(JSON.parse(failed.stdout).steps[0].attempts).toBe(1);
  });

  it('without a transaction: an INVALID index left by a failed CREATE INDEX CONCURRENTLY is dropped before the retry', async () => {
    const dir = fixture('concurrent-index');
    const first = await cli(['migrate', '--migrations-dir', dir]);
    expect(first.code).toBe(1);
    expect(first.stderr).toContain('SQLSTATE 23505');
    expect(
      await db.query(`SELECT indisvalid FROM pg_index WHERE indexrelid = 'fixture_items_code_key'::regclass`),
    ).toEqual([{ indisvalid: false }]);
    expect(await db.query(`SELECT name FROM rasdb.migrations ORDER BY name`)).toEqual([
      { name: '0001-items-with-duplicates' },
    ]);

    await db.query(`DELETE FROM fixture_items WHERE ctid = (SELECT min(ctid) FROM fixture_items WHERE code = 1)`);
    const second = await cli(['migrate', '--migrations-dir', dir]);
    expect(second.code, second.stderr).toBe(0);
    expect(
      await db.query(`SELECT indisvalid FROM pg_index WHERE indexrelid = 'fixture_items_code_key'::regclass`),
    ).toEqual([{ indisvalid: true }]);
    expect(await db.query(`SELECT name FROM rasdb.migrations ORDER BY name`)).toEqual([
      { name: '0001-items-with-duplicates' },
      { name: '0002-unique-code-concurrently' },
    ]);
  });
});

describe('checksums', () => {
  it('ignore white space, comments and line endings, catch real changes, and are repaired on purpose', async () => {
    const dir = copyOf('failing-migrations');
    const first = join(dir, 'phase-0-fixture', '0001-first-table.js');
    const original = readFileSync(first, 'utf8');
    // Apply 0001 and 0002 only (0003 fails by design).
    expect((await cli(['migrate', '--migrations-dir', dir])).code).toBe(1);
    expect((await cli(['validate', '--migrations-dir', dir])).code).toBe(0);

    const cosmetic = `// a new comment\n${original.replace(/\n/g, '\r\n').replace('c.primaryKey()', 'c\n      .primaryKey()  ')}\n\n`;
    writeFileSync(first, cosmetic);
    const stillValid = await cli(['validate', '--migrations-dir', dir]);
    expect(stillValid.code, stillValid.stdout + stillValid.stderr).toBe(0);

    writeFileSync(first, original.replace("addColumn('id', 'serial'", "addColumn('id', 'bigserial'"));
    const changed = await cli(['validate', '--migrations-dir', dir, '--json']);
    expect(changed.code).toBe(4);
    expect(JSON.parse(changed.stdout).mismatches.map((m: { name: string }) => m.name)).toEqual(['0001-first-table']);
    expect(changed.stderr).toContain('0001-first-table');

    const refused = await cli(['migrate', '--migrations-dir', dir]);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(
      /changed since it was applied: 0001-first-table; .*rasdb repair --accept 0001-first-table/,
    );

    const repaired = await cli(['repair', '--accept', '0001-first-table', '--migrations-dir', dir]);
    expect(repaired.code, repaired.stderr).toBe(0);
    const events = await db.query(
      `SELECT event, old_checksum, new_checksum, actor FROM rasdb.migration_events WHERE event = 'repaired'`,
    );
    expect(events).toHaveLength(1);
    expect(events[0].old_checksum).not.toBe(events[0].new_checksum);
    expect(events[0].actor).toMatch(/\(.+@.+\)/);
    expect((await cli(['validate', '--migrations-dir', dir])).code).toBe(0);
  });
});
