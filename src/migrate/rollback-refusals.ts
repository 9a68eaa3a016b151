import { ExitCode, option, RasdbError } from '../errors.js';
import type { Hold } from '../ledger/retention-holds.js';

/** A table a rollback drops, with the rows it holds. */
export interface TableRows {
  table: string;
  rows: number;
}

/**
 * Refuses (exit 4) to drop tables that hold rows, unless `force`; `stoppedAt` names the migration
 * whose transaction found rows committed after the first count.
 *
 * @example
 * refuseRows([{ table: 'alerts', rows: 2 }], false) // throws: rollback would drop tables that hold rows: alerts (2 rows); ...
 */
export function refuseRows(tables: readonly TableRows[], force: boolean | undefined, stoppedAt?: string): void {
  const nonEmpty = tables.filter((t) => t.rows > 0);
  if (!nonEmpty.length || force) return;
  const list = nonEmpty.map((t) => `${t.table} (${t.rows} ${t.rows === 1 ? 'row' : 'rows'})`).join(', ');
  const what = stoppedAt
    ? `rollback stopped before ${stoppedAt}: rows were committed after rollback counted them to tables it would drop: ${list}`
    : `rollback would drop tables that hold rows: ${list}`;
  throw new RasdbError(ExitCode.check, `${what}; back them up, then run again with ${option('force')}`, {
    tables: nonEmpty,
  });
}

/**
 * Refuses (exit 4) to drop a table under an active legal hold. A hold outranks --force: its rows
 * must survive until someone releases it.
 *
 * @example
 * refuseHeld(await activeHoldsOn(client, ['api_call_logs'])) // throws: ... hold 3 on api_call_logs ("case 17") ...
 */
export function refuseHeld(holds: readonly Hold[]): void {
  if (!holds.length) return;
  const list = holds.map((h) => `hold ${h.id} on ${h.table} (${JSON.stringify(h.reason)})`).join(', ');
  throw new RasdbError(
    ExitCode.check,
    `rollback would drop tables under an active legal hold: ${list}; it must be released first (rasdb retention hold release ${holds[0].id} --reason ...)`,
    { holds: holds.map((h) => ({ id: h.id, table: h.table, reason: h.reason })) },
  );
}
