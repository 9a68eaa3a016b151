import { connect as connectSocket } from 'node:net';
import pg from 'pg';
import { ExitCode, RasdbError, isPgServerError, option } from '../errors.js';
import { resolveConnection, type ServerTarget } from './connection-options.js';
import { embeddedFolder, startEmbedded, type EmbeddedServer } from './embedded.js';
import { EMBEDDED_DATABASE, embeddedUrl } from './embedded-kept.js';
import { redactServerText } from './redact.js';
import { registerCleanup } from './cleanup.js';
import { DEFAULT_STATEMENT_TIMEOUT_MS, guardQueries, queryDeadlineMs } from './query-deadline.js';
import { DEFAULT_LOCK_TIMEOUT_MS } from './lock-timeout.js';
import { OLDEST_SUPPORTED_MAJOR } from './server-version.js';

/**
 * One connection to one database for the length of a command. Everything rasdb does in a run
 * happens on this connection, so a session advisory lock taken on it covers the whole run.
 */
export interface Session {
  readonly client: pg.Client;
  /** host:port/database, safe to print. */
  readonly label: string;
  readonly embedded: boolean;
  /** The same database for libpq tools (psql): a URL without the password, and the password apart. */
  readonly libpq: LibpqTarget;
  /**
   * A second connection to the same database (the caller ends it), e.g. to watch for lock blockers.
   * A function property, not a method: it uses no `this`, so it may be passed on by itself.
   */
  readonly openSibling: () => Promise<pg.Client>;
  /**
   * A connection to another database of the same server, as the same user (the caller ends it):
   * a scratch database beside the target, on the very server version the target runs.
   */
  readonly openDatabase: (database: string) => Promise<{ client: pg.Client; label: string }>;
  close(): Promise<void>;
}

/** A connection as libpq's tools take it; the password goes in PGPASSWORD, never on a command line. */
export interface LibpqTarget {
  readonly url: string;
  readonly password?: string;
}

export interface OpenOptions {
  databaseUrl?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** How long to wait for another run that holds the embedded data folder. */
  lockWaitMs?: number;
  connectTimeoutMs?: number;
  /** The server-side statement_timeout the command sets: queries get it plus a margin before rasdb gives up on the server. */
  statementTimeoutMs?: number;
  /** The connection's lock_timeout (DEFAULT_LOCK_TIMEOUT_MS when omitted); a command may set its own per statement. */
  lockTimeoutMs?: number;
  /** Told once when the embedded default is used, and given the embedded server's log. */
  onNotice?: (line: string) => void;
  onLog?: (line: string) => void;
  /** Start the embedded server detached, to keep running after this run (`rasdb embedded start`). */
  keepEmbedded?: boolean;
}

// Probes start after a minute of silence: a vanished host is noticed within minutes, not hours.
const KEEPALIVE_DELAY_MS = 60_000;
// A server that answers closes its end at once; one that does not is not waited for.
const CLOSE_WAIT_MS = 3_000;

// Timestamps stay strings as the server printed them: no Date objects shifted by the local zone.
const TIMESTAMP_OIDS = [1114, 1184, 1082];
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    TIMESTAMP_OIDS.includes(oid)
      ? (value: string) => value
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/**
 * Opens the session a command works in: the configured server, or the embedded default.
 *
 * @example
 * const session = await openSession({ databaseUrl: flags.databaseUrl });
 * try { await session.db.selectFrom('users').selectAll().execute(); } finally { await session.close(); }
 */
export async function openSession(options: OpenOptions = {}): Promise<Session> {
  const env = options.env ?? process.env;
  const choice = resolveConnection({ databaseUrl: options.databaseUrl }, env);
  const timeouts = timeoutsOf(options);
  if (choice.source !== 'embedded') {
    const client = await connect(choice.config, choice, timeouts);
    const sibling = () => connect(choice.config, choice, timeouts);
    const libpq = { url: choice.libpqUrl, password: choice.config.password as string | undefined };
    const other = async (database: string) => {
      const label = `${choice.host}:${choice.port}/${database}`;
      return { client: await connect({ ...choice.config, database }, { ...choice, database }, timeouts), label };
    };
    return wrap(client, { label: choice.label, embedded: false, libpq }, sibling, other, async () => undefined);
  }
  return openEmbeddedSession(embeddedFolder(env, options.cwd ?? process.cwd()), options);
}

/**
 * The session on the embedded server of `folder`: the one kept running there, else one started
 * for this run (or, with `keepEmbedded`, started to keep running).
 *
 * @example
 * const session = await openEmbeddedSession('/srv/app/.rasdb', { keepEmbedded: true });
 */
export async function openEmbeddedSession(folder: string, options: OpenOptions = {}): Promise<Session> {
  const timeouts = timeoutsOf(options);
  // Registered before it starts: a signal while it is starting still stops it once it is up.
  const starting = startEmbedded(folder, {
    lockWaitMs: options.lockWaitMs ?? 60_000,
    log: options.onLog,
    keep: options.keepEmbedded,
  });
  const stopServer = registerCleanup(async () => (await starting.catch(() => undefined))?.stop());
  const server = await starting.catch(async (error: unknown) => {
    await stopServer();
    throw error;
  });
  // Said once the server is up: when it cannot start, the one error line names the folder itself.
  options.onNotice?.(
    `Using the embedded PostgreSQL in ${folder}; set DATABASE_URL (or ${option('databaseUrl')}, or PGHOST/PGDATABASE) to use your own server.`,
  );
  try {
    const client = await connectEmbedded(server, timeouts);
    const sibling = () => connectEmbedded(server, timeouts);
    const other = async (database: string) => {
      const describe = {
        label: server.label,
        host: String(server.config.host),
        port: Number(server.config.port),
        database,
      };
      return {
        client: await connect({ ...server.config, database }, describe, timeouts),
        label: `${server.label}, database ${database}`,
      };
    };
    const libpq = { url: embeddedUrl(String(server.config.host)) };
    return wrap(client, { label: server.label, embedded: true, libpq }, sibling, other, stopServer);
  } catch (error) {
    await stopServer();
    throw error;
  }
}

async function connectEmbedded(server: EmbeddedServer, timeouts: ConnectTimeouts): Promise<pg.Client> {
  const config = { ...server.config, database: EMBEDDED_DATABASE };
  const describe = {
    label: server.label,
    host: String(server.config.host),
    port: Number(config.port),
    database: EMBEDDED_DATABASE,
  };
  try {
    return await connect(config, describe, timeouts);
  } catch (error) {
    if (!(error instanceof RasdbError) || error.details.sqlstate !== '3D000') throw error;
    const admin = await connect(server.config, describe, timeouts);
    try {
      await admin.query(`CREATE DATABASE ${EMBEDDED_DATABASE}`).catch((created: unknown) => {
        // A kept server takes no folder lock per command: two first commands may both create it.
        const code = (created as { code?: string }).code;
        if (code !== '42P04' && code !== '23505') throw created;
      });
    } finally {
      await closeClient(admin);
    }
    return connect(config, describe, timeouts);
  }
}

function timeoutsOf(options: OpenOptions): ConnectTimeouts {
  return {
    connectMs: options.connectTimeoutMs,
    statementMs: options.statementTimeoutMs,
    lockMs: options.lockTimeoutMs,
  };
}

/** How long to wait for a server: to connect, and the statement_timeout a query's deadline is derived from. */
export interface ConnectTimeouts {
  /** 10s when omitted. */
  readonly connectMs?: number;
  /** The server-side statement_timeout; a query gets it plus a margin (see queryDeadlineMs). */
  readonly statementMs?: number;
  /** The connection's lock_timeout: DEFAULT_LOCK_TIMEOUT_MS when omitted. */
  readonly lockMs?: number;
}

/**
 * Settings a database (ALTER DATABASE ... SET) or a role may change and that change what rasdb's
 * SQL means: where an unqualified table name leads, and how values print as text (times,
 * intervals, floats, bytes, backslashes in literals). rasdb's tables live in public, where the
 * migrations make them; it reads times as text, hashes rows as text and writes literals into
 * DDL. So every connection of its own finds the same tables and speaks one dialect, whatever the
 * database says: a search_path with another schema first would send a prune, a seed or a
 * migration to that schema's tables of the same names. The data's zone is read from the
 * database's setting elsewhere (retention/time-zone.ts); the session itself works in UTC.
 */
const CANONICAL_TEXT = [
  'search_path=public',
  'TimeZone=UTC',
  'DateStyle=ISO',
  'IntervalStyle=postgres',
  'extra_float_digits=1',
  'bytea_output=hex',
  'standard_conforming_strings=on',
]
  .map((setting) => `-c ${setting}`)
  .join(' ');

/**
 * Connects, mapping every way a connection can fail to exit code 3 and one line without secrets.
 * The connection has TCP keepalives (a host that vanished is noticed) and a deadline on every
 * query (a server that stopped answering is given up on, see guardQueries).
 *
 * @example
 * const client = await connect(target.config, target, { connectMs: 5_000, statementMs: 60_000 });
 */
export async function connect(
  config: pg.ClientConfig,
  target: Pick<ServerTarget, 'label' | 'host' | 'port' | 'database'>,
  timeouts: ConnectTimeouts = {},
): Promise<pg.Client> {
  const client = new pg.Client({
    ...config,
    types,
    connectionTimeoutMillis: timeouts.connectMs ?? 10_000,
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
    // Never queue without end behind a lock someone else holds (see DEFAULT_LOCK_TIMEOUT_MS).
    // The database's own timeouts are for its application: rasdb sets the statement_timeout its
    // query deadlines are derived from, and sits idle in a transaction only as long as it chooses
    // (between lock retries); a database default of 1 ms would fail every run. Nor is it closed
    // for being idle: plan keeps the target's connection waiting while the scratch one works.
    options:
      `${CANONICAL_TEXT} -c lock_timeout=${Math.trunc(timeouts.lockMs ?? DEFAULT_LOCK_TIMEOUT_MS)}` +
      ` -c statement_timeout=${Math.trunc(timeouts.statementMs ?? DEFAULT_STATEMENT_TIMEOUT_MS)}` +
      ' -c idle_in_transaction_session_timeout=0 -c idle_session_timeout=0',
  });
  // An idle connection the server drops must not crash the process with an unhandled 'error'.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw connectionError(error, target);
  }
  guardQueries(client, `${target.host}:${target.port}/${target.database}`, queryDeadlineMs(timeouts.statementMs));
  return client;
}

/** How long a cancelled statement is given to end before the connection is closed anyway. */
const CANCEL_WAIT_MS = 3_000;

/**
 * Cancels the statement `client` is running, if any, and waits (at most CANCEL_WAIT_MS) for it
 * to end. Closing the connection alone does not stop it: the server reads the goodbye only after
 * the statement, and a migration sent with its COMMIT would commit. The cancel request is the
 * protocol's own (as libpq's PQcancel): 16 bytes on a connection of its own, carrying the
 * session's process id and secret key, no password.
 *
 * @example
 * await cancelRunning(session.client); await closeClient(session.client);
 */
export async function cancelRunning(client: pg.Client): Promise<void> {
  // pg keeps the running query internal (its public getter is deprecated).
  const internal = client as unknown as {
    _getActiveQuery?: () => object | null;
    processID: number | null;
    secretKey: number | null;
  };
  const active = internal._getActiveQuery?.();
  if (!active || internal.processID === null || internal.secretKey === null) return;
  const request = Buffer.alloc(16);
  request.writeInt32BE(16, 0);
  request.writeInt32BE(80877102, 4); // the CancelRequest code
  request.writeInt32BE(internal.processID, 8);
  request.writeInt32BE(internal.secretKey, 12);
  const host = client.host ?? 'localhost';
  const socket = host.startsWith('/')
    ? connectSocket(`${host}/.s.PGSQL.${client.port}`)
    : connectSocket(client.port, host);
  // A server already gone refuses it: nothing is left to cancel then.
  socket.on('error', () => undefined);
  socket.on('connect', () => socket.end(request));
  const started = Date.now();
  while (internal._getActiveQuery?.() === active && Date.now() - started < CANCEL_WAIT_MS)
    await new Promise((resolve) => setTimeout(resolve, 20));
  socket.destroy();
}

/**
 * Ends a connection without waiting on a server that no longer answers: a polite goodbye first,
 * then the socket is destroyed if the server has not closed it within a few seconds.
 *
 * @example
 * await closeClient(admin);
 */
export async function closeClient(client: pg.Client): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      client.connection.stream.destroy();
      resolve();
    }, CLOSE_WAIT_MS);
  });
  await Promise.race([client.end().catch(() => undefined), late]);
  clearTimeout(timer);
}

/**
 * The one line (and exit code) for a connection that could not be made: 3 for the server, the
 * network or the credentials; 4 for a server too old to know the settings every connection sets.
 *
 * @example
 * connectionError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }), target).message
 * // 'cannot connect to 127.0.0.1:5432/rasdb: connection refused; ...'
 */
export function connectionError(
  error: unknown,
  target: Pick<ServerTarget, 'label' | 'host' | 'port' | 'database'>,
): RasdbError {
  const where = `${target.host}:${target.port}/${target.database}`;
  const code = (error as { code?: string }).code;
  // Worth waiting for (--wait): the server is not up or not reachable yet; not a wrong password or database.
  const notUpYet = [
    'ECONNREFUSED',
    'ENOTFOUND',
    'EAI_AGAIN',
    'ETIMEDOUT',
    'EHOSTUNREACH',
    'ENETUNREACH',
    'ECONNRESET',
    '57P03',
  ];
  const details = {
    host: target.host,
    port: target.port,
    database: target.database,
    sqlstate: isPgServerError(error) ? code : undefined,
    notUpYet: notUpYet.includes(code ?? '') || /timeout/i.test(String((error as Error)?.message)),
  };
  const say = (text: string): RasdbError => new RasdbError(ExitCode.connect, text, details, { cause: error });
  // PostgreSQL 13 and older refuse a connection asking for idle_session_timeout (see connect).
  if (code === '42704' && /"idle_session_timeout"/.test(String((error as Error)?.message))) {
    return new RasdbError(
      ExitCode.check,
      `the server at ${where} is older than PostgreSQL 14 (it does not know idle_session_timeout); rasdb needs ${OLDEST_SUPPORTED_MAJOR} or newer`,
      { ...details, oldestSupportedMajor: OLDEST_SUPPORTED_MAJOR },
      { cause: error },
    );
  }
  // The driver's own words when a SCRAM server asks for a password rasdb was not given.
  if (
    /^SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a (non-empty )?string$/.test(
      String((error as Error)?.message),
    )
  ) {
    return say(
      `cannot connect to ${where}: the server asks for a password and none was given; put it in the URL (encoded), PGPASSWORD or a PGPASSFILE`,
    );
  }
  switch (code) {
    case 'ECONNREFUSED':
      return say(
        `cannot connect to ${where}: connection refused; check that the server is running and the host and port are right`,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return say(`cannot connect to ${where}: host "${target.host}" was not found; check the host name`);
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return say(`cannot connect to ${where}: the host did not answer; check the address and any firewall`);
    case '28P01':
      return say(`cannot connect to ${where}: password authentication failed; check the user and password`);
    case '28000':
      return say(
        `cannot connect to ${where}: the server refused this user (${redactServerText(firstLine((error as Error).message))})`,
      );
    case '3D000':
      return say(
        `cannot connect to ${where}: database "${target.database}" does not exist; create it or fix the database name`,
      );
    case '57P03':
      return say(`cannot connect to ${where}: the server is starting up or shutting down; try again shortly`);
    default: {
      const message = redactServerText(firstLine((error as Error)?.message ?? String(error)));
      if (/timeout/i.test(message))
        return say(`cannot connect to ${where}: timed out; check the address and any firewall`);
      return say(`cannot connect to ${where}: ${message}`);
    }
  }
}

function wrap(
  client: pg.Client,
  about: Pick<Session, 'label' | 'embedded' | 'libpq'>,
  openSibling: () => Promise<pg.Client>,
  openDatabase: Session['openDatabase'],
  afterClose: () => Promise<void>,
): Session {
  // Closing the connection also releases the session's advisory locks on the server.
  const close = registerCleanup(async () => {
    // Run on a signal, a statement may still be running: cancelled first, or the server would
    // finish it (and commit what it sent with it) long after rasdb said it stopped.
    await cancelRunning(client);
    await closeClient(client);
    await afterClose();
  });
  return { client, ...about, openSibling, openDatabase, close };
}

function firstLine(text: string): string {
  return text.split('\n')[0];
}
