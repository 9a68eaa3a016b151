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

/** What runs on the scratch database: its connection, its label, and a way to open more connections to it. */
export type ScratchWork<T> = (client: pg.Client, label: string, openAnother: () => Promise<pg.Client>) => Promise<T>;

export interface ScratchOptions {
  /** A server to create the scratch database on; the embedded PostgreSQL when omitted. */
  readonly scratchUrl?: string;
  readonly connectTimeoutMs?: number;
  /** The embedded server's log, for --verbose. */
  readonly onLog?: (line: string) => void;
  /**
   * Without `scratchUrl`: the server the target is on, instead of a throwaway embedded one, so that
   * what is observed there is what that server version does (see Session.openSibling/openDatabase).
   */
  readonly besideTarget?: {
    readonly openSibling: () => Promise<pg.Client>;
    readonly openDatabase: (database: string) => Promise<{ client: pg.Client; label: string }>;
  };
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
export async function withScratchDatabase<T>(options: ScratchOptions, work: ScratchWork<T>): Promise<T> {
  if (options.scratchUrl !== undefined) return onServer(serverAt(options.scratchUrl, options), work);
  if (options.besideTarget) {
    const beside = options.besideTarget;
    return onServer(
      {
        admin: beside.openSibling,
        open: beside.openDatabase,
        refusal: `rasdb observes the migrations on a scratch database beside the target: give the user CREATEDB, or point ${option('scratchUrl')} at a server where it may`,
      },
      work,
    );
  }
  return onEmbedded(options, work);
}

/** How to reach a server to make a scratch database on: an administrative connection, and one to a named database. */
interface ScratchServer {
  readonly admin: () => Promise<pg.Client>;
  readonly open: (database: string) => Promise<{ client: pg.Client; label: string }>;
  /** What to do when CREATE DATABASE is refused. */
  readonly refusal: string;
  /** The server, for that error; host:port of the administrative connection when omitted. */
  readonly label?: string;
}

function serverAt(url: string, options: ScratchOptions): ScratchServer {
  const target = targetFromUrl(url, 'scratchUrl');
  const timeouts = { connectMs: options.connectTimeoutMs };
  return {
    admin: () => connect(target.config, target, timeouts),
    open: async (name) => ({
      client: await connect({ ...target.config, database: name }, { ...target, database: name }, timeouts),
      label: `${target.host}:${target.port}/${name}`,
    }),
    refusal: `${option('scratchUrl')} needs a user allowed to CREATE DATABASE`,
    label: target.label,
  };
}

async function onServer<T>(server: ScratchServer, work: ScratchWork<T>): Promise<T> {
  const admin = await server.admin();
  const closeAdmin = registerCleanup(() => closeClient(admin));
  const where = server.label ?? `${admin.host}:${admin.port}`;
  // Unique per run, and only ever a name this function made is dropped.
  const name = `rasdb_scratch_${process.pid}_${Date.now().toString(36)}`;
  try {
    await dropAbandoned(admin);
    const creating = createDatabase(admin, name, where, server.refusal);
    // Registered before the database exists: a signal during CREATE DATABASE still drops it after.
    const dropScratch = registerCleanup(async () => {
      await creating.catch(() => undefined);
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    });
    try {
      await creating;
      const { client, label } = await server.open(name);
      const closeScratch = registerCleanup(() => closeClient(client));
      try {
        return await work(client, label, async () => (await server.open(name)).client);
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

/** A scratch database made this long ago was left by a run that was killed outright: its clean-up never ran. */
const ABANDONED_AFTER_MS = 24 * 3600_000;
/** The names onServer makes: the run's pid, and when it was made (milliseconds since 1970, base 36). */
const SCRATCH_NAME = /^rasdb_scratch_\d+_([0-9a-z]+)$/;

/**
 * Drops the scratch databases on this server that runs killed outright (kill -9, a power cut)
 * left more than a day ago. Never one of another name, nor one made less than a day ago (a run
 * on another host may be about to connect to it); dropped without FORCE, so that one anyone is
 * connected to is refused, and kept. One this role may not drop is kept too.
 */
async function dropAbandoned(admin: pg.Client): Promise<void> {
  const { rows } = await admin.query<{ datname: string }>(
    // One with a session skipped here: DROP DATABASE would wait 5 s for it to leave before refusing.
    `SELECT d.datname FROM pg_database d
      WHERE d.datname LIKE 'rasdb\\_scratch\\_%' AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)
      ORDER BY d.datname`,
  );
  for (const { datname } of rows) {
    const made = SCRATCH_NAME.exec(datname)?.[1];
    if (made === undefined || !(Date.now() - parseInt(made, 36) > ABANDONED_AFTER_MS)) continue;
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(datname)}`);
    } catch (error) {
      // In use (55006), or not this role's (42501): left as it is.
      if (!isPgServerError(error)) throw error;
    }
  }
}

async function createDatabase(admin: pg.Client, name: string, label: string, refusal: string): Promise<void> {
  try {
    // template0: whatever someone put into template1 must not look like the migrations' work.
    await admin.query(`CREATE DATABASE ${name} TEMPLATE template0`);
  } catch (error) {
    const reason = redactServerText(isPgServerError(error) ? error.message : String(error));
    throw new RasdbError(ExitCode.connect, `cannot create a scratch database on ${label}: ${reason}; ${refusal}`);
  }
}

async function onEmbedded<T>(options: ScratchOptions, work: ScratchWork<T>): Promise<T> {
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
        return await work(client, server.label, () =>
          connect(server.config, describe, { connectMs: options.connectTimeoutMs }),
        );
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
