import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

/**
 * An adversary's text: escape sequences, quotes, line breaks and 100 KB in the words an operator
 * types, which the ledger keeps exactly and the terminal shows inert; and migration folders with
 * symlink loops and names that are not migrations.
 */
const FIXTURE = fileURLToPath(new URL('./fixtures/failing-migrations/phase-0-fixture/', import.meta.url));
let db: TestDatabase;
const folders: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase('adv_input');
  expect((await runCli(['migrate', '-q'], { env: { DATABASE_URL: db.url } })).code).toBe(0);
});
afterAll(async () => {
  await db.drop();
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

const cli = (args: string[]) => runCli(args, { env: { DATABASE_URL: db.url } });
const hold = (...more: string[]) =>
  cli(['retention', 'hold', 'add', '--table', 'api_call_logs', '--from', '2025-01-01', ...more]);

/** A migrations folder holding the fixture's first migration, and whatever `add` puts beside it. */
function folder(add: (phase: string) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'rasdb-adv-'));
  folders.push(dir);
  const phase = join(dir, 'phase-0-x');
  mkdirSync(phase);
  cpSync(join(FIXTURE, '0001-first-table.js'), join(phase, '0001-first-table.js'));
  add(phase);
  return dir;
}

describe('hostile text in operator words', () => {
  it('a --reason of escape sequences and SQL is kept exactly and shown inert', async () => {
    const reason = "\u001b[31mred\u001b[0m'; DROP TABLE users; --\u001b]0;owned\u0007";
    const placed = await hold('--reason', reason, '--json');
    expect(placed.code, placed.stderr).toBe(0);
    const { hold: h } = JSON.parse(placed.stdout);
    expect((await db.query(`SELECT reason FROM rasdb.retention_holds WHERE id = $1`, [h.id]))[0].reason).toBe(reason);
    const listed = await cli(['retention', 'hold', 'list']);
    expect(listed.stdout).not.toContain('\u001b');
    expect(listed.stdout).not.toContain('\u0007');
    expect(listed.stdout).toContain("\\x1b[31mred\\x1b[0m'; DROP TABLE users; --\\x1b]0;owned\\x07");
    expect(await db.query(`SELECT to_regclass('users') IS NOT NULL AS t`)).toEqual([{ t: true }]);
  });

  it('a --by of quotes and an OSC title sequence is kept and shown inert', async () => {
    const placed = await hold('--reason', 'by', '--by', 'O\'Brien"; \u001b]0;title\u0007');
    expect(placed.code, placed.stderr).toBe(0);
    expect(placed.stdout).toContain(`O'Brien"; \\x1b]0;title\\x07 via`);
  });

  it('a --reason with line breaks cannot forge a line of output: one line per hold', async () => {
    const placed = await hold('--reason', 'evil\nrasdb: all holds released', '--json');
    expect(placed.code, placed.stderr).toBe(0);
    const { hold: h } = JSON.parse(placed.stdout);
    const listed = await cli(['retention', 'hold', 'list']);
    expect(listed.stdout).not.toMatch(/^rasdb: all holds released/m);
    expect(listed.stdout).toContain(
      `hold ${h.id} on api_call_logs, 2025-01-01 00:00:00 to no end: "evil\\nrasdb: all holds released"`,
    );
    const released = await cli(['retention', 'hold', 'release', String(h.id), '--reason', 'done\nforged line']);
    expect(released.code, released.stderr).toBe(0);
    expect(released.stdout).not.toMatch(/^forged line/m);
  });

  it('a rollback refused by a hold whose reason has a line break is still one line', async () => {
    const placed = await hold('--reason', 'case\nrasdb: rollback done', '--json');
    const { hold: h } = JSON.parse(placed.stdout);
    try {
      const refused = await cli(['rollback', '--phase', '0', '--force']);
      expect(refused.code, refused.stderr).toBe(4);
      expect(refused.stderr.trim().split('\n')).toHaveLength(1);
      expect(refused.stderr).toContain(`hold ${h.id} on api_call_logs ("case\\nrasdb: rollback done")`);
    } finally {
      await db.query(`DELETE FROM rasdb.retention_holds`);
    }
  });

  it('a --reason of 100,000 characters is kept whole (the kernel refuses one argument past 128 KiB)', async () => {
    const reason = 'r'.repeat(100_000);
    const placed = await hold('--reason', reason, '--json');
    expect(placed.code, placed.stderr).toBe(0);
    expect(
      (
        await db.query(`SELECT length(reason) AS n FROM rasdb.retention_holds WHERE id = $1`, [
          JSON.parse(placed.stdout).hold.id,
        ])
      )[0].n,
    ).toBe(100_000);
  });
});

describe('hostile migrations folders', () => {
  it('a symlink loop in a phase folder is refused naming it, never followed, and nothing runs', async () => {
    const dir = folder((phase) => {
      symlinkSync(join(phase, '..'), join(phase, 'loop'));
      symlinkSync(join(phase, 'b.js'), join(phase, 'a.js'));
      symlinkSync(join(phase, 'a.js'), join(phase, 'b.js'));
    });
    const fresh = await createTestDatabase('adv_loop');
    try {
      const result = await runCli(['migrate', '--migrations-dir', dir, '-q'], { env: { DATABASE_URL: fresh.url } });
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(/holds what is not a migration: .*loop/);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(await fresh.query(`SELECT to_regclass('rasdb.migrations') AS t`)).toEqual([{ t: null }]);
    } finally {
      await fresh.drop();
    }
  });

  it('a file whose name carries an escape sequence and quotes is refused naming it, escaped: never run, never printed raw', async () => {
    const dir = folder((phase) =>
      cpSync(join(FIXTURE, '0002-second-table.js'), join(phase, "0002-x\u001b[2J';drop.js")),
    );
    const fresh = await createTestDatabase('adv_name');
    try {
      const result = await runCli(['migrate', '--migrations-dir', dir], { env: { DATABASE_URL: fresh.url } });
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(/holds what is not a migration: .*0002-x\\x1b\[2J';drop\.js/);
      expect(result.stdout + result.stderr).not.toContain('\u001b');
      expect(await fresh.query(`SELECT to_regclass('rasdb.migrations') AS t`)).toEqual([{ t: null }]);
    } finally {
      await fresh.drop();
    }
  });
});
