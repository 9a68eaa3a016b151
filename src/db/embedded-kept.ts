import { existsSync, readFileSync, realpathSync, rmSync, unlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ExitCode, RasdbError } from '../errors.js';
import { writeFileAtomic } from './atomic-file.js';
import { isAlive, lockDataFolder } from './data-folder-lock.js';
import { SOCKET_PORT, temporarySocketFolderOf } from './embedded-access.js';

/**
 * An embedded server kept running between commands (`rasdb embedded start`). The record is
 * `<folder>/server.pid`: the postmaster's pid and the socket folder. It counts only while that
 * pid is alive, is a postgres process, and is the pid PostgreSQL itself wrote in postmaster.pid;
 * anything else (a server killed with kill -9, a reused pid) is a stale record, removed by the
 * next command that holds the folder lock.
 */
export interface KeptServer {
  readonly pid: number;
  readonly socket: string;
}

/** The database rasdb's tables live in on the embedded server. */
export const EMBEDDED_DATABASE = 'rasdash';
export const EMBEDDED_USER = 'postgres';

const recordPath = (folder: string): string => join(folder, 'server.pid');

/**
 * The kept server of `folder`, if one is really running.
 *
 * @example
 * keptServer('/srv/app/.rasdb') // => { pid: 4242, socket: '/srv/app/.rasdb/socket' } or undefined
 */
export function keptServer(folder: string): KeptServer | undefined {
  let lines: string[];
  try {
    lines = readFileSync(recordPath(folder), 'utf8').split('\n');
  } catch {
    return undefined;
  }
  const pid = Number.parseInt(lines[0] ?? '', 10);
  const socket = lines[1]?.trim();
  if (!Number.isInteger(pid) || pid <= 0 || !socket || !isAlive(pid)) return undefined;
  if (postmasterPid(join(folder, 'pg')) !== pid || !isServerOf(pid, join(folder, 'pg'))) return undefined;
  return { pid, socket };
}

/** Records the kept server (written beside itself and renamed: a reader never sees half a file). */
export function recordKeptServer(folder: string, server: KeptServer): void {
  writeFileAtomic(recordPath(folder), `${server.pid}\n${server.socket}\n`);
}

/** Forgets the record (the server stopped, or the record was stale). Call under the folder lock. */
export function forgetKeptServer(folder: string): void {
  if (!existsSync(recordPath(folder))) return;
  try {
    unlinkSync(recordPath(folder));
  } catch {
    /* already gone */
  }
}

/**
 * The libpq URL of the embedded server: no host name, the socket folder as `host`, no password
 * (peer authentication). `psql "$(rasdb embedded url)"` opens it.
 *
 * @example
 * embeddedUrl('/srv/app/.rasdb/socket') // => 'postgresql:///rasdash?host=%2Fsrv%2Fapp%2F.rasdb%2Fsocket&port=5432&user=postgres'
 */
export function embeddedUrl(socket: string, database = EMBEDDED_DATABASE): string {
  const query = new URLSearchParams({ host: socket, port: String(SOCKET_PORT), user: EMBEDDED_USER });
  return `postgresql:///${encodeURIComponent(database)}?${query.toString().replaceAll('+', '%20')}`;
}

/** The pid PostgreSQL wrote in postmaster.pid, if the file is there. */
export function postmasterPid(pgdata: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(join(pgdata, 'postmaster.pid'), 'utf8').split('\n')[0], 10);
    return Number.isInteger(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether `pid` is the postmaster of `pgdata`: a postgres process working in that very folder
 * (PostgreSQL changes into its data folder). A pid file names any pid its writer likes; only this
 * makes it safe to signal. Without /proc (not Linux) the pid file is trusted.
 *
 * @example
 * isServerOf(4242, '/srv/app/.rasdb/pg') // => true for the server of that folder
 */
export function isServerOf(pid: number, pgdata: string): boolean {
  if (!existsSync('/proc/self/cwd')) return true;
  try {
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0];
    return basename(command) === 'postgres' && realpathSync(`/proc/${pid}/cwd`) === realpathSync(pgdata);
  } catch {
    return false; // gone, or another user's process this one may not look into
  }
}

/**
 * Waits until `pid` is gone, up to `ms`.
 *
 * @example
 * await waitForExit(4242, 10_000) // => true once it exited
 */
export async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && isAlive(pid)) await new Promise((r) => setTimeout(r, 50));
  return !isAlive(pid);
}

/**
 * Asks a postmaster to stop: a fast shutdown (SIGINT: sessions are ended, work is rolled back),
 * then an immediate one (SIGQUIT); true once it is gone.
 *
 * @example
 * await stopServerProcess(4242) // => true
 */
export async function stopServerProcess(pid: number): Promise<boolean> {
  for (const signal of ['SIGINT', 'SIGQUIT'] as const) {
    try {
      process.kill(pid, signal);
    } catch {
      return true; // gone already
    }
    if (await waitForExit(pid, 10_000)) return true;
  }
  return false;
}

/**
 * Stops the kept server of `folder` under the folder lock (so it never races a start), and forgets
 * it; says whether one was running. A stale record is removed either way.
 *
 * @example
 * await stopKeptServer('/srv/app/.rasdb', 60_000) // => { stopped: true, pid: 4242 }
 */
export async function stopKeptServer(folder: string, lockWaitMs: number): Promise<{ stopped: boolean; pid?: number }> {
  if (!existsSync(folder)) return { stopped: false };
  const lock = await lockDataFolder(folder, lockWaitMs);
  try {
    const kept = keptServer(folder);
    // Read before it stops: a clean shutdown removes postmaster.pid, which names the folder.
    const temporary = temporarySocketFolderOf(join(folder, 'pg'));
    if (kept && !(await stopServerProcess(kept.pid))) {
      throw new RasdbError(
        ExitCode.failed,
        `the embedded PostgreSQL (pid ${kept.pid}) in ${folder} would not stop; stop it and run again`,
      );
    }
    forgetKeptServer(folder);
    if (kept && temporary) rmSync(temporary, { recursive: true, force: true });
    return kept ? { stopped: true, pid: kept.pid } : { stopped: false };
  } finally {
    lock.release();
  }
}
