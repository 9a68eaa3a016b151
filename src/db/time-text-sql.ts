import { sql, type RawBuilder } from 'kysely';

// Apart from time-text.ts, so that the commands which only read times as text load no Kysely.

/**
 * utcText as a Kysely fragment around a column or expression.
 *
 * @example
 * sql`SELECT ${utcTextOf(sql.ref('s.called_at'))} AS t FROM api_call_logs AS s`
 */
export const utcTextOf = (expression: RawBuilder<unknown>): RawBuilder<string> =>
  sql<string>`rtrim(rtrim(to_char(${expression}, 'YYYY-MM-DD HH24:MI:SS.US'), '0'), '.')`;
