import { createHash } from 'node:crypto';
import type { BuiltSet } from './types.js';

/**
 * SHA-256 of everything a set would write and how: its tables, their key, owned and initial
 * columns, and every row. The same seeds give the same checksum on every machine.
 *
 * @example
 * checksumOf(controlsSet()) // '9c1e…' (64 hex digits)
 */
export function checksumOf(built: BuiltSet): string {
  const hash = createHash('sha256');
  for (const table of built.tables) {
    hash.update(
      JSON.stringify([table.table, table.key, table.owned, table.initial, table.stamp ?? null, table.lookups]),
    );
    for (const row of table.rows)
      hash.update(JSON.stringify([row.key, row.values, row.parents ?? null, row.requires ?? null]) + '\n');
  }
  return hash.digest('hex');
}
