import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli } from './support/cli.js';
import { adminUrl, createTestDatabase, type TestDatabase } from './support/database.js';

/** What cron, log collectors and CI read: quiet means silent unless failed; one JSON line a run. */
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('outputs');
  expect((await runCli(['migrate'], { env: { DATABASE_URL: db.url } })).code).toBe(0);
});
afterAll(async () => {
  await db.drop();
});
const env = () => ({ DATABASE_URL: db.url });

describe('a pipe', () => {
  it('hands a slow reader the whole of an output longer than the pipe holds', async () => {
    // codegen leaves stdout asynchronous: what a shell pipe had not taken at exit was lost past 64 KiB.
    const fresh = await createTestDatabase('outputs_slow_reader');
    const folder = mkdtempSync(join(tmpdir(), 'rasdb-slow-reader-'));
    try {
      await fresh.query(
        `DO $$BEGIN FOR i IN 1..600 LOOP EXECUTE format('CREATE TABLE %I (a int, b text, c timestamp, d jsonb, e numeric)', 'x' || i); END LOOP; END$$`,
      );
      // An empty file to check against: the JSON then carries the whole difference.
      writeFileSync(join(folder, 'db.ts'), '');
      const args = ['codegen', '--check', '--json', '--out', join(folder, 'db.ts')];
      const fast = await runCli(args, { env: { DATABASE_URL: fresh.url } });
      expect(fast.stdout.length).toBeGreaterThan(65_536);
      const slow = spawnSync('sh', ['-c', `"$0" "$@" 2>/dev/null | (sleep 1.5; cat)`, process.execPath, BIN, ...args], {
        env: { ...process.env, DATABASE_URL: fresh.url, NO_COLOR: '1' },
        encoding: 'utf8',
        maxBuffer: 16 * 1024 * 1024,
      });
      expect(slow.stdout).toBe(fast.stdout);
    } finally {
      rmSync(folder, { recursive: true, force: true });
      await fresh.drop();
    }
  });
});

describe('--quiet', () => {
  it.each([
    [['retention', 'summarize', '--quiet']],
    [['retention', 'prune', '--quiet']],
    [['status', '-q']],
    [['migrate', '-q']],
  ])('%s prints nothing at all on success', async (args) => {
    const result = await runCli(args, { env: env() });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('');
  });

  it('a failure still says everything it would have said', async () => {
    const behind = await createTestDatabase('outputs_behind');
    try {
      expect((await runCli(['migrate', '--phase', '1', '-q'], { env: { DATABASE_URL: behind.url } })).code).toBe(0);
      const result = await runCli(['verify', '--quiet', '--scratch-url', adminUrl()], {
        env: { DATABASE_URL: behind.url },
      });
      expect(result.code).toBe(4);
      expect(result.stdout).toMatch(/pending +migration 2001-/);
      expect(result.stderr).toMatch(/does not match its migrations/);
    } finally {
      await behind.drop();
    }
  }, 60_000);

  it('does not hide that the embedded server is used instead of a configured one', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'rasdb-quiet-'));
    chmodSync(folder, 0o755);
    try {
      const result = await runCli(['status', '--quiet'], {
        env: { RASDB_DATA_DIR: folder },
        cwd: folder,
        timeoutMs: 120_000,
      });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/Using the embedded PostgreSQL in /);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('--json', () => {
  it.each([
    [['status']],
    [['retention', 'status']],
    [['validate']],
    [['verify', '--scratch-url', 'SCRATCH']],
    [['migrate', '--phase', '9']],
  ])(
    '%s writes one document on one line, with schemaVersion, ok and exitCode',
    async (args) => {
      const result = await runCli([...args.map((a) => (a === 'SCRATCH' ? adminUrl() : a)), '--json'], { env: env() });
      const lines = result.stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      const document = JSON.parse(lines[0]);
      expect(document).toMatchObject({ schemaVersion: 1, exitCode: result.code, ok: result.code === 0 });
      expect(Object.keys(document).slice(0, 3)).toEqual(['schemaVersion', 'ok', 'exitCode']);
    },
    60_000,
  );
});

describe('colour', () => {
  const ESC = String.fromCharCode(27);
  it('FORCE_COLOR colours a pipe; --no-color and NO_COLOR win over it', async () => {
    const forced = await runCli(['status'], { env: { ...env(), NO_COLOR: undefined, FORCE_COLOR: '1' } });
    expect(forced.stdout).toContain(`${ESC}[`);
    const refused = await runCli(['status', '--no-color'], {
      env: { ...env(), NO_COLOR: undefined, FORCE_COLOR: '1' },
    });
    expect(refused.stdout).not.toContain(ESC);
    const none = await runCli(['status'], { env: { ...env(), NO_COLOR: '', FORCE_COLOR: '1' } });
    expect(none.stdout).not.toContain(ESC);
  });
});

describe('--timestamps', () => {
  it('begins every line with an ISO 8601 time in UTC', async () => {
    const result = await runCli(['status', '--timestamps'], { env: env() });
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expect(line).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z /);
  });
});
