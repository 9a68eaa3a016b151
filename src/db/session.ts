import pg from 'pg';
import type { Kysely } from 'kysely';
import { kyselyOn } from './single-client-pool.js';
import { ExitCode, RasdbError, isPgServerError, option } from '../errors.js';
import { resolveConnection, type ServerTarget } from './connection-options.js';
import { embeddedFolder, startEmbedded, type EmbeddedServer } from './embedded.js';
import { redactServerText } from './redact.js';

/**
 * One connection to one database for the length of a command. Everything rasdb does in a run
 * happens on this connection, so a session advisory lock taken on it covers the whole run.
 */
export interface Session {
  readonly client: pg.Client;
  readonly db: Kysely<any>;
  /** host:port/database, safe to print. */
  readonly label: string;
  readonly embedded: boolean;
  /**
   * A second connection to the same database (the caller ends it), e.g. to watch for lock blockers.
   * A function property, not a method: it uses no `this`, so it may be passed on by itself.
   */
  readonly openSibling: () => Promise<pg.Client>;
  close(): Promise<void>;
}

export interface OpenOptions {
  databaseUrl?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** How long to wait for another run that holds the embedded data folder. */
  lockWaitMs?: number;
  connectTimeoutMs?: number;
  /** Told once when the embedded default is used, and given the embedded server's log. */
  onNotice?: (line: string) => void;
  onLog?: (line: string) => void;
}

const EMBEDDED_DATABASE = 'rasdash';

// Timestamps stay strings as the server printed them: no Date objects shifted by the local zone.
const TIMESTAMP_OIDS = [1114, 1184, 1082];
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    TIMESTAMP_OIDS.includes(oid) ? (value: string) => value : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
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
  if (choice.source !== 'embedded') {
    const client = await connect(choice.config, choice, options.connectTimeoutMs);
    const sibling = () => connect(choice.config, choice, options.connectTimeoutMs);
    return wrap(client, choice.label, false, sibling, async () => undefined);
  }
  const folder = embeddedFolder(env, options.cwd ?? process.cwd());
  options.onNotice?.(
    `Using the embedded PostgreSQL in ${folder}; set DATABASE_URL (or ${option('databaseUrl')}, or PGHOST/PGDATABASE) to use your own server.`,
  );
  const server = await startEmbedded(folder, { lockWaitMs: options.lockWaitMs ?? 60_000, log: options.onLog });
  try {
    const client = await connectEmbedded(server, options.connectTimeoutMs);
    const sibling = () => connectEmbedded(server, options.connectTimeoutMs);
    return wrap(client, server.label, true, sibling, () => server.stop());
  } catch (error) {
    await server.stop();
    throw error;
  }
}

async function connectEmbedded(server: EmbeddedServer, timeoutMs?: number): Promise<pg.Client> {
  const config = { ...server.config, database: EMBEDDED_DATABASE };
  const describe = { label: server.label, host: String(server.config.host), port: Number(config.port), database: EMBEDDED_DATABASE };
  try {
    return await connect(config, describe, timeoutMs);
  } catch (error) {
    if (!(error instanceof RasdbError) || error.details.sqlstate !== '3D000') throw error;
    const admin = await connect(server.config, describe, timeoutMs);
    try {
      await admin.query(`CREATE DATABASE ${EMBEDDED_DATABASE}`);
    } finally {
      await admin.end();
    }
    return connect(config, describe, timeoutMs);
  }
}

/** Connects, mapping every way a connection can fail to exit code 3 and one line without secrets. */
export async function connect(config: pg.ClientConfig, target: Pick<ServerTarget, 'label' | 'host' | 'port' | 'database'>, timeoutMs = 10_000): Promise<pg.Client> {
  const client = new pg.Client({ ...config, types, connectionTimeoutMillis: timeoutMs, options: '-c TimeZone=UTC' });
  // An idle connection the server drops must not crash the process with an unhandled 'error'.
  client.on('error', () => undefined);
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.end().catch(() => undefined);
    throw connectionError(error, target);
  }
}

function connectionError(error: unknown, target: Pick<ServerTarget, 'label' | 'host' | 'port' | 'database'>): RasdbError {
  const where = `${target.host}:${target.port}/${target.database}`;
  const code = (error as { code?: string }).code;
  // Worth waiting for (--wait): the server is not up or not reachable yet; not a wrong password or database.
  const notUpYet = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', '57P03'];
  const details = {
    host: target.host,
    port: target.port,
    database: target.database,
    sqlstate: isPgServerError(error) ? code : undefined,
    notUpYet: notUpYet.includes(code ?? '') || /timeout/i.test(String((error as Error)?.message)),
  };
  const say = (text: string): RasdbError => new RasdbError(ExitCode.connect, text, details, { cause: error });
  switch (code) {
    case 'ECONNREFUSED':
      return say(`cannot connect to ${where}: connection refused; check that the server is running and the host and port are right`);
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
      return say(`cannot connect to ${where}: the server refused this user (${redactServerText(firstLine((error as Error).message))})`);
    case '3D000':
      return say(`cannot connect to ${where}: database "${target.database}" does not exist; create it or fix the database name`);
    case '57P03':
      return say(`cannot connect to ${where}: the server is starting up or shutting down; try again shortly`);
    default: {
      const message = redactServerText(firstLine((error as Error)?.message ?? String(error)));
      if (/timeout/i.test(message)) return say(`cannot connect to ${where}: timed out; check the address and any firewall`);
      return say(`cannot connect to ${where}: ${message}`);
    }
  }
}

function wrap(client: pg.Client, label: string, embedded: boolean, openSibling: () => Promise<pg.Client>, afterClose: () => Promise<void>): Session {
  const db = kyselyOn(client);
  let closed = false;
  return {
    client,
    db,
    label,
    embedded,
    openSibling,
    close: async () => {
      if (closed) return;
      closed = true;
      await client.end().catch(() => undefined);
      await afterClose();
    },
  };
}

function firstLine(text: string): string {
  return text.split('\n')[0];
}
