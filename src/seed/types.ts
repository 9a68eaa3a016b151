import type { Insertable } from 'kysely';
import type { DB } from '../../generated/db.js';

export type TableName = Extract<keyof DB, string>;
export type ColumnOf<T extends TableName> = keyof DB[T] & string;

/** A foreign key given by the parent's natural key; resolved to the parent's id before planning. */
export interface ParentLookup {
  readonly table: TableName;
  /** The parent's natural-key columns, in the order the row's `parents` values are given. */
  readonly key: readonly string[];
}

/**
 * One row a seed owns: its natural key as text, and the values it writes. Foreign-key columns `K`
 * are not given as values but as the parent's natural key, in `parents`.
 */
export interface SeedRow<T extends TableName, K extends ColumnOf<T> = never> {
  /** The natural key as text, e.g. `nist_800_53/AC-2(1)`; the ledger tracks the row by it. */
  readonly key: string;
  readonly values: Omit<Insertable<DB[T]>, K>;
  /** Foreign keys by the parent's natural key, e.g. `{ external_system_id: ['Tenable Vulnerability Management'] }`. */
  readonly parents?: Readonly<Record<K, readonly string[]>>;
  /** Tables the row is useless without (a metric's data sources): it waits until they are migrated. */
  readonly requires?: readonly string[];
}

/**
 * How a seed treats one table. `key` columns find the row; `owned` columns are the seed's: compared
 * on every run, and updated when the seed changes them and nobody else has; `initial` columns are
 * written once, when the row is created, and belong to the operator from then on.
 */
export interface SeedTable<T extends TableName, K extends ColumnOf<T> = never> {
  readonly table: T;
  readonly key: readonly ColumnOf<T>[];
  readonly owned: readonly ColumnOf<T>[];
  readonly initial?: readonly ColumnOf<T>[];
  /** The column an update also sets to the current UTC time, if the table has one. */
  readonly stamp?: ColumnOf<T>;
  readonly lookups?: Readonly<Record<K, ParentLookup>>;
  readonly rows: readonly SeedRow<T, K>[];
}

/** A SeedTable with its table's types checked and then erased, so that sets can list mixed tables. */
export interface AnySeedTable {
  readonly table: TableName;
  readonly key: readonly string[];
  readonly owned: readonly string[];
  readonly initial: readonly string[];
  readonly stamp?: string;
  readonly lookups: Readonly<Record<string, ParentLookup>>;
  readonly rows: readonly {
    readonly key: string;
    readonly values: Readonly<Record<string, unknown>>;
    readonly parents?: Readonly<Record<string, readonly string[]>>;
    readonly requires?: readonly string[];
  }[];
}

/**
 * Type-checks a table's rows against the generated `DB` types and returns it in the erased form.
 *
 * @example
 * defineTable({ table: 'workflows', key: ['workflow_name'], owned: ['workflow_type'], rows: [{ key: 'x', values: {...} }] })
 */
export function defineTable<T extends TableName, K extends ColumnOf<T> = never>(spec: SeedTable<T, K>): AnySeedTable {
  return {
    table: spec.table,
    key: spec.key,
    owned: spec.owned,
    initial: spec.initial ?? [],
    stamp: spec.stamp,
    lookups: spec.lookups ?? {},
    rows: spec.rows,
  };
}

/** What a seed set builds from its files: its tables in the order they are written (parents first). */
export interface BuiltSet {
  readonly tables: readonly AnySeedTable[];
}
