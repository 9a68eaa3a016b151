import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';

/** A PostgreSQL of a test's own, to kill, stop or fill; never the shared server. */
export interface PrivateServer {
  port: number;
  /** postgres://postgres:<password>@127.0.0.1:<port>/<database> */
  url(database?: string): string;
  start(): void;
  /** kill -9 of the postmaster: a crash, not a shutdown. */
  crash(): void;
  stop(): void;
  remove(): void;
}

const BIN = execFileSync('pg_config', ['--bindir']).toString().trim();

/**
 * A TCP port nothing listens on now, from the kernel: a port derived from the pid can collide
 * with another server of the same run.
 *
 * @example
 * const server = startPrivateServer(await freePort(), 'p@ss');
 */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
const asPostgres = (args: string[]) => execFileSync('runuser', ['-u', 'postgres', '--', ...args], { stdio: 'pipe' });

/**
 * Starts a private server on `port` with password authentication; `dataDir` (a tmpfs for a full
 * disk) must be a folder the postgres user may enter.
 *
 * @example
 * const server = startPrivateServer(55433, 'p@ss');
 */
export function startPrivateServer(port: number, password: string, dataDir?: string): PrivateServer {
  // The postgres user cannot enter a 0700 mktemp folder: the parent is opened to 755.
  const base = mkdtempSync('/tmp/rasdb-private-');
  chmodSync(base, 0o755);
  const data = dataDir ?? join(base, 'data');
  mkdirSync(data, { recursive: true });
  const pwfile = join(base, 'pw');
  writeFileSync(pwfile, password);
  execFileSync('chown', ['-R', 'postgres', base, data]);
  asPostgres([join(BIN, 'initdb'), '-D', data, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-N']);
  rmSync(pwfile);
  const options = `-p ${port} -k ${base} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=40`;
  const server: PrivateServer = {
    port,
    url: (database = 'postgres') => `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
    start: () => {
      try {
        asPostgres([join(BIN, 'pg_ctl'), '-D', data, '-w', '-l', join(base, 'log'), '-o', options, 'start']);
      } catch (error) {
        // Say why: pg_ctl only points at its log.
        const log = existsSync(join(base, 'log')) ? readFileSync(join(base, 'log'), 'utf8').slice(-2000) : '';
        throw new Error(`the private server on port ${port} did not start: ${log}`, { cause: error });
      }
    },
    crash: () => {
      const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
      // The whole server at once, as a power cut would: a backend left running its query would
      // keep the shared memory, and the restart would refuse.
      const children = childrenOf(pid);
      for (const each of [pid, ...children]) {
        try {
          process.kill(each, 'SIGKILL');
        } catch (error) {
          // A backend that ended between pgrep and here (its client went away) is what was wanted.
          if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
        }
      }
      // Until every one is gone (and reaped): a pid still there makes the restart refuse.
      const alive = () => [pid, ...children].some((each) => existsSync(`/proc/${each}`));
      for (let i = 0; i < 200 && alive(); i++) execFileSync('sleep', ['0.05']);
    },
    stop: () => void asPostgres([join(BIN, 'pg_ctl'), '-D', data, '-m', 'immediate', 'stop']),
    remove: () => {
      try {
        server.stop();
      } catch {
        // already down
      }
      if (!process.env.ADV_KEEP) rmSync(base, { recursive: true, force: true });
      if (dataDir) rmSync(join(dataDir, 'PG_VERSION'), { force: true });
    },
  };
  server.start();
  return server;
}

/** The processes `pid` started; none when pgrep finds none (it exits 1 then). */
function childrenOf(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)])
      .toString()
      .trim()
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}
