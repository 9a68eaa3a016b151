import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';

/** A PostgreSQL server of a test's own, for tests that stop, kill or cut off the server. */
export interface PrivateServer {
  /** postgres://postgres@127.0.0.1:port/postgres */
  readonly url: string;
  readonly port: number;
  query<T extends pg.QueryResultRow = any>(text: string, values?: unknown[]): Promise<T[]>;
  /** SIGSTOPs one of its processes (a backend); stop() resumes it. */
  freeze(pid: number): void;
  /** How many processes freeze() has stopped. */
  frozenCount(): number;
  /** Stops the server at once and removes its folder. */
  stop(): void;
}

const BIN = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
const asPostgres = (command: string, args: string[]): string =>
  execFileSync('runuser', ['-u', 'postgres', '--', join(BIN, command), ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });

/**
 * Starts a throwaway PostgreSQL (the machine's binaries, as the postgres OS user) on a free port,
 * in a folder the postgres user can enter. Never the shared server: a test may SIGSTOP this one.
 *
 * @example
 * const server = await startPrivateServer(); try { ... } finally { server.stop(); }
 */
export async function startPrivateServer(): Promise<PrivateServer> {
  const root = mkdtempSync('/var/tmp/rasdb-private-pg-');
  chmodSync(root, 0o755);
  const data = join(root, 'data');
  mkdirSync(data, { mode: 0o700 });
  execFileSync('chown', ['postgres:postgres', data]);
  const port = await freePort();
  asPostgres('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  const flags = `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${data} -c fsync=off`;
  asPostgres('pg_ctl', ['-D', data, '-o', flags, '-l', join(data, 'log'), '-w', 'start']);
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const frozen = new Set<number>();
  return {
    url,
    port,
    query: async (text, values) => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return (await client.query(text, values)).rows;
      } finally {
        await client.end();
      }
    },
    frozenCount: () => frozen.size,
    freeze: (pid) => {
      frozen.add(pid);
      process.kill(pid, 'SIGSTOP');
    },
    stop: () => {
      // A stopped backend would keep the shutdown waiting: wake each one first.
      for (const pid of frozen) {
        try {
          process.kill(pid, 'SIGCONT');
        } catch {
          // already gone
        }
      }
      try {
        asPostgres('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
