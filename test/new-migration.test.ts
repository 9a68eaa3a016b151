import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newMigration } from '../src/migrate/new-migration.js';
import { runCli } from './support/cli.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

// `rasdb new <name> --phase N`, as node-pg-migrate's `create` and kysely-ctl's `migrate:make`.
const FIXTURE = fileURLToPath(
  new URL('./fixtures/failing-migrations/phase-0-fixture/0001-first-table.js', import.meta.url),
);
let db: TestDatabase;
let dir: string;

beforeAll(async () => {
  db = await createTestDatabase('new_migration');
  dir = mkdtempSync(join(tmpdir(), 'rasdb-new-'));
  mkdirSync(join(dir, 'phase-0-fixture'));
  copyFileSync(FIXTURE, join(dir, 'phase-0-fixture', '0001-first-table.js'));
  mkdirSync(join(dir, 'phase-2-empty'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await db.drop();
});

const cli = (args: string[]) => runCli([...args, '--migrations-dir', dir], { env: { DATABASE_URL: db.url } });

describe('rasdb new', () => {
  it('writes the next migration of the phase, which refuses to run until it is written', async () => {
    const made = await cli(['new', 'add-widgets', '--phase', '0', '--json']);
    expect(made.code, made.stderr).toBe(0);
    const path = join(dir, 'phase-0-fixture', '0002-add-widgets.js');
    expect(JSON.parse(made.stdout)).toMatchObject({ ok: true, name: '0002-add-widgets', phase: 0, path });
    expect(readFileSync(path, 'utf8')).toMatch(
      /export async function up\(db\) \{[\s\S]*export async function down\(db\)/,
    );

    const early = await cli(['migrate']);
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(/0002-add-widgets is not written yet/);
    // Refused while compiling, before anything ran.
    expect(await db.query(`SELECT to_regclass('fixture_first') IS NULL AS untouched`)).toEqual([{ untouched: true }]);

    writeFileSync(
      path,
      readFileSync(path, 'utf8')
        .replace(
          /throw new Error\('0002-add-widgets is not written yet[^;]*;/,
          "await db.schema.createTable('widgets').addColumn('id', 'serial').execute();",
        )
        .replace(/throw new Error\('0002-add-widgets: down[^;]*;/, "await db.schema.dropTable('widgets').execute();"),
    );
    const applied = await cli(['migrate']);
    expect(applied.code, applied.stderr).toBe(0);
    expect(await db.query(`SELECT to_regclass('widgets') IS NOT NULL AS made`)).toEqual([{ made: true }]);
    expect((await cli(['rollback', '--all'])).code).toBe(0);
    expect(await db.query(`SELECT to_regclass('widgets') IS NOT NULL AS made`)).toEqual([{ made: false }]);
  });

  it("numbers the first migration of an empty phase N001, in the folder's other phases' language", async () => {
    const made = await cli(['new', 'first-one', '--phase', '2']);
    expect(made.code, made.stderr).toBe(0);
    expect(readdirSync(join(dir, 'phase-2-empty'))).toEqual(['2001-first-one.js']);
    expect(made.stdout).toContain(`Wrote ${join(dir, 'phase-2-empty', '2001-first-one.js')}`);
    rmSync(join(dir, 'phase-2-empty', '2001-first-one.js'));
  });

  it('writes an ES module (.mjs) into a folder of its own with no migration yet, which Node runs as it is', async () => {
    const own = mkdtempSync(join(tmpdir(), 'rasdb-new-own-'));
    try {
      mkdirSync(join(own, 'phase-0-start'));
      const args = ['--migrations-dir', own];
      const env = { DATABASE_URL: db.url };
      const made = await runCli(['new', 'first-one', '--phase', '0', ...args], { env });
      expect(made.code, made.stderr).toBe(0);
      expect(readdirSync(join(own, 'phase-0-start'))).toEqual(['0001-first-one.mjs']);
      // Loaded and compiled: refused by its own template, not by Node failing to load TypeScript.
      const early = await runCli(['migrate', '--dry-run', ...args], { env });
      expect(early.code).toBe(1);
      expect(early.stderr).toMatch(/0001-first-one is not written yet/);
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  });

  it("still writes TypeScript into the project's own migrations, which the build compiles", () => {
    const own = mkdtempSync(join(tmpdir(), 'rasdb-new-ts-'));
    try {
      mkdirSync(join(own, 'phase-0-start'));
      expect(newMigration({ dir: own, phase: 0, name: 'first-one', compiled: true }).path).toMatch(
        /0001-first-one\.ts$/,
      );
      expect(readFileSync(join(own, 'phase-0-start', '0001-first-one.ts'), 'utf8')).toContain(
        'up(db: Kysely<any>): Promise<void>',
      );
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  });

  it('names a folder holding a line feed on one line, so it cannot forge the next', async () => {
    const own = mkdtempSync(join(tmpdir(), 'rasdb-new-\nrasdb: all clear-'));
    try {
      mkdirSync(join(own, 'phase-0-start'));
      const made = await runCli(['new', 'first-one', '--phase', '0', '--migrations-dir', own]);
      expect(made.code, made.stderr).toBe(0);
      const shown = own.replace('\n', '\\n');
      expect(made.stdout.startsWith(`Wrote ${shown}/phase-0-start/0001-first-one.mjs; `), made.stdout).toBe(true);
      expect(made.stdout.trim().split('\n')).toHaveLength(1);
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  });

  it.each([
    [['new', 'Add Widgets', '--phase', '0'], /lower-case words joined by hyphens/],
    [['new', 'add-widgets'], /rasdb new needs --phase N/],
    [['new', 'add-widgets', '--phase', '3'], /has no folder for phase 3 .*make its folder first/],
    [['new', 'add-widgets', '--phase', '9'], /--phase must be a whole number from 0 to 4/],
    [['new', 'a'.repeat(300), '--phase', '0'], /^rasdb: a migration name is at most 100 characters; got 300\n$/],
  ])('%j: one line, exit 2, no file written', async (args, message) => {
    const before = readdirSync(join(dir, 'phase-0-fixture'));
    const result = await cli(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(readdirSync(join(dir, 'phase-0-fixture'))).toEqual(before);
    expect(existsSync(join(dir, 'phase-3-x'))).toBe(false);
  });
});
