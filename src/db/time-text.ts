/**
 * Times travel between rasdb and the server as text in one spelling, `2026-01-31 23:59:59.5`
 * (no trailing zeros), whatever the server's DateStyle or the client's type parsers say. This is
 * the SQL that prints a TIMESTAMP (without time zone) in that spelling.
 *
 * @example
 * client.query(`SELECT ${utcText('called_at')} AS t FROM api_call_logs`) // t: '2026-01-31 23:59:59.5'
 */
export const utcText = (expression: string): string =>
  `rtrim(rtrim(to_char(${expression}, 'YYYY-MM-DD HH24:MI:SS.US'), '0'), '.')`;

/** A `timestamptz` as ISO 8601 in UTC with milliseconds: `2026-11-29T17:23:58.110Z`. */
export const isoText = (expression: string): string =>
  `to_char(${expression} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
