import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, runCli } from './support/cli.js';
import { dataFolders } from './support/data-folders.js';

// The default a DBA gets with no server configured: an embedded PostgreSQL kept in a folder.
const folders = dataFolders('rasdb-embedded-');
const dataFolder = folders.make;
afterAll(folders.removeAll);

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('the embedded default', () => {
  it('migrates with nothing configured, says so, and reuses its data on the next run', async () => {
    const folder = dataFolder();
    const first = await runCli(['migrate'], { env: { RASDB_DATA_DIR: folder } });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain(`Using the embedded PostgreSQL in ${folder}`);
    expect(first.stderr).toContain('DATABASE_URL');
    const second = await runCli(['status', '--json'], { env: { RASDB_DATA_DIR: folder } });
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ currentPhase: 4, pending: 0 });
    expect(existsSync(join(folder, 'pg', 'postmaster.pid'))).toBe(false); // stopped after the command
  });

  it('keeps its data in ./.rasdb of the current directory by default', async () => {
    const cwd = dataFolder();
    const result = await runCli(['migrate', '--phase', '0', '--quiet'], { cwd });
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(join(cwd, '.rasdb', 'pg', 'PG_VERSION'))).toBe(true);
  });

  it('works for an ordinary (non-root) user too', async () => {
    // As root, run as the postgres account through runuser; as anyone else, this run already is one.
    const folder = dataFolder();
    const asRoot = process.getuid?.() === 0;
    if (asRoot) execFileSync('chown', ['postgres', folder]);
    const argv = asRoot
      ? [
          'runuser',
          '-u',
          'postgres',
          '--',
          'env',
          `RASDB_DATA_DIR=${folder}`,
          process.execPath,
          BIN,
          'migrate',
          '--phase',
          '0',
          '--json',
        ]
      : [process.execPath, BIN, 'migrate', '--phase', '0', '--json'];
    const stdout = execFileSync(argv[0], argv.slice(1), {
      cwd: folder,
      env: { ...process.env, RASDB_DATA_DIR: folder, DATABASE_URL: undefined },
      encoding: 'utf8',
    });
    expect(JSON.parse(stdout)).toMatchObject({ ok: true, phaseAfter: 0 });
  });

  it('recovers from a stale postmaster.pid', async () => {
    const folder = dataFolder();
    expect((await runCli(['migrate', '--phase', '0'], { env: { RASDB_DATA_DIR: folder } })).code).toBe(0);
    const pidFile = join(folder, 'pg', 'postmaster.pid');
    writeFileSync(pidFile, '999999\n/nowhere\n0\n5432\n');
    const result = await runCli(['status', '--json'], { env: { RASDB_DATA_DIR: folder } });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).currentPhase).toBe(0);
  });

  it.each([
    [
      'a file',
      (base: string) => (writeFileSync(join(base, 'file'), ''), join(base, 'file')),
      /is a file, not a folder/,
      2,
    ],
    [
      'a link to nothing',
      (base: string) => (symlinkSync(join(base, 'gone'), join(base, 'link')), join(base, 'link')),
      /is a symbolic link to .*gone, which does not exist/,
      2,
    ],
    // initdb's own refusal of such a name: exit 1, still on one line.
    ['a name with a line feed in it', (base: string) => join(base, 'two\nlines', 'x'), /two\\nlines/, 1],
  ])(
    'as RASDB_DATA_DIR, %s is refused in one line with its exit code, and never starts a server',
    async (_, make, what, code) => {
      const folder = make(dataFolder());
      const result = await runCli(['status'], { env: { RASDB_DATA_DIR: folder }, timeoutMs: 60_000 });
      expect(result.code, result.stderr).toBe(code);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(what);
    },
  );

  it('exits 3 with one line when its server does not start, never 0 in silence', async () => {
    const folder = dataFolder();
    expect((await runCli(['migrate', '--phase', '0', '-q'], { env: { RASDB_DATA_DIR: folder } })).code).toBe(0);
    writeFileSync(join(folder, 'pg', 'postgresql.auto.conf'), "shared_buffers = 'bogus'\n", { flag: 'a' });
    for (const args of [['status', '--exit-code'], ['migrate']]) {
      const result = await runCli(args, { env: { RASDB_DATA_DIR: folder }, timeoutMs: 60_000 });
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(3);
      expect(result.stderr).toMatch(/^rasdb: the embedded PostgreSQL in .* did not start/m);
    }
  });

  it('recovers when a killed run left its server running', async () => {
    const folder = dataFolder();
    expect((await runCli(['migrate', '--phase', '0'], { env: { RASDB_DATA_DIR: folder } })).code).toBe(0);
    // Kill -9 once connected: the server it started is orphaned and still owns the folder.
    const child = spawn(process.execPath, [BIN, 'status', '--verbose'], {
      env: { ...process.env, RASDB_DATA_DIR: folder, DATABASE_URL: undefined },
    });
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('connected to')) {
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    await new Promise((resolve) => child.on('close', resolve));
    const orphan = Number(readFileSync(join(folder, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
    expect(isAlive(orphan)).toBe(true);
    const result = await runCli(['migrate', '--phase', '1'], { env: { RASDB_DATA_DIR: folder } });
    expect(result.code, result.stderr).toBe(0);
    expect(isAlive(orphan)).toBe(false);
  });

  it('two runs on one data folder take turns and apply each migration once', async () => {
    const folder = dataFolder();
    const [a, b] = await Promise.all([
      runCli(['migrate', '--json'], { env: { RASDB_DATA_DIR: folder } }),
      runCli(['migrate', '--json'], { env: { RASDB_DATA_DIR: folder } }),
    ]);
    expect([a.code, b.code], a.stderr + b.stderr).toEqual([0, 0]);
    const applied = [JSON.parse(a.stdout), JSON.parse(b.stdout)].map((r) => r.steps.length).sort((x, y) => x - y);
    expect(applied[0]).toBe(0);
    expect(applied[1]).toBeGreaterThan(0);
  });
});
