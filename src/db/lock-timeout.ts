import type pg from 'pg';
import { ExitCode, RasdbError, isPgServerError } from '../errors.js';
import { describeBlockers } from './blockers.js';

/** SQLSTATE 55P03: a statement cancelled because a lock it waited for was not granted within lock_timeout. */
export const LOCK_TIMEOUT_SQLSTATE = '55P03';

/**
 * The lock_timeout of every rasdb connection whose command sets none of its own: a read (status,
 * codegen, capacity) or a write outside a migration's own timeouts gives up on a table someone
 * else holds instead of queueing behind it, silently, for as long as they keep it.
 */
export const DEFAULT_LOCK_TIMEOUT_MS = 10_000;

/** The table locks that make others wait (SHARE and stronger), with the session that holds or queues for each. */
export interface TableLock {
  readonly relation: string;
  readonly mode: string;
  readonly granted: boolean;
  readonly pid: number;
  readonly applicationName: string;
  readonly state: string | null;
  readonly since: string | null;
}

export function isLockTimeout(error: unknown): boolean {
  return isPgServerError(error) && error.code === LOCK_TIMEOUT_SQLSTATE;
}

// Shown in the one line; the rest are counted.
const SHOWN = 3;

/**
 * The one line for a statement that gave up on a lock: which tables other sessions hold (or
 * queue for) in modes that make readers or writers wait, and who they are, read from a second
 * connection (`openSibling`) since the first may be in a failed transaction. Exit 5.
 *
 * @example
 * throw await lockTimeoutError(session.openSibling, error, 10_000, [client.processID]);
 * // waited 10 s for a table lock (lock_timeout) and gave up: api_call_logs is held ACCESS EXCLUSIVE by pid 4242 ("psql", idle in transaction since ...)
 */
export async function lockTimeoutError(
  openSibling: () => Promise<pg.Client>,
  error: unknown,
  lockTimeoutMs: number,
  ownPids: readonly number[],
  hint = 'run again once it is released',
): Promise<RasdbError> {
  const locks = await readTableLocks(openSibling, ownPids).catch(() => null);
  const seconds = lockTimeoutMs % 1000 === 0 ? `${lockTimeoutMs / 1000} s` : `${lockTimeoutMs} ms`;
  const who =
    locks === null
      ? 'the sessions holding it could not be read'
      : locks.length === 0
        ? 'it was released before its holder could be seen'
        : locks.slice(0, SHOWN).map(describeTableLock).join('; ') +
          (locks.length > SHOWN ? `; and ${locks.length - SHOWN} more` : '');
  return new RasdbError(
    ExitCode.busy,
    `waited ${seconds} for a table lock (lock_timeout) and gave up: ${who}; ${hint}`,
    { sqlstate: LOCK_TIMEOUT_SQLSTATE, lockTimeoutMs, locks: locks ?? [] },
    { cause: error },
  );
}

async function readTableLocks(openSibling: () => Promise<pg.Client>, ownPids: readonly number[]): Promise<TableLock[]> {
  const client = await openSibling();
  try {
    const { rows } = await client.query<TableLock>(
      `SELECT l.relation::regclass::text AS relation, l.mode, l.granted, l.pid, a.application_name AS "applicationName",
              a.state, to_char(a.state_change AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS since
         FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'relation' AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND l.mode IN ('ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock')
          AND l.pid <> ALL($1::int[]) AND l.pid <> pg_backend_pid()
        ORDER BY l.granted DESC, a.state_change, l.pid, 1`,
      [[...ownPids]],
    );
    return rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** `api_call_logs is held ACCESS EXCLUSIVE by pid 4242 ("psql", idle in transaction since 2026-12-02T04:00:00Z)` */
export function describeTableLock(lock: TableLock): string {
  const mode = lock.mode
    .replace(/Lock$/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toUpperCase();
  const how = lock.granted ? `is held ${mode}` : `is queued for ${mode}`;
  return `${lock.relation} ${how} by ${describeBlockers([{ ...lock, queryStart: lock.since }])}`;
}
