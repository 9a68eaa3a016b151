import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../../generated/db.js';
import type { TableName } from '../types.js';

/**
 * Inserts JSON rows in one statement, in array order (so serial ids repeat on every fresh
 * database). Columns are those the rows name; PostgreSQL casts each value to its column's type.
 *
 * @example
 * await insertRows(db, 'ingestion_assets', [{ asset_uuid: '…', hostname: 'archie' }]) // 1
 */
export async function insertRows(
  db: Kysely<DB>,
  table: TableName,
  rows: readonly Record<string, unknown>[],
): Promise<number> {
  if (rows.length === 0) return 0;
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const result = await sql`
    INSERT INTO ${sql.table(table)} (${sql.join(columns.map((c) => sql.ref(c)))})
    SELECT ${sql.join(columns.map((c) => sql.ref(`r.${c}`)))}
      FROM jsonb_populate_recordset(NULL::${sql.table(table)}, ${JSON.stringify(rows)}::jsonb) AS r`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/**
 * The UUID the SQL generator gives (kind, seed, index): `md5('kind:seed:index')` read as a UUID.
 *
 * @example
 * demoUuid('batch', 1, 'assets') // same as SQL md5('batch:1:' || 'assets')::uuid
 */
export function demoUuid(kind: string, seed: number, index: string | number): string {
  const hex = createHash('md5').update(`${kind}:${seed}:${index}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A small deterministic generator (mulberry32) for the few rows built in TypeScript. */
export function prng(seed: number, salt: string): () => number {
  let state = (seed ^ Number.parseInt(createHash('md5').update(salt).digest('hex').slice(0, 8), 16)) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `YYYY-MM-DD HH:MM:SS` of `asOf` (a UTC day) moved by `days`; the form TIMESTAMP columns take. */
export function shiftDay(asOf: string, days: number): string {
  return new Date(Date.parse(`${asOf}T00:00:00Z`) + Math.round(days * 86_400_000))
    .toISOString()
    .replace('T', ' ')
    .slice(0, 19);
}
