import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { BIN, runCli } from './support/cli.js';
import { freePort, startPrivateServer, type PrivateServer } from './support/password-server.js';

/**
 * An adversary's faults on a PostgreSQL of this test's own: a postmaster killed with -9 in the
 * middle of work, passwords made of every special character, server messages that quote them.
 * Whatever the moment of the crash, the run ends with one line and exit 1 (the connection was lost), and a re-run after
 * the restart converges: the ledger and the data agree.
 */
/** Fixture migrations import kysely: their folder must be where Node finds this project's packages. */
const MODULES = fileURLToPath(new URL('../node_modules/', import.meta.url));
const PASSWORD = `p@ss:/?#[]% "'\\;$\`&|<>{}Zq9xK`;
let server: PrivateServer;
const folders: string[] = [];
const made = (dir: string) => (folders.push(dir), dir);

async function query(sql: string, database = 'postgres'): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: server.url(database) });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

/** Runs rasdb, and kills the postmaster -9 as soon as one of rasdb's statements is busy on it. */
async function crashWhileBusy(args: string[], database: string): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, DATABASE_URL: server.url(database), NO_COLOR: '1' },
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const done = new Promise<number | null>((resolve) => child.on('close', resolve));
  for (let i = 0; i < 400; i++) {
    const busy = await query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() AND datname = '${database}'`,
    );
    if (Number(busy[0].n) > 0) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  server.crash();
  const code = await done;
  server.start();
  return { code, stderr };
}

beforeAll(async () => {
  server = startPrivateServer(await freePort(), PASSWORD);
});
afterAll(() => {
  server?.remove();
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

const noSecret = (text: string) => {
  expect(text).not.toContain('Zq9xK');
  expect(text).not.toContain(encodeURIComponent(PASSWORD));
};

describe('faults on a private server', () => {
  it('kill -9 of the postmaster during seed --demo: one line (exit 1, or 3 when it was still connecting), and a re-run converges', async () => {
    await query('CREATE DATABASE crash_seed');
    expect((await runCli(['migrate', '-q'], { env: { DATABASE_URL: server.url('crash_seed') } })).code).toBe(0);
    const crashed = await crashWhileBusy(
      ['seed', '--demo', '--scale', '0.3', '--seed', '7', '--as-of', '2026-05-01', '-q'],
      'crash_seed',
    );
    expect([1, 3], crashed.stderr).toContain(crashed.code);
    expect(crashed.stderr.trim().split('\n')).toHaveLength(1);
    expect(crashed.stderr).not.toMatch(/bug in rasdb|\n\s+at /);
    noSecret(crashed.stderr);
    const again = await runCli(['seed', '--demo', '--scale', '0.3', '--seed', '7', '--as-of', '2026-05-01', '-q'], {
      env: { DATABASE_URL: server.url('crash_seed') },
    });
    expect(again.code, again.stderr).toBe(0);
    const check = await runCli(['seed', '--check'], { env: { DATABASE_URL: server.url('crash_seed') } });
    expect(check.code, check.stderr).toBe(0);
  });

  it('kill -9 of the postmaster during summarize: exit 1 in one line, the re-run converges and prune agrees', async () => {
    await query('CREATE DATABASE crash_sum');
    const env = { DATABASE_URL: server.url('crash_sum') };
    expect((await runCli(['migrate', '-q'], { env })).code).toBe(0);
    await query(
      `INSERT INTO api_call_logs (method, endpoint, response_status, called_at)
       SELECT 'GET', '/a/' || g % 50, 200, now() - g * interval '37 seconds' - interval '200 days' FROM generate_series(1, 400000) g`,
      'crash_sum',
    );
    const crashed = await crashWhileBusy(['retention', 'summarize', '-q'], 'crash_sum');
    // A connection lost mid-run is exit 1 naming the database, never an internal error.
    expect(crashed.code, crashed.stderr).toBe(1);
    expect(crashed.stderr).toMatch(/^rasdb: the connection to .* was lost/);
    expect(crashed.stderr.trim().split('\n')).toHaveLength(1);
    const summarized = await runCli(['retention', 'summarize', '-q'], { env });
    expect(summarized.code, summarized.stderr).toBe(0);
    // Every summarized day counts each of its rows once: nothing lost, nothing counted twice by the re-run.
    const [agree] = await query(
      `SELECT (SELECT sum(calls) FROM api_call_daily_summary)::bigint AS summarized,
              (SELECT count(*) FROM api_call_logs WHERE called_at < (SELECT max(day) + 1 FROM api_call_daily_summary))::bigint AS rows`,
      'crash_sum',
    );
    expect(Number(agree.summarized)).toBeGreaterThan(0);
    expect(agree.summarized).toBe(agree.rows);
    const pruned = await runCli(['retention', 'prune', '-q'], { env });
    expect(pruned.code, pruned.stderr).toBe(0);
  });

  it('kill -9 of the postmaster during a migration: exit 1 in one line, nothing recorded of it, the re-run converges', async () => {
    await query('CREATE DATABASE crash_mig');
    const env = { DATABASE_URL: server.url('crash_mig') };
    const dir = made(mkdtempSync(join(MODULES, '.rasdb-adv-mig-')));
    mkdirSync(join(dir, 'phase-0-x'));
    writeFileSync(
      join(dir, 'phase-0-x', '0001-slow.js'),
      `import { sql } from 'kysely';
export async function up(db) { await sql\`CREATE TABLE adv_slow AS SELECT g FROM generate_series(1, 3000000) g\`.execute(db); }
export async function down(db) { await sql\`DROP TABLE adv_slow\`.execute(db); }\n`,
    );
    const crashed = await crashWhileBusy(['migrate', '--migrations-dir', dir, '-q'], 'crash_mig');
    expect(crashed.code, crashed.stderr).toBe(1);
    expect(crashed.stderr.trim().split('\n')).toHaveLength(1);
    expect(crashed.stderr).toMatch(/connection|server/);
    const tables = await query(`SELECT to_regclass('adv_slow') IS NOT NULL AS t`, 'crash_mig');
    expect(tables[0].t).toBe(false);
    const again = await runCli(['migrate', '--migrations-dir', dir, '-q'], { env });
    expect(again.code, again.stderr).toBe(0);
    expect(await query(`SELECT name FROM rasdb.migrations`, 'crash_mig')).toEqual([{ name: '0001-slow' }]);
    expect((await runCli(['validate', '--migrations-dir', dir], { env })).code).toBe(0);
  });

  it('a server stopped before rasdb connects: exit 3, one line, the password nowhere', async () => {
    server.stop();
    try {
      const result = await runCli(['status'], { env: { DATABASE_URL: server.url() } });
      expect(result.code).toBe(3);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/connection refused/);
      noSecret(result.stderr + result.stdout);
    } finally {
      server.start();
    }
  });
});

describe('secrets on a private server', () => {
  it('a password of every special character works in a URL and in PGPASSWORD, and is printed nowhere', async () => {
    const viaUrl = await runCli(['migrate', '--json'], { env: { DATABASE_URL: server.url() } });
    expect(viaUrl.code, viaUrl.stderr).toBe(0);
    noSecret(viaUrl.stdout + viaUrl.stderr);
    const viaPg = await runCli(['status', '-v'], {
      env: {
        PGHOST: '127.0.0.1',
        PGPORT: String(server.port),
        PGUSER: 'postgres',
        PGPASSWORD: PASSWORD,
        PGDATABASE: 'postgres',
      },
    });
    expect(viaPg.code, viaPg.stderr).toBe(0);
    noSecret(viaPg.stdout + viaPg.stderr);
  });

  it('a wrong password of special characters: exit 3, one line, neither password printed', async () => {
    const wrong = `postgres://postgres:${encodeURIComponent('w#r%o"ng;Zq8yJ')}@127.0.0.1:${server.port}/postgres`;
    const result = await runCli(['status', '-v'], { env: { DATABASE_URL: wrong } });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/password authentication failed/);
    expect(result.stderr + result.stdout).not.toMatch(/Zq8yJ|ng;/);
  });

  it('no password at all for a server that asks one: exit 3 in one line that says to give it', async () => {
    const bare = `postgres://postgres@127.0.0.1:${server.port}/postgres`;
    const result = await runCli(['status'], { env: { DATABASE_URL: bare, PGPASSFILE: '/nonexistent' } });
    expect(result.code).toBe(3);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^rasdb: cannot connect to 127\\.0\\.0\\.1:${server.port}/postgres: the server asks for a password and none was given`,
      ),
    );
    expect(result.stderr).not.toMatch(/SASL|SCRAM-SERVER|must be a string/);
  });

  it('a PGPASSFILE supplies the password and its contents are printed nowhere', async () => {
    const dir = made(mkdtempSync(join(tmpdir(), 'rasdb-adv-pass-')));
    const file = join(dir, 'pgpass');
    const escaped = PASSWORD.replace(/\\/g, '\\\\').replace(/:/g, '\\:');
    writeFileSync(file, `127.0.0.1:${server.port}:*:postgres:${escaped}\n`, { mode: 0o600 });
    const env = {
      PGHOST: '127.0.0.1',
      PGPORT: String(server.port),
      PGUSER: 'postgres',
      PGDATABASE: 'postgres',
      PGPASSFILE: file,
    };
    const result = await runCli(['status', '-v'], { env });
    expect(result.code, result.stderr).toBe(0);
    noSecret(result.stdout + result.stderr);
  });

  it('a migration whose server error quotes the password: exit 1 and the password masked', async () => {
    await query('CREATE DATABASE leak_mig');
    const dir = made(mkdtempSync(join(MODULES, '.rasdb-adv-leak-')));
    mkdirSync(join(dir, 'phase-0-x'));
    writeFileSync(
      join(dir, 'phase-0-x', '0001-quotes-secret.js'),
      `import { sql } from 'kysely';
export async function up(db) { await sql\`SELECT \${process.env.ADV_SECRET}::int\`.execute(db); }
export async function down() {}\n`,
    );
    const result = await runCli(['migrate', '--migrations-dir', dir], {
      env: { DATABASE_URL: server.url('leak_mig'), ADV_SECRET: PASSWORD },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/invalid input syntax for type integer/);
    noSecret(result.stdout + result.stderr);
  });

  it('a password that is a common word ("phase") is masked where it is the password, not in the words of the output', async () => {
    await query(`CREATE ROLE adv_phase LOGIN SUPERUSER PASSWORD 'phase'`);
    const result = await runCli(['status'], {
      env: { DATABASE_URL: `postgres://adv_phase:phase@127.0.0.1:${server.port}/postgres` },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Phase 0 \(phase-0-existing\)/m);
  });
});
