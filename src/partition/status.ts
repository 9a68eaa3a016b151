import type pg from 'pg';
import { readPartitionTables } from '../ledger/partitions.js';
import type { Reading } from './bounds.js';
import { readTableFacts } from './facts.js';
import { dataNow, readPartitions, type PartitionInfo } from './partitions.js';
import { PARTITIONABLE } from './tables.js';

/** What retention says about a table's rows: how long they are kept, what is summarized, what is held. */
export interface TableHorizon {
  keepDetail: string;
  /** Rows before this are past the policy's horizon now. */
  detailCutoff: Reading;
  /** Rows before this are summarized (undefined: the policy has no summaries; null: never summarized). */
  summarizedUntil: Reading | null | undefined;
  holds: { id: number; from: Reading | null; until: Reading | null; ids: number[] | null }[];
}

export interface PartitionStatusRow extends PartitionInfo {
  size: string;
  /** 'expires 2027-04-01 00:00:00', 'expired', 'never (no retention policy)', ... */
  expires: string;
  heldBy: string[];
}

export interface PartitionStatus {
  asOf: Reading;
  timeZone: string;
  tables: {
    table: string;
    timeColumn: string;
    interval: string;
    premake: number;
    bound: Reading | null;
    state: string;
    partitions: PartitionStatusRow[];
    deviations: string[];
  }[];
  unpartitioned: string[];
}

/**
 * Per partitioned table: each partition's bounds, estimated rows, size, when it expires and what
 * holds it back, and the deviations from the document's DDL the partitioning implies. Reads only.
 *
 * @example
 * (await partitionStatus(client, 'UTC', horizons)).tables[0].deviations[0] // 'primary key (id) is UNIQUE (id, called_at) ...'
 */
export async function partitionStatus(
  client: pg.Client,
  timeZone: string,
  horizons: ReadonlyMap<string, TableHorizon>,
): Promise<PartitionStatus> {
  const asOf = await dataNow(client, timeZone);
  const records = await readPartitionTables(client);
  const tables: PartitionStatus['tables'] = [];
  for (const r of records) {
    const horizon = horizons.get(r.table);
    const parts = await readPartitions(client, r.table);
    const partitions = parts.map((p) => ({
      ...p,
      size: `${(p.bytes / 1048576).toFixed(1)} MB`,
      expires: expiry(p, r.bound, horizon),
      heldBy: heldBy(p, r.bound, horizon),
    }));
    tables.push({
      table: r.table,
      timeColumn: r.timeColumn,
      interval: r.interval,
      premake: r.premake,
      bound: r.bound,
      state: r.state,
      partitions,
      deviations: r.state === 'partitioned' ? await deviations(client, r.table, r.timeColumn) : [],
    });
  }
  const done = new Set(records.map((r) => r.table));
  return {
    asOf,
    timeZone,
    tables,
    unpartitioned: PARTITIONABLE.map((t) => t.table).filter((t) => !done.has(t)),
  };
}

/** The upper end of what a partition can hold: its bound, the bound C for the adopted heap, none for the far future. */
export function partitionEnd(p: Pick<PartitionInfo, 'kind' | 'to'>, bound: Reading | null): Reading | null {
  if (p.kind === 'legacy') return bound;
  return p.to;
}

function expiry(p: PartitionInfo, bound: Reading | null, horizon: TableHorizon | undefined): string {
  if (!horizon) return 'never (no retention policy)';
  const end = partitionEnd(p, bound);
  if (p.kind === 'default')
    return 'never whole (a DEFAULT partition rasdb did not name; its rows are pruned row by row)';
  if (end === null) return 'never (the far-future partition)';
  const note = p.kind === 'legacy' ? ' (rows without a time stay; pruned row by row until then)' : '';
  return end <= horizon.detailCutoff ? `expired${note}` : `expires once ${end} is ${horizon.keepDetail} old${note}`;
}

function heldBy(p: PartitionInfo, bound: Reading | null, horizon: TableHorizon | undefined): string[] {
  if (!horizon) return [];
  const end = partitionEnd(p, bound);
  const out: string[] = [];
  for (const h of horizon.holds) {
    if (h.ids) out.push(`hold #${h.id} (row ids)`);
    else if (
      (h.from === null || end === null || h.from < end) &&
      (h.until === null || p.from === null || h.until > p.from)
    )
      out.push(`hold #${h.id}`);
  }
  if (
    horizon.summarizedUntil !== undefined &&
    (end === null || horizon.summarizedUntil === null || end > horizon.summarizedUntil)
  ) {
    if (end !== null && end <= horizon.detailCutoff)
      out.push(`summaries (until ${horizon.summarizedUntil ?? 'never'})`);
  }
  return out;
}

/** How the partitioned table differs from the document's DDL, from the catalog. */
async function deviations(client: pg.Client, table: string, timeColumn: string): Promise<string[]> {
  const parent = await readTableFacts(client, table, timeColumn);
  const out: string[] = [];
  for (const key of parent.keys) {
    const before = key.columns.filter((c) => c !== timeColumn);
    // The document gives every table a serial primary key on id; its other keys are UNIQUE.
    const was = before.length === 1 && before[0] === 'id' ? 'PRIMARY KEY (id)' : `UNIQUE (${before.join(', ')})`;
    const now = `${key.primary ? 'PRIMARY KEY' : 'UNIQUE'} (${key.columns.join(', ')})`;
    const why =
      was.startsWith('PRIMARY') && !key.primary
        ? `: ${timeColumn} is nullable, and a primary key would reject the rows without a time the application writes`
        : '';
    const inside = key.primary
      ? 'the adopted heap keeps no key of its own: id stays unique as its sequence hands it out'
      : `${was} still holds inside ${table}_legacy only`;
    out.push(`${was} is ${now} on the parent${why}; ${inside}`);
  }
  out.push(
    `${table} is partitioned by RANGE (${timeColumn}); ${table}_legacy (the adopted heap) is its DEFAULT partition, with CHECK (${timeColumn} < bound); ${table}_future takes every row from the last partition made ahead to MAXVALUE`,
  );
  return out;
}
