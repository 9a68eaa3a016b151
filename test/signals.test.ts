import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli, type CliResult } from './support/cli.js';
import { adminQuery, adminUrl, createTestDatabase, type TestDatabase } from './support/database.js';

/**
 * Ctrl-C (SIGINT) or a service manager's SIGTERM in the middle of `verify` removes what the run
 * created (the scratch database, or the throwaway embedded server and its temporary folder) and
 * exits 130 or 143. The live database has the slow fixture applied in no time; its replay on the
 * scratch database sleeps, so the signal always lands while the scratch exists.
 */
const SLOW = fileURLToPath(new URL('./fixtures/slow-migration/', import.meta.url));
const HANG_MS = 60_000;
let db: TestDatabase;
let temp: string;

beforeAll(async () => {
  db = await createTestDatabase('signals');
  const applied = await runCli(['migrate', '--migrations-dir', SLOW], {
    env: { DATABASE_URL: db.url, FIXTURE_SLEEP_SECONDS: '0' },
  });
  expect(applied.code, applied.stderr).toBe(0);
  // The child's temporary folders go here, apart from every other run's; the postgres user must enter it.
  temp = mkdtempSync('/var/tmp/rasdb-signals-');
  chmodSync(temp, 0o755);
});
afterAll(async () => {
  rmSync(temp, { recursive: true, force: true });
  await db.drop();
});

/** A run of rasdb to interrupt: its pid, a way to signal it, and its result (killed as hung after HANG_MS). */
interface Interruptible {
  pid: number;
  kill: (signal: NodeJS.Signals) => void;
  done: Promise<CliResult>;
}

function verify(args: string[]): Interruptible {
  return start(['verify', '--migrations-dir', SLOW, ...args], {
    ...process.env,
    NO_COLOR: '1',
    DATABASE_URL: db.url,
    TMPDIR: temp,
  });
}

/** migrate of the slow fixture, with `env` as the whole environment. */
function migrateSlowly(env: NodeJS.ProcessEnv): Interruptible {
  return start(['migrate', '--migrations-dir', SLOW], env);
}

function start(args: string[], env: NodeJS.ProcessEnv): Interruptible {
  const child = spawn(process.execPath, [BIN, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), HANG_MS);
  const done = new Promise<CliResult>((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
  return { pid: child.pid ?? 0, kill: (signal) => child.kill(signal), done };
}

async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 50));
}

/** Processes whose command line names `text`: a server left running on a scratch folder. */
function processesNaming(text: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text);
      } catch {
        return false;
      }
    })
    .map(Number);
}

const sleeping = (database: string) => async () =>
  (await adminQuery(`SELECT 1 FROM pg_stat_activity WHERE datname LIKE $1 AND query ILIKE '%pg_sleep%'`, [database]))
    .length > 0;

describe('an interrupted verify', () => {
  it('with an embedded scratch server, on SIGINT: stops it, removes its folder, exits 130', async () => {
    const run = verify([]);
    let folder = '';
    await until(() => {
      const found = readdirSync(temp).find((name) => name.startsWith('rasdb-scratch-'));
      folder = found ? join(temp, found) : '';
      // initdb's bootstrap backend writes a postmaster.pid too, with its pid negated.
      const pidFile = join(folder, 'pg', 'postmaster.pid');
      return folder !== '' && existsSync(pidFile) && Number(readFileSync(pidFile, 'utf8').split('\n')[0]) > 0;
    });
    // Once the replay runs on it: the scratch server is up and in use.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    run.kill('SIGINT');
    const result = await run.done;
    expect(result.code, result.stderr).toBe(130);
    expect(result.stderr).toMatch(/interrupted by SIGINT/);
    expect(result.stderr).not.toMatch(/internal error|bug/);
    expect(existsSync(folder), `${folder} was left behind`).toBe(false);
    expect(processesNaming(folder)).toEqual([]);
  });

  it('while initdb creates its embedded scratch server, on SIGINT: ends initdb, removes its folder and password file, exits 130', async () => {
    const before = new Set(readdirSync(temp));
    const run = verify([]);
    let folder = '';
    await until(() => {
      const found = readdirSync(temp).find((name) => name.startsWith('rasdb-scratch-') && !before.has(name));
      folder = found ? join(temp, found) : '';
      return (
        folder !== '' &&
        processesNaming(folder).some((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('initdb'))
      );
    });
    run.kill('SIGINT');
    const result = await run.done;
    expect(result.code, result.stderr).toBe(130);
    expect(result.stderr).toMatch(/interrupted by SIGINT/);
    expect(processesNaming(folder)).toEqual([]);
    expect(existsSync(folder), `${folder} was left behind`).toBe(false);
    expect(readdirSync(temp).filter((name) => !before.has(name))).toEqual([]);
  });

  it('with --scratch-url, on SIGTERM: drops the scratch database, exits 143', async () => {
    const run = verify(['--scratch-url', adminUrl()]);
    const pattern = `rasdb_scratch_${run.pid}_%`;
    await until(sleeping(pattern));
    run.kill('SIGTERM');
    const result = await run.done;
    expect(result.code, result.stderr).toBe(143);
    expect(result.stderr).toMatch(/interrupted by SIGTERM/);
    expect(await adminQuery(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [pattern])).toEqual([]);
  });

  it('of migrate on the embedded default, on SIGTERM: stops the embedded server, frees its folder, exits 143', async () => {
    const data = join(temp, 'embedded-default');
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', RASDB_DATA_DIR: data, TMPDIR: temp };
    for (const name of ['DATABASE_URL', 'PGHOST', 'PGDATABASE']) delete env[name];
    const run = migrateSlowly(env);
    await until(() => existsSync(join(data, 'pg', 'postmaster.pid')));
    // Once the migration sleeps on it: the server is up and the session holds the run's lock.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    run.kill('SIGTERM');
    const result = await run.done;
    expect(result.code, result.stderr).toBe(143);
    expect(existsSync(join(data, 'pg', 'postmaster.pid')), 'the embedded server is still running').toBe(false);
    expect(existsSync(join(data, 'rasdb.lock')), 'the data folder is still locked').toBe(false);
    expect(processesNaming(join(data, 'pg'))).toEqual([]);
  });
});

describe('an interrupted migrate on a configured server', () => {
  it('on SIGINT: cancels the statement the server is running, leaves no session behind, records nothing, exits 130', async () => {
    const target = await createTestDatabase('signals_migrate');
    try {
      const env = { ...process.env, NO_COLOR: '1', DATABASE_URL: target.url, FIXTURE_SLEEP_SECONDS: '60' };
      const run = migrateSlowly(env);
      await until(sleeping(target.name));
      run.kill('SIGINT');
      const result = await run.done;
      expect(result.code, result.stderr).toBe(130);
      // The server must not go on running the migration (and commit it) for the sleep's minute.
      const left = await adminQuery(
        `SELECT pid, state, query FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
        [target.name],
      );
      expect(left).toEqual([]);
      const [{ applied }] = await target.query(
        `SELECT count(*)::int AS applied FROM rasdb.migrations WHERE name LIKE '%sleeps%'`,
      );
      expect(applied).toBe(0);
    } finally {
      await target.drop();
    }
  });
});
