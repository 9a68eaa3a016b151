import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { BIN, runCli, type CliResult } from './support/cli.js';
import { startPrivateServer, type PrivateServer } from './support/private-server.js';

/**
 * A server that stops answering (its backend frozen by SIGSTOP) or ends the session in the middle
 * of a run: rasdb gives up with one line and exit 1, instead of waiting forever or calling it a bug.
 * These tests stop and terminate processes of a server of their own, never the shared one.
 */
const SLOW = fileURLToPath(new URL('./fixtures/slow-migration/', import.meta.url));
// Far beyond what rasdb should need (the statement timeout plus its margin), far below forever.
const HANG_MS = 50_000;

let server: PrivateServer;
beforeAll(async () => {
  server = await startPrivateServer();
});
afterAll(() => {
  server?.stop();
});

/** Starts `rasdb migrate` on the slow fixture; resolves when it ends (or is killed as hung). */
function slowMigrate(
  database: string,
  extra: string[] = [],
): { pid: number; done: Promise<CliResult & { hung: boolean }> } {
  const env = {
    ...process.env,
    NO_COLOR: '1',
    DATABASE_URL: `postgres://postgres@127.0.0.1:${server.port}/${database}`,
  };
  const child = spawn(process.execPath, [BIN, 'migrate', '--migrations-dir', SLOW, ...extra], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  let hung = false;
  const timer = setTimeout(() => {
    hung = true;
    child.kill('SIGKILL');
  }, HANG_MS);
  const done = new Promise<CliResult & { hung: boolean }>((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, hung });
    }),
  );
  return { pid: child.pid ?? 0, done };
}

/** The pid of the backend running the fixture's pg_sleep, once it runs. */
async function sleepingBackend(database: string): Promise<number> {
  for (;;) {
    const rows = await server.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = 'rasdb' AND query ILIKE '%pg_sleep%' AND state = 'active'`,
      [database],
    );
    if (rows[0]) return rows[0].pid;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('a server that stops answering', () => {
  it('makes migrate exit 1 naming the server once the statement timeout and its margin are past', async () => {
    await server.query('CREATE DATABASE stalled');
    const run = slowMigrate('stalled', ['--statement-timeout', '2s']);
    server.freeze(await sleepingBackend('stalled'));
    const result = await run.done;
    expect(result.hung, 'rasdb was still waiting on the frozen server').toBe(false);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(`the server at 127\\.0\\.0\\.1:${server.port}/stalled did not answer within 12s`),
    );
    expect(result.stderr).not.toMatch(/internal error|bug/);
  });
});

describe('a server that stops answering a retention run', () => {
  it('makes prune exit 1 despite its own timeouts, instead of waiting forever', async () => {
    await server.query('CREATE DATABASE stalled_prune');
    const url = `postgres://postgres@127.0.0.1:${server.port}/stalled_prune`;
    const migrated = await runCli(['migrate'], { env: { DATABASE_URL: url } });
    expect(migrated.code, migrated.stderr).toBe(0);
    // A second session holds the table, so prune's backend sits waiting for the lock: frozen there.
    const holder = new pg.Client({ connectionString: url, application_name: 'holder' });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE api_call_logs IN ACCESS EXCLUSIVE MODE');
      const env = { ...process.env, NO_COLOR: '1', DATABASE_URL: url };
      const args = [
        'retention',
        'prune',
        '--policy',
        'api_call_logs',
        '--statement-timeout',
        '2s',
        '--lock-timeout',
        '1min',
        '--max-runtime',
        '5s',
      ];
      const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk) => (stderr += chunk));
      let hung = false;
      const timer = setTimeout(() => ((hung = true), child.kill('SIGKILL')), HANG_MS);
      let ended = false;
      const done = new Promise<number | null>((resolve) =>
        child.on('close', (code) => (clearTimeout(timer), (ended = true), resolve(code))),
      );
      while (!ended) {
        const rows = await server.query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity WHERE datname = 'stalled_prune' AND application_name LIKE 'rasdb%' AND wait_event_type = 'Lock'`,
        );
        if (rows[0]) {
          server.freeze(rows[0].pid);
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const code = await done;
      expect(server.frozenCount(), `prune ended before its backend waited for the lock: ${stderr}`).toBeGreaterThan(0);
      expect(hung, 'rasdb was still waiting on the frozen server').toBe(false);
      expect(code, stderr).toBe(1);
      expect(stderr).toMatch(/stalled_prune did not answer within 12s/);
    } finally {
      await holder.end();
    }
  });
});

describe('a connection lost in the middle of a run', () => {
  it('is one line naming the database, exit 1, when the backend is terminated', async () => {
    await server.query('CREATE DATABASE terminated');
    const run = slowMigrate('terminated');
    const pid = await sleepingBackend('terminated');
    await server.query('SELECT pg_terminate_backend($1)', [pid]);
    const result = await run.done;
    expect(result.hung).toBe(false);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`the connection to 127\\.0\\.0\\.1:${server.port}/terminated was lost`));
    expect(result.stderr).not.toMatch(/internal error|bug|SQLSTATE/);
  });
});
