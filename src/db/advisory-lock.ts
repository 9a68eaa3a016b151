import type pg from 'pg';
import { ExitCode, option, RasdbError } from '../errors.js';
import { queryBatch } from './batch.js';

/** rasdb's advisory locks use the two-key form: a fixed class and one key per kind of run. */
const LOCK_CLASS = 0x72617364; // 'rasd'
export const LockKey = { migrate: 1, retention: 2, seed: 3 } as const;

export interface LockHolder {
  pid: number;
  applicationName: string;
  clientAddress: string | null;
  since: string | null;
}

/**
 * Runs `work` while holding a session advisory lock. The lock is taken by polling
 * `pg_try_advisory_lock`, never by queueing in `pg_advisory_lock`: a waiter in the lock queue can
 * deadlock a `CREATE INDEX CONCURRENTLY` of the run that holds it. After `waitMs` the run gives up
 * with exit 5, naming the holder. The lock is released in `finally`, whatever happens.
 *
 * @example
 * await withAdvisoryLock(client, LockKey.migrate, 60_000, () => applyPending(...));
 */
export async function withAdvisoryLock<T>(
  client: pg.Client,
  key: number,
  waitMs: number,
  work: (read: Record<string, any>[][]) => Promise<T>,
  underLock: readonly string[] = [],
): Promise<T> {
  const deadline = Date.now() + waitMs;
  let delay = 50;
  let read: Record<string, any>[][];
  for (;;) {
    // `underLock`: the caller's first reads (statements without parameters), in the same round
    // trip, after the lock is taken; their rows go to `work` from the try that took it.
    const [attempt, ...rest] = underLock.length
      ? await queryBatch(client, [
          `SELECT pg_try_advisory_lock(${LOCK_CLASS}, ${Math.trunc(key)}) AS locked`,
          ...underLock,
        ])
      : [await client.query('SELECT pg_try_advisory_lock($1, $2) AS locked', [LOCK_CLASS, key])];
    read = rest.map((r) => r.rows);
    if (attempt.rows[0].locked) break;
    if (Date.now() >= deadline) {
      const holder = await lockHolder(client, key);
      const who = holder
        ? `pid ${holder.pid}, application "${holder.applicationName}", client ${holder.clientAddress ?? 'local socket'}, since ${holder.since ?? 'unknown'}`
        : 'a session that has since ended';
      throw new RasdbError(
        ExitCode.busy,
        `another rasdb run holds the lock (${who}); wait for it to finish, or raise ${option('lockWaitMs')}`,
        { holder },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(delay, Math.max(0, deadline - Date.now()))));
    delay = Math.min(delay * 2, 1000);
  }
  try {
    return await work(read);
  } finally {
    await client.query('SELECT pg_advisory_unlock($1, $2)', [LOCK_CLASS, key]).catch(() => undefined);
  }
}

/** Who holds one of rasdb's advisory locks right now, if anyone. */
async function lockHolder(client: pg.Client, key: number): Promise<LockHolder | undefined> {
  const { rows } = await client.query(
    `SELECT a.pid, a.application_name, host(a.client_addr) AS client_addr,
            to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS since
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.classid = $1::int::oid AND l.objid = $2::int::oid AND l.objsubid = 2 AND l.granted
        -- Advisory locks are per database: a run on another database of the server holds its own.
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
      LIMIT 1`,
    [LOCK_CLASS, key],
  );
  if (!rows.length) return undefined;
  return {
    pid: rows[0].pid,
    applicationName: rows[0].application_name,
    clientAddress: rows[0].client_addr,
    since: rows[0].since,
  };
}
