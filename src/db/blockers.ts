import type pg from 'pg';

/** A session that held a lock a migration was waiting for. */
export interface Blocker {
  pid: number;
  applicationName: string;
  state: string | null;
  queryStart: string | null;
}

/**
 * Watches, from a second connection, which sessions block the migration connection while a
 * statement waits for a lock (`pg_blocking_pids`). It only starts polling once a statement has run
 * for `graceMs`, so a migration that takes its locks at once never opens the second connection.
 *
 * @example
 * const watch = watchBlockers(openSibling, client.processID, 500);
 * try { await runMigration(); } finally { const blockers = await watch.stop(); }
 */
export function watchBlockers(
  openSibling: () => Promise<pg.Client>,
  targetPid: number,
  graceMs: number,
  intervalMs = 200,
): { stop(): Promise<Blocker[]> } {
  const seen = new Map<number, Blocker>();
  let monitor: Promise<pg.Client> | undefined;
  let stopped = false;
  let polling: Promise<void> = Promise.resolve();

  const poll = async (): Promise<void> => {
    monitor ??= openSibling();
    const client = await monitor;
    const { rows } = await client.query(
      `SELECT a.pid, a.application_name, a.state,
              to_char(a.query_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS query_start
         FROM pg_stat_activity a WHERE a.pid = ANY(pg_blocking_pids($1))`,
      [targetPid],
    );
    for (const row of rows)
      seen.set(row.pid, {
        pid: row.pid,
        applicationName: row.application_name,
        state: row.state,
        queryStart: row.query_start,
      });
  };
  const tick = (): void => {
    if (stopped) return;
    polling = poll()
      .catch(() => undefined)
      .then(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  let timer: NodeJS.Timeout | undefined = setTimeout(tick, graceMs);

  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await polling;
      if (monitor) await (await monitor.catch(() => undefined))?.end().catch(() => undefined);
      return [...seen.values()];
    },
  };
}

/** `pid 4242 ("psql", idle in transaction since 2026-11-29T10:00:00Z)` for each blocker. */
export function describeBlockers(blockers: readonly Blocker[]): string {
  if (blockers.length === 0) return 'no blocking session was seen';
  return blockers
    .map(
      (b) =>
        `pid ${b.pid} ("${b.applicationName || 'unnamed'}", ${b.state ?? 'unknown state'}${b.queryStart ? ` since ${b.queryStart}` : ''})`,
    )
    .join(', ');
}
