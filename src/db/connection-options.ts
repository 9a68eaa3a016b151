import { isIPv6 } from 'node:net';
import { parse } from 'pg-connection-string';
import type { ClientConfig } from 'pg';
import { option, usageError } from '../errors.js';
import { fileSystemReason, isSystemError } from './file-system-error.js';
import { registerSecret } from './redact.js';

/** Where a database comes from: the first four in the order rasdb looks for one; scratchUrl is verify's scratch server. */
export type ConnectionSource = 'databaseUrl' | 'DATABASE_URL' | 'PG* environment' | 'embedded' | 'scratchUrl';

/** A server to connect to, plus the parts of it that are safe to print. */
export interface ServerTarget {
  readonly source: Exclude<ConnectionSource, 'embedded'>;
  readonly config: ClientConfig;
  /** host:port/database as user: never the password. */
  readonly label: string;
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  /** The same server as a libpq URL without the password (for psql; the password goes in PGPASSWORD). */
  readonly libpqUrl: string;
}

export type ConnectionChoice = ServerTarget | { readonly source: 'embedded' };

const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full', 'no-verify'];

/**
 * Decides which database a command talks to: `--database-url`, then `DATABASE_URL`, then libpq's
 * PG* variables (when PGHOST or PGDATABASE is set), else the embedded server. Flags win over the
 * environment, which wins over the default.
 *
 * @example
 * resolveConnection({ databaseUrl: undefined }, process.env) // => { source: 'embedded' } on a bare machine
 */
export function resolveConnection(flags: { databaseUrl?: string }, env: NodeJS.ProcessEnv): ConnectionChoice {
  if (flags.databaseUrl !== undefined) return targetFromUrl(flags.databaseUrl, 'databaseUrl');
  // Set but empty is a mistake (a secret that did not reach the job), never "use the embedded server":
  // a cron job would prune a throwaway database and report success.
  for (const name of ['DATABASE_URL', 'PGHOST', 'PGDATABASE', 'PGPORT']) {
    if (env[name] !== undefined && env[name].trim() === '') {
      throw usageError(`${name} is set but empty; set it, or unset it to use the embedded PostgreSQL`);
    }
  }
  if (env.DATABASE_URL) return targetFromUrl(env.DATABASE_URL, 'DATABASE_URL');
  if (env.PGHOST || env.PGDATABASE) return targetFromPgEnv(env);
  // The same for the embedded server's folder: empty would put a new, empty database in ./.rasdb.
  if (env.RASDB_DATA_DIR !== undefined && env.RASDB_DATA_DIR.trim() === '') {
    throw usageError(
      'RASDB_DATA_DIR is set but empty; set it to a folder, or unset it to keep the embedded PostgreSQL in ./.rasdb',
    );
  }
  return { source: 'embedded' };
}

/** Builds a target from a postgres:// URL; sslmode follows libpq's meaning of each mode. */
export function targetFromUrl(url: string, source: ServerTarget['source']): ServerTarget {
  const named = source === 'databaseUrl' || source === 'scratchUrl' ? option(source) : source;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw usageError(`${named} is not a valid URL; expected postgres://user@host:5432/database`);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw usageError(`${named} must start with postgres:// or postgresql://, not ${parsed.protocol}//`);
  }
  // A URL mistyped around its password puts the password where no one registers it as a secret:
  // `postgres:/me:pw@h/db` has no host at all, and `postgres://me:12/pw@h/db` makes host "me"
  // and a database "pw@h/db", which a connection error would print. Both are refused unread.
  if (!/^postgres(?:ql)?:\/\//i.test(url)) {
    throw usageError(`${named} must start with postgres:// or postgresql:// (two slashes)`);
  }
  if (hasAtAfterHost(parsed)) {
    throw usageError(
      `${named} has an @ after the host: write a password's / ? # @ as %2F %3F %23 %40 (postgres://user:password@host:5432/database)`,
    );
  }
  if (parsed.password) registerSecret(safeDecode(parsed.password));
  const sslmode = parsed.searchParams.get('sslmode');
  if (sslmode !== null && !SSL_MODES.includes(sslmode)) {
    throw usageError(`${named}: sslmode must be one of ${SSL_MODES.join(', ')}, got "${sslmode}"`);
  }
  let options: ReturnType<typeof parse>;
  try {
    options = parse(url, { useLibpqCompat: true });
  } catch (error) {
    // The parser reads sslrootcert, sslcert and sslkey itself: a file it cannot read is named plainly.
    if (isSystemError(error) && error.path !== undefined) {
      throw usageError(`${named}: cannot read ${error.path}: ${fileSystemReason(error)}`);
    }
    throw usageError(`${named}: ${firstLine((error as Error).message)}`);
  }
  registerSecret(options.password);
  const port = options.port ? Number(options.port) : 5432;
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw usageError(`${named} has an invalid port "${options.port}"`);
  const host = options.host || 'localhost';
  const user = options.user || process.env.PGUSER || osUser();
  const database = options.database || user;
  const config: ClientConfig = {
    host,
    port,
    user,
    database,
    password: options.password || undefined,
    ssl: options.ssl as ClientConfig['ssl'],
    application_name: options.application_name ?? 'rasdb',
  };
  // psql gets the password in PGPASSWORD, never on its command line, where `ps` shows it to all.
  const bare = new URL(url);
  bare.password = '';
  bare.searchParams.delete('password');
  const label = `${host}:${port}/${database} as ${user}`;
  return { source, config, host, port, database, user, label, libpqUrl: bare.toString() };
}

/** An @ in the path, the fragment or the first query key: the end of a user:password the parser cut short. */
function hasAtAfterHost(parsed: URL): boolean {
  const firstKey = parsed.search.slice(1).split(/[=&]/, 1)[0];
  return parsed.pathname.includes('@') || parsed.hash.includes('@') || firstKey.includes('@');
}

function targetFromPgEnv(env: NodeJS.ProcessEnv): ServerTarget {
  const url = new URL('postgres://localhost');
  const host = env.PGHOST && !env.PGHOST.startsWith('/') ? env.PGHOST : undefined;
  if (host?.includes(',')) {
    throw usageError(`PGHOST lists several hosts ("${host}"); rasdb connects to one: set PGHOST to that host`);
  }
  // URL's setters ignore what they cannot take: a PGHOST of "db:6000" or a PGPORT of 99999 would
  // leave localhost:5432 in place, and rasdb would quietly work on another server.
  if (host) url.hostname = isIPv6(host) ? `[${host}]` : host;
  if (env.PGPORT) {
    const port = /^\d{1,5}$/.test(env.PGPORT) ? Number(env.PGPORT) : NaN;
    if (!(port >= 1 && port <= 65535)) {
      throw usageError(`PGPORT must be a port number from 1 to 65535, got "${env.PGPORT}"`);
    }
    url.port = String(port);
  }
  if (env.PGUSER) url.username = encodeURIComponent(env.PGUSER);
  if (env.PGPASSWORD) {
    registerSecret(env.PGPASSWORD);
    url.password = encodeURIComponent(env.PGPASSWORD);
  }
  if (env.PGDATABASE) url.pathname = `/${encodeURIComponent(env.PGDATABASE)}`;
  if (env.PGSSLMODE) url.searchParams.set('sslmode', env.PGSSLMODE);
  const target = targetFromUrl(url.toString(), 'PG* environment');
  if (host !== undefined && target.host !== host) {
    throw usageError(
      `PGHOST "${host}" is not a host name or address (a port goes in PGPORT, a socket folder starts with /)`,
    );
  }
  // A PGHOST that names a socket directory is passed through as libpq would.
  if (env.PGHOST?.startsWith('/')) {
    const label = `${env.PGHOST}:${target.port}/${target.database} as ${target.user}`;
    const libpq = new URL(target.libpqUrl);
    libpq.searchParams.set('host', env.PGHOST);
    const libpqUrl = libpq.toString();
    return { ...target, host: env.PGHOST, label, libpqUrl, config: { ...target.config, host: env.PGHOST } };
  }
  return target;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function firstLine(text: string): string {
  return text.split('\n')[0];
}

function osUser(): string {
  return process.env.USER || 'postgres';
}
