/**
 * Whether the SQL recorded from a migration's `up` (against a driver that answers every query with
 * no rows) is exactly what `up` sends to a real database, so that it may be run as recorded, all
 * of it in one round trip. It is when no statement returns rows `up` could decide on (DDL only),
 * no statement bound parameters (the record shows them inlined, for reading), and it runs in a
 * transaction (one statement's failure then leaves nothing behind).
 *
 * @example
 * runsAsRecorded({ statements: ['create table "t" ("id" serial primary key)'], parameterized: false, transactional: true }) // true
 * runsAsRecorded({ statements: ['select count(*) from "t"'], parameterized: false, transactional: true }) // false
 */
export function runsAsRecorded(recorded: {
  statements: readonly string[];
  parameterized: boolean;
  transactional: boolean;
}): boolean {
  return (
    recorded.transactional &&
    !recorded.parameterized &&
    recorded.statements.length > 0 &&
    recorded.statements.every((statement) => ROWLESS.test(statement) && !RETURNS_ROWS.test(statement))
  );
}

/** DDL, which answers with a command tag and no rows. */
const ROWLESS = /^\s*(create|alter|drop|comment|grant|revoke)\s/i;
/** DDL that can still answer with rows: `CREATE TABLE ... AS` / `CREATE ... AS SELECT`, or a RETURNING. */
const RETURNS_ROWS = /\breturning\b|\bas\s+(select|with|values|table)\b/i;
