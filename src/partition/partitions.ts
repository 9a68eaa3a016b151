import type pg from 'pg';
import { utcText } from '../db/time-text.js';
import { futureName, legacyName, type Reading } from './bounds.js';

/** One partition of a parent, as the catalog has it. */
export interface PartitionInfo {
  name: string;
  kind: 'legacy' | 'range' | 'future' | 'default';
  /** null for the DEFAULT partition. */
  from: Reading | null;
  /** null for the DEFAULT partition and the far-future one (MAXVALUE). */
  to: Reading | null;
  rowsEstimate: number;
  bytes: number;
}

/**
 * A range bound's literal as the server printed it (in the session's DateStyle, which may be
 * `01/05/2027 00:00:00` or `01.05.2027`), read back as a timestamp in that same session and
 * printed in the one spelling bounds.ts works on. NULL for MAXVALUE and for the DEFAULT partition.
 * The pattern has no backslash, so it reads the same whatever standard_conforming_strings is.
 */
const boundSql = (side: 'FROM' | 'TO'): string =>
  utcText(`(regexp_match(pg_get_expr(c.relpartbound, c.oid), '${side} [(]''([^'']+)''[)]'))[1]::timestamp`);

/**
 * The partitions of `parent`, oldest first (the DEFAULT one first): bounds, the planner's row
 * estimate (-1 before the first ANALYZE counts as 0) and the size with indexes and TOAST.
 *
 * @example
 * (await readPartitions(client, 'api_call_logs')).map((p) => p.name) // ['api_call_logs_legacy', 'api_call_logs_p202612', ..., 'api_call_logs_future']
 */
export async function readPartitions(client: pg.Client, parent: string): Promise<PartitionInfo[]> {
  const { rows } = await client.query(
    `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT' AS is_default,
            ${boundSql('FROM')} AS from, ${boundSql('TO')} AS to,
            greatest(c.reltuples, 0)::bigint AS rows, pg_total_relation_size(c.oid) AS bytes
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = to_regclass(quote_ident($1))`,
    [parent],
  );
  const parts = rows.map((r): PartitionInfo => {
    const kind =
      r.name === legacyName(parent)
        ? 'legacy'
        : r.name === futureName(parent)
          ? 'future'
          : r.is_default
            ? 'default'
            : 'range';
    return {
      name: r.name,
      kind,
      from: r.from ?? null,
      to: r.to ?? null,
      rowsEstimate: Number(r.rows),
      bytes: Number(r.bytes),
    };
  });
  return parts.sort((a, b) => order(a.from ?? '', b.from ?? '') || order(a.name, b.name));
}

const order = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The data's clock now: `now()` read in the zone the data is written in.
 *
 * @example
 * await dataNow(client, 'America/New_York') // '2026-12-01 07:34:16'
 */
export async function dataNow(client: pg.Client, timeZone: string): Promise<Reading> {
  const { rows } = await client.query(`SELECT to_char(now() AT TIME ZONE $1, 'YYYY-MM-DD HH24:MI:SS') AS now`, [
    timeZone,
  ]);
  return rows[0].now;
}
