import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, runCli } from './support/cli.js';
import { createTestDatabase } from './support/database.js';

// The README's SQL examples need a way into the embedded database: `rasdb psql` for one session,
// `rasdb embedded start|url|stop` to keep the server running for any libpq tool.
const asRoot = process.getuid?.() === 0;
const folders: string[] = [];

function project(): { cwd: string; env: Record<string, string> } {
  const cwd = mkdtempSync(join(tmpdir(), 'rasdb-keep-'));
  chmodSync(cwd, 0o755);
  folders.push(cwd);
  return { cwd, env: { RASDB_DATA_DIR: join(cwd, 'data') } };
}

const postmasterPid = (cwd: string): number | undefined => {
  const file = join(cwd, 'data', 'pg', 'postmaster.pid');
  return existsSync(file) ? Number(readFileSync(file, 'utf8').split('\n')[0]) : undefined;
};

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const psql = (url: string, sql: string, asUser?: string) => {
  const argv = ['psql', url, '-XAtc', sql];
  const result = asUser
    ? spawnSync('runuser', ['-u', asUser, '--', ...argv], {
        encoding: 'utf8',
        env: { ...process.env, PGCONNECT_TIMEOUT: '5' },
      })
    : spawnSync(argv[0], argv.slice(1), { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout.trim(), stderr: result.stderr };
};

afterAll(async () => {
  for (const cwd of folders) {
    await runCli(['embedded', 'stop'], { cwd, env: { RASDB_DATA_DIR: join(cwd, 'data') } });
    const pid = postmasterPid(cwd);
    if (pid && alive(pid)) process.kill(pid, 'SIGQUIT');
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
  for (const cwd of folders) rmSync(cwd, { recursive: true, force: true });
});

describe('rasdb psql', () => {
  it('opens psql on the embedded database for as long as psql runs, and passes its exit code on', async () => {
    const { cwd, env } = project();
    const ok = await runCli(['psql', '--', '-XAt', '-c', 'select current_database(), current_user'], { cwd, env });
    expect(ok.stderr).toContain('Using the embedded PostgreSQL');
    expect(ok.stdout.trim()).toBe('rasdash|postgres');
    expect(ok.code).toBe(0);
    expect(postmasterPid(cwd)).toBeUndefined(); // stopped when psql exited

    const failed = await runCli(['psql', '--', '-X', '-v', 'ON_ERROR_STOP=1', '-c', 'select no_such_column'], {
      cwd,
      env,
    });
    expect(failed.stderr).toMatch(/no_such_column/);
    expect(failed.code).toBe(1); // psql's own exit code
    expect(postmasterPid(cwd)).toBeUndefined();
  });

  it('leaves Ctrl-C to psql: a SIGINT while psql runs neither ends rasdb nor stops the server under psql', async () => {
    const { cwd, env } = project();
    const child = spawn(process.execPath, [BIN, 'psql', '--', '-XAt'], {
      cwd,
      env: { ...process.env, ...env, DATABASE_URL: undefined, PGHOST: undefined, PGDATABASE: undefined },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.stdin.write('select 40 + 1;\n');
    while (!stdout.includes('41')) await new Promise((resolve) => setTimeout(resolve, 20));
    child.kill('SIGINT'); // as the terminal's Ctrl-C reaches rasdb too
    await new Promise((resolve) => setTimeout(resolve, 300));
    child.stdin.end('select 40 + 2;\n');
    expect(await exited).toBe(0);
    expect(stdout).toContain('42');
    expect(postmasterPid(cwd)).toBeUndefined();
  });

  it('opens psql on the configured database, the password kept off the command line', async () => {
    const db = await createTestDatabase('psql');
    try {
      const run = await runCli(['psql', '--', '-XAt', '-c', 'select current_database()'], {
        env: { DATABASE_URL: db.url },
      });
      expect(run.stdout.trim()).toBe(db.name);
      expect(run.code).toBe(0);
    } finally {
      await db.drop();
    }
  });

  it('says in one line how to install psql when there is none, and refuses --json', async () => {
    const db = await createTestDatabase('psql-missing');
    try {
      const run = await runCli(['psql'], { env: { DATABASE_URL: db.url, PATH: '/nonexistent' } });
      expect(run.code).toBe(1);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(/psql was not found on PATH.*install the PostgreSQL client/);
      const json = await runCli(['psql', '--json'], { env: { DATABASE_URL: db.url } });
      expect(json.code).toBe(2);
      expect(json.stderr).toMatch(/does not take --json/);
    } finally {
      await db.drop();
    }
  });
});

describe('rasdb embedded start|url|stop', () => {
  it('keeps the server running; every rasdb command and psql use it; stop stops it', async () => {
    const { cwd, env } = project();
    const secret = 'S3cret-token-for-the-kept-server';
    const started = await runCli(['embedded', 'start'], { cwd, env: { ...env, PGPASSWORD: secret, CI_TOKEN: secret } });
    expect(started.code).toBe(0);
    const url = started.stdout.trim();
    expect(url).toMatch(/^postgresql:\/\/\/rasdash\?host=%2F.*&port=5432&user=postgres$/);
    const pid = postmasterPid(cwd)!;
    expect(alive(pid)).toBe(true);
    // It outlives rasdb, and any process of its account can read its environment: no secret there.
    expect(readFileSync(`/proc/${pid}/environ`, 'utf8')).not.toContain(secret);

    const shown = await runCli(['embedded', 'url'], { cwd, env });
    expect(shown.stdout.trim()).toBe(url);
    const migrated = await runCli(['migrate', '--phase', '0'], { cwd, env });
    expect(migrated.code).toBe(0);
    const status = await runCli(['status'], { cwd, env });
    expect(status.stdout).toContain(`kept running, pid ${pid}`);
    expect(postmasterPid(cwd)).toBe(pid); // the same server, still running
    expect(psql(url, 'select count(*) from rasdb.migrations')).toMatchObject({ status: 0, stdout: '2' });
    const viaRasdb = await runCli(['psql', '--', '-XAt', '-c', 'select 1'], { cwd, env });
    expect(viaRasdb.stdout.trim()).toBe('1');
    expect(alive(pid)).toBe(true);

    const stopped = await runCli(['embedded', 'stop', '--json'], { cwd, env });
    expect(JSON.parse(stopped.stdout)).toMatchObject({ ok: true, stopped: true, pid });
    expect(alive(pid)).toBe(false);
    expect(existsSync(join(cwd, 'data', 'server.pid'))).toBe(false);
    const gone = await runCli(['embedded', 'url'], { cwd, env });
    expect(gone.code).toBe(3);
    expect(gone.stderr).toMatch(/no embedded PostgreSQL is running in .*; start one with rasdb embedded start/);
    const again = await runCli(['embedded', 'stop'], { cwd, env });
    expect(again).toMatchObject({ code: 0 });
    expect(again.stdout).toMatch(/No embedded PostgreSQL was running/);
  });

  it('two starts at once: one server, both print its URL', async () => {
    const { cwd, env } = project();
    const [a, b] = await Promise.all([
      runCli(['embedded', 'start'], { cwd, env }),
      runCli(['embedded', 'start'], { cwd, env }),
    ]);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(a.stdout).toBe(b.stdout);
    const pid = postmasterPid(cwd)!;
    expect(readFileSync(join(cwd, 'data', 'server.pid'), 'utf8').split('\n')[0]).toBe(String(pid));
    expect(psql(a.stdout.trim(), 'select 1').stdout).toBe('1');
  });

  it('a kept server killed with kill -9 leaves a stale record that no command trusts', async () => {
    const { cwd, env } = project();
    expect((await runCli(['embedded', 'start'], { cwd, env })).code).toBe(0);
    const pid = postmasterPid(cwd)!;
    process.kill(pid, 'SIGKILL');
    while (alive(pid)) await new Promise((resolve) => setTimeout(resolve, 20));

    expect((await runCli(['embedded', 'url'], { cwd, env })).code).toBe(3);
    const status = await runCli(['status'], { cwd, env });
    expect(status.code).toBe(0);
    expect(status.stdout).not.toContain('kept running');
    expect(postmasterPid(cwd)).toBeUndefined(); // a server for that one command, stopped after it
    expect(existsSync(join(cwd, 'data', 'server.pid'))).toBe(false);
    const restarted = await runCli(['embedded', 'start'], { cwd, env });
    expect(restarted.code).toBe(0);
    expect(postmasterPid(cwd)).not.toBe(pid);
  });

  it.runIf(asRoot)('other local accounts cannot use the URL of a kept server', async () => {
    const { cwd, env } = project();
    const url = (await runCli(['embedded', 'start'], { cwd, env })).stdout.trim();
    const nobody = psql(url, 'select 1', 'nobody');
    expect(nobody.status).not.toBe(0);
    expect(nobody.stderr).toMatch(/Permission denied/);
    expect(psql(url, 'select 1').stdout).toBe('1');
  });

  it.runIf(asRoot)(
    'kept by an ordinary user: runs as that user, root gets in, nobody does not, root stops it',
    async () => {
      const { cwd, env } = project();
      const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }));
      chownSync(cwd, id('-u'), id('-g'));
      const started = spawnSync(process.execPath, [BIN, 'embedded', 'start'], {
        cwd,
        env: {
          ...process.env,
          ...env,
          DATABASE_URL: undefined,
          PGHOST: undefined,
          PGDATABASE: undefined,
          NO_COLOR: '1',
        },
        uid: id('-u'),
        gid: id('-g'),
        encoding: 'utf8',
      });
      expect(started.status, started.stderr).toBe(0);
      const url = started.stdout.trim();
      const pid = postmasterPid(cwd)!;
      expect(readFileSync(`/proc/${pid}/status`, 'utf8')).toMatch(new RegExp(`^Uid:\\s+${id('-u')}\\s`, 'm'));
      expect(psql(url, 'select current_user').stdout).toBe('postgres'); // root, mapped by peer
      const nobody = psql(url, 'select 1', 'nobody');
      expect(nobody.status).not.toBe(0);
      expect(nobody.stderr).toMatch(/Permission denied/);
      const stopped = await runCli(['embedded', 'stop'], { cwd, env });
      expect(stopped.code, stopped.stderr).toBe(0);
      expect(alive(pid)).toBe(false);
    },
  );
});
