import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { targetFromUrl } from '../db/connection-options.js';
import { startEmbedded } from '../db/embedded.js';
import { interruptedBy, registerCleanup } from '../db/cleanup.js';
import { killChildrenNaming } from '../db/child-processes.js';
import { closeClient, connect } from '../db/session.js';
import { ExitCode, isPgServerError, option, RasdbError } from '../errors.js';
import { redactServerText } from '../db/redact.js';

export interface ScratchOptions {
  /** A server to create the scratch database on; the embedded PostgreSQL when omitted. */
  readonly scratchUrl?: string;
  readonly connectTimeoutMs?: number;
  /** The embedded server's log, for --verbose. */
  readonly onLog?: (line: string) => void;
}

/**
 * Runs `work` on an empty database that nothing else uses, and removes it afterwards whatever
 * happens. With `scratchUrl`, a database of a unique name is created on that server and dropped;
 * otherwise a throwaway embedded PostgreSQL runs in a fresh temporary folder, never the embedded
 * default's folder, which may hold the very database being checked.
 *
 * @example
 * await withScratchDatabase({ scratchUrl: 'postgres://postgres@ci-db:5432/postgres' }, (client, label) => replay(client));
 */
export async function withScratchDatabase<T>(
  options: ScratchOptions,
  work: (client: pg.Client, label: string) => Promise<T>,
): Promise<T> {
  return options.scratchUrl === undefined ? onEmbedded(options, work) : onServer(options.scratchUrl, options, work);
}

async function onServer<T>(
  url: string,
  options: ScratchOptions,
  work: (client: pg.Client, label: string) => Promise<T>,
): Promise<T> {
  const target = targetFromUrl(url, 'scratchUrl');
  const timeouts = { connectMs: options.connectTimeoutMs };
  const admin = await connect(target.config, target, timeouts);
  const closeAdmin = registerCleanup(() => closeClient(admin));
  // Unique per run, and only ever a name this function made is dropped.
  const name = `rasdb_scratch_${process.pid}_${Date.now().toString(36)}`;
  try {
    const creating = createDatabase(admin, name, target.label);
    // Registered before the database exists: a signal during CREATE DATABASE still drops it after.
    const dropScratch = registerCleanup(async () => {
      await creating.catch(() => undefined);
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    });
    try {
      await creating;
      const client = await connect({ ...target.config, database: name }, { ...target, database: name }, timeouts);
      const closeScratch = registerCleanup(() => closeClient(client));
      try {
        return await work(client, `${target.host}:${target.port}/${name}`);
      } finally {
        await closeScratch();
      }
    } finally {
      await dropScratch();
    }
  } finally {
    await closeAdmin();
  }
}

async function createDatabase(admin: pg.Client, name: string, label: string): Promise<void> {
  try {
    // template0: whatever someone put into template1 must not look like the migrations' work.
    await admin.query(`CREATE DATABASE ${name} TEMPLATE template0`);
  } catch (error) {
    const reason = redactServerText(isPgServerError(error) ? error.message : String(error));
    throw new RasdbError(
      ExitCode.connect,
      `cannot create a scratch database on ${label}: ${reason}; ${option('scratchUrl')} needs a user allowed to CREATE DATABASE`,
    );
  }
}

async function onEmbedded<T>(
  options: ScratchOptions,
  work: (client: pg.Client, label: string) => Promise<T>,
): Promise<T> {
  const folder = makeScratchFolder();
  const removeFolder = registerCleanup(() => rmSync(folder, { recursive: true, force: true }));
  try {
    // Registered before it starts: a signal while it is starting still stops it once it is up.
    const starting = startEmbedded(folder, { lockWaitMs: 0, log: options.onLog });
    let settled = false;
    void starting.then(
      () => (settled = true),
      () => (settled = true),
    );
    const stopServer = registerCleanup(async () => {
      // Interrupted while initdb builds the scratch cluster: nothing in it is worth the wait.
      if (!settled && interruptedBy()) await killChildrenNaming(join(folder, 'pg'));
      await (await starting.catch(() => undefined))?.stop();
    });
    try {
      const server = await starting;
      const describe = {
        label: server.label,
        host: String(server.config.host),
        port: Number(server.config.port),
        database: 'postgres',
      };
      const client = await connect(server.config, describe, { connectMs: options.connectTimeoutMs });
      const closeScratch = registerCleanup(() => closeClient(client));
      try {
        return await work(client, server.label);
      } finally {
        await closeScratch();
      }
    } finally {
      await stopServer();
    }
  } finally {
    await removeFolder();
  }
}

function makeScratchFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'rasdb-scratch-'));
  chmodSync(folder, 0o755); // as root the server runs as the postgres user, who must enter it
  return folder;
}
