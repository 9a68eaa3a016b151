import type pg from 'pg';
import { DEMO_TABLES } from './demo.js';

/** The controls columns the demo sets; the rest of controls_extended is the reference seed's. */
const CONTROL_COLUMNS =
  'framework, control_id, implementation_status, assessment_status, automation_level, last_assessment_date, next_assessment_date';

/**
 * An MD5 per demo table over every row, in id order, as PostgreSQL prints it: two databases loaded
 * with the same seed, scale and as-of day give the same digests. For controls_extended only the
 * columns the demo sets count (the reference seed stamps created_at with the time it ran).
 *
 * @example
 * expect(await demoDigest(a)).toEqual(await demoDigest(b));
 */
export async function demoDigest(client: pg.Client): Promise<Record<string, string>> {
  const parts = [
    ...DEMO_TABLES.map(
      (table) =>
        `SELECT '${table}' AS t, count(*) AS n, md5(string_agg(r::text, E'\\n' ORDER BY r.id)) AS d FROM ${table} r`,
    ),
    `SELECT 'users', count(*), md5(string_agg(r::text, E'\\n' ORDER BY r.id)) FROM users r WHERE username LIKE 'demo.%'`,
    `SELECT 'controls_extended', count(*), md5(string_agg((${CONTROL_COLUMNS})::text, E'\\n' ORDER BY framework, control_id)) FROM controls_extended`,
  ];
  const { rows } = await client.query(parts.join(' UNION ALL '));
  return Object.fromEntries(rows.map((row) => [row.t, `${row.n}:${row.d}`]));
}
