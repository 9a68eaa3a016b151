import type pg from 'pg';
import type { TestDatabase } from './database.js';

/**
 * Waits until some session of `db` other than `except` waits for a lock: the moment a test's
 * blocker has the command under test where it wants it.
 *
 * @example
 * await untilSomeoneWaitsForALock(db, holder);
 */
export async function untilSomeoneWaitsForALock(db: TestDatabase, except: pg.Client): Promise<void> {
  const pid = (except as pg.Client & { readonly processID: number }).processID;
  for (;;) {
    const rows = await db.query(
      `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> $1`,
      [pid],
    );
    if (rows.length) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
