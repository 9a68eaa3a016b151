import type pg from 'pg';
import { ExitCode, RasdbError } from '../errors.js';

/**
 * The oldest PostgreSQL major rasdb runs on. The design's unique keys on nullable columns are
 * written NULLS NOT DISTINCT (the retention summaries, the performance rollups), which PostgreSQL
 * 14 rejects as a syntax error: on 14 a migrate run would stop part-way through phase 1.
 */
export const OLDEST_SUPPORTED_MAJOR = 15;

/** The newest major the test suite runs on; a newer one is allowed, with a warning. */
export const NEWEST_TESTED_MAJOR = 18;

/** What the server says it is: `server_version_num` (e.g. 150019) and `server_version` (e.g. "15.19 (Debian ...)"). */
export interface ServerVersion {
  readonly num: number;
  readonly text: string;
}

/**
 * The two settings as columns of a SELECT, for a caller that already sends a query at this point
 * and would rather not pay a round trip of its own; read them back with {@link versionOfRow}.
 *
 * @example
 * const { rows } = await client.query(`SELECT pg_is_in_recovery() AS standby, ${SERVER_VERSION_COLUMNS}`);
 * checkServerVersion(versionOfRow(rows[0]));
 */
export const SERVER_VERSION_COLUMNS =
  "current_setting('server_version_num')::int AS server_version_num, current_setting('server_version') AS server_version";

/**
 * The version out of a row that selected {@link SERVER_VERSION_COLUMNS}.
 *
 * @example
 * versionOfRow({ server_version_num: 140011, server_version: '14.11' }) // { num: 140011, text: '14.11' }
 */
export function versionOfRow(row: { server_version_num: number; server_version: string }): ServerVersion {
  return { num: Number(row.server_version_num), text: String(row.server_version) };
}

/**
 * Refuses a server older than {@link OLDEST_SUPPORTED_MAJOR} (exit code 4, nothing done yet), and
 * returns a warning line for one newer than {@link NEWEST_TESTED_MAJOR}, else undefined.
 *
 * @example
 * checkServerVersion({ num: 140011, text: '14.11' }) // throws: the server is PostgreSQL 14.11; rasdb needs 15 or newer
 * checkServerVersion({ num: 190001, text: '19.1' })  // 'rasdb: the server is PostgreSQL 19.1, newer than ...'
 */
export function checkServerVersion(version: ServerVersion): string | undefined {
  const major = Math.floor(version.num / 10_000);
  // Packagers append their own words ("15.19 (Debian 15.19-1.pgdg120+1)"): the number says it all.
  const shown = version.text.trim().split(/\s+/)[0] || String(version.num);
  if (major < OLDEST_SUPPORTED_MAJOR) {
    throw new RasdbError(
      ExitCode.check,
      `the server is PostgreSQL ${shown}; rasdb needs ${OLDEST_SUPPORTED_MAJOR} or newer`,
      {
        serverVersion: shown,
        serverVersionNum: version.num,
        oldestSupportedMajor: OLDEST_SUPPORTED_MAJOR,
      },
    );
  }
  if (major > NEWEST_TESTED_MAJOR) {
    return `rasdb: the server is PostgreSQL ${shown}, newer than ${NEWEST_TESTED_MAJOR}, the newest rasdb is tested on; carrying on`;
  }
  return undefined;
}

/**
 * Asks the server its version (one short query) and checks it: see {@link checkServerVersion}.
 *
 * @example
 * const warning = await assertSupportedServer(session.client);
 * if (warning) out.notice(warning);
 */
export async function assertSupportedServer(client: pg.Client): Promise<string | undefined> {
  const { rows } = await client.query(`SELECT ${SERVER_VERSION_COLUMNS}`);
  return checkServerVersion(versionOfRow(rows[0]));
}
