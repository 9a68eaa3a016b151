import {
  boundCheckName,
  futureName,
  legacyName,
  uniqueIndexName,
  type RangePartition,
  type Reading,
} from './bounds.js';
import type { TableFacts } from './facts.js';
import { literal, quoted, stamp } from './sql-text.js';
import { identityStatement, withClause, type PartitionStorage } from './storage.js';

/**
 * How many partitions one transaction makes (the swap, and each step of maintain). Making a
 * partition locks the parent against every writer; a few more in a lock already held cost a few
 * milliseconds each, while each lock of its own stalls every writer once more, and waits in the
 * lock queue behind whatever runs on the table. Four keep such a lock within tens of milliseconds.
 */
export const PARTITIONS_PER_LOCK = 4;

/** A key of the table widened to include the time column, as the partitioned parent must have it. */
export interface WidenedKey {
  /** The parent's constraint name. */
  name: string;
  primary: boolean;
  columns: string[];
  /** What the document's DDL had. */
  original: { name: string; columns: string[]; primary: boolean };
}

/**
 * Every primary key and unique constraint, with the time column added when it lacks it (a key of a
 * partitioned table must contain the partition key). A primary key stays one only when the time
 * column is NOT NULL: a primary key would make a nullable time column NOT NULL and reject the rows
 * without a time the application writes today, so it becomes UNIQUE (id, time) instead.
 *
 * @example
 * widenedKeys('api_call_logs', 'called_at', facts)[0] // { name: 'api_call_logs_id_called_at_key', primary: false, columns: ['id', 'called_at'], ... }
 */
export function widenedKeys(table: string, timeColumn: string, facts: TableFacts): WidenedKey[] {
  return facts.keys.map((k) => {
    const columns = k.columns.includes(timeColumn) ? k.columns : [...k.columns, timeColumn];
    const primary = k.primary && !facts.timeNullable;
    return {
      name: primary ? `${table}_pkey` : uniqueIndexName(table, columns),
      primary,
      columns,
      original: { name: k.name, columns: k.columns, primary: k.primary },
    };
  });
}

/** The name an index of the adopted heap takes, freeing its old name for the parent's index. */
export const legacyIndexName = (name: string): string =>
  name.endsWith('_legacy') ? name : `${name.slice(0, 56)}_legacy`;

/** The index on the heap, built concurrently before the swap, that becomes its part of a widened key. */
export const adoptIndexName = (key: WidenedKey): string => `${key.name.slice(0, 56)}_adopt`;

/** A statement and, when the storage carries a replica identity, the one that sets it. */
const withIdentity = (create: string, name: string, storage: PartitionStorage): string[] => {
  const identity = identityStatement(quoted(name), storage);
  return identity ? [create, identity] : [create];
};

/** The statements that make range partition `p`, with the storage the adopted heap has. */
export const rangeStatements = (table: string, p: RangePartition, storage: PartitionStorage): string[] =>
  withIdentity(
    `CREATE TABLE IF NOT EXISTS ${quoted(p.name)} PARTITION OF ${quoted(table)} FOR VALUES FROM (${stamp(p.from)}) TO (${stamp(p.to)})${withClause(storage)}`,
    p.name,
    storage,
  );

/** The statements that make the far-future partition, from `from` on, with the adopted heap's storage. */
export const futureStatements = (table: string, from: Reading, storage: PartitionStorage): string[] =>
  withIdentity(
    `CREATE TABLE ${quoted(futureName(table))} PARTITION OF ${quoted(table)} FOR VALUES FROM (${stamp(from)}) TO (MAXVALUE)${withClause(storage)}`,
    futureName(table),
    storage,
  );

/**
 * The swap, in order, for one transaction that already holds ACCESS EXCLUSIVE on the table: the
 * heap is renamed to `<table>_legacy` (its indexes too), the partitioned parent is made with the
 * same columns, defaults, checks, widened keys, foreign keys, indexes, sequence ownership,
 * grants, comment and replica identity while it is empty (so none of it scans anything), the heap is attached as the DEFAULT
 * partition (no partition constraint to prove), the first partitions `ahead` (at most
 * PARTITIONS_PER_LOCK, from C on) are made, and the far-future partition takes every row after
 * them (the heap's valid CHECK (time < C) proves it holds none of those, so nothing is scanned).
 * maintain makes the rest of the partitions ahead, a few per transaction.
 *
 * @example
 * swapStatements({ table: 'api_call_logs', timeColumn: 'called_at', facts, bound: '2027-01-01 00:00:00' })[0]
 * // 'ALTER TABLE "api_call_logs" RENAME TO "api_call_logs_legacy"'
 */
export function swapStatements(input: {
  table: string;
  timeColumn: string;
  facts: TableFacts;
  /** C: the heap holds what is before it. */
  bound: Reading;
  /** The partitions made in the swap, consecutive from C; the far-future partition starts where they end. */
  ahead: readonly RangePartition[];
}): string[] {
  const { table, timeColumn, facts } = input;
  const t = quoted(table);
  const legacy = quoted(legacyName(table));
  const out = [`ALTER TABLE ${t} RENAME TO ${legacy}`];
  for (const index of facts.indexes) {
    out.push(`ALTER INDEX ${quoted(index.name)} RENAME TO ${quoted(legacyIndexName(index.name))}`);
  }
  // A partition can have one primary key only: the parent's, widened (its index was built beforehand).
  const widened = widenedKeys(table, timeColumn, facts);
  for (const key of widened) {
    if (key.primary && key.original.primary && key.columns.length > key.original.columns.length) {
      out.push(`ALTER TABLE ${legacy} DROP CONSTRAINT ${quoted(legacyIndexName(key.original.name))}`);
    }
  }
  // ATTACH matches a key of the parent only with a constraint of the partition: a bare unique
  // index is passed over and a new one built, scanning the heap under the lock. Made a constraint
  // first (metadata only: the index exists and its columns are NOT NULL where a primary key needs it).
  for (const key of widened) {
    const index = quoted(legacyIndexName(adoptIndexName(key)));
    out.push(
      `ALTER TABLE ${legacy} ADD CONSTRAINT ${index} ${key.primary ? 'PRIMARY KEY' : 'UNIQUE'} USING INDEX ${index}`,
    );
  }
  out.push(
    `CREATE TABLE ${t} (LIKE ${legacy} INCLUDING DEFAULTS INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMMENTS INCLUDING STATISTICS INCLUDING COMPRESSION) PARTITION BY RANGE (${quoted(timeColumn)})`,
  );
  for (const check of facts.checks) {
    if (check.name === boundCheckName(table)) continue;
    out.push(`ALTER TABLE ${t} ADD CONSTRAINT ${quoted(check.name)} ${check.definition}`);
  }
  for (const key of widened) {
    out.push(
      `ALTER TABLE ${t} ADD CONSTRAINT ${quoted(key.name)} ${key.primary ? 'PRIMARY KEY' : 'UNIQUE'} (${key.columns.map(quoted).join(', ')})`,
    );
  }
  for (const fk of facts.foreignKeys) out.push(`ALTER TABLE ${t} ADD CONSTRAINT ${quoted(fk.name)} ${fk.definition}`);
  for (const index of facts.indexes) {
    if (index.constraint || index.unique) continue;
    out.push(index.definition);
  }
  for (const s of facts.sequences) out.push(`ALTER SEQUENCE ${s.sequence} OWNED BY ${t}.${quoted(s.column)}`);
  for (const g of facts.grants) out.push(`GRANT ${g.privilege} ON ${t} TO ${g.grantee}`);
  if (facts.comment !== null) out.push(`COMMENT ON TABLE ${t} IS ${literal(facts.comment)}`);
  // A publication with publish_via_partition_root reads the parent's identity; the others, each partition's.
  const identity = identityStatement(t, facts.storage);
  if (identity) out.push(identity);
  out.push(`ALTER TABLE ${t} ATTACH PARTITION ${legacy} DEFAULT`);
  for (const p of input.ahead) out.push(...rangeStatements(table, p, facts.storage));
  out.push(...futureStatements(table, input.ahead.at(-1)?.to ?? input.bound, facts.storage));
  return out;
}
