import type pg from 'pg';
import { isoText } from '../db/time-text.js';
import { actor } from './actor.js';

/** Rows inserted, updated, unchanged and kept, per table. */
export interface TableCounts {
  inserted: number;
  updated: number;
  unchanged: number;
  kept: number;
}

/** A seed set as the ledger records it (rasdb.seed_sets). */
export interface SeedSetRecord {
  name: string;
  checksum: string;
  appliedAt: string;
  appliedBy: string;
  rasdbVersion: string;
  durationMs: number;
  counts: Record<string, TableCounts>;
}

/** Whether this database's ledger has the seed tables (a ledger upgrade adds them). Reads only. */
export async function seedLedgerPresent(client: pg.Client): Promise<boolean> {
  const { rows } = await client.query(`SELECT to_regclass('rasdb.seed_sets') IS NOT NULL AS present`);
  return rows[0].present;
}

/**
 * The seed sets applied to this database, by name; empty when there is no ledger. Reads only.
 *
 * @example
 * (await readSeedSets(client)).map((s) => `${s.name} ${s.checksum.slice(0, 12)} ${s.appliedAt}`)
 */
export async function readSeedSets(client: pg.Client): Promise<SeedSetRecord[]> {
  if (!(await seedLedgerPresent(client))) return [];
  const { rows } = await client.query(
    `SELECT set_name, checksum, ${isoText('applied_at')} AS applied_at,
            applied_by, rasdb_version, duration_ms, counts
       FROM rasdb.seed_sets ORDER BY set_name`,
  );
  return rows.map((row) => ({
    name: row.set_name,
    checksum: row.checksum,
    appliedAt: row.applied_at,
    appliedBy: row.applied_by,
    rasdbVersion: row.rasdb_version,
    durationMs: row.duration_ms,
    counts: row.counts,
  }));
}

/** Records that a set was applied: its checksum, the time, who, and what it did to each table. */
export async function recordSeedSet(
  client: pg.Client,
  entry: { name: string; checksum: string; durationMs: number; counts: Record<string, TableCounts> },
  rasdbVersion: string,
): Promise<void> {
  await client.query(
    `INSERT INTO rasdb.seed_sets (set_name, checksum, applied_by, rasdb_version, duration_ms, counts)
     VALUES ($1, $2, current_user || ' (' || $3 || ')', $4, $5, $6)
     ON CONFLICT (set_name) DO UPDATE SET checksum = excluded.checksum, applied_at = now(), applied_by = excluded.applied_by,
       rasdb_version = excluded.rasdb_version, duration_ms = excluded.duration_ms, counts = excluded.counts`,
    [entry.name, entry.checksum, actor(), rasdbVersion, entry.durationMs, JSON.stringify(entry.counts)],
  );
}
