import type { Catalog, CatalogColumn, CatalogTable } from './catalog.js';

export type DifferenceKind = 'missing' | 'extra' | 'changed';
export type ObjectType =
  'table' | 'column' | 'constraint' | 'index' | 'sequence' | 'view' | 'materialized view' | 'foreign table';

/**
 * One way the live schema differs from what its migrations produce. `missing`: the migrations
 * make it and the database lacks it; `extra`: the database has it on a managed table and the
 * migrations do not make it; `changed`: both have it, differently (`detail` says how).
 */
export interface Difference {
  readonly kind: DifferenceKind;
  readonly type: ObjectType;
  /** `alerts` for a table, `alerts.severity` for what belongs to one. */
  readonly object: string;
  /** What the migrations make, as the catalog spells it. */
  readonly expected?: string;
  /** What the database has. */
  readonly actual?: string;
  /** For `changed` columns: `type: integer -> bigint; default: 0 -> none`. */
  readonly detail?: string;
}

export interface CatalogDiff {
  readonly differences: readonly Difference[];
  /** Live tables no migration makes: not compared, and not drift unless --strict. */
  readonly unmanagedTables: readonly string[];
}

/**
 * Compares the catalog the migrations produce (`expected`) with the live one (`actual`): tables,
 * columns (type, nullability, default), constraints, indexes and owned sequences, matched by
 * name. Column order is not compared: it does not change what a query sees. Pure; prints nothing.
 *
 * @example
 * const { differences } = diffCatalogs(await readCatalog(scratch), await readCatalog(live));
 * // [{ kind: 'changed', type: 'column', object: 'alerts.severity', detail: 'type: character varying(20) -> text', ... }]
 */
export function diffCatalogs(expected: Catalog, actual: Catalog): CatalogDiff {
  const differences: Difference[] = [];
  const live = new Map(actual.tables.map((t) => [t.name, t]));
  for (const want of expected.tables) {
    const have = live.get(want.name);
    if (have) differences.push(...diffTable(want, have));
    else
      differences.push({
        kind: 'missing',
        type: 'table',
        object: want.name,
        expected: `${want.columns.length} columns`,
      });
  }
  const managed = new Set(expected.tables.map((t) => t.name));
  return { differences, unmanagedTables: actual.tables.map((t) => t.name).filter((name) => !managed.has(name)) };
}

function diffTable(want: CatalogTable, have: CatalogTable): Difference[] {
  return [
    ...diffByName(want.name, 'column', want.columns, have.columns, describeColumn, columnChanges),
    ...diffByName(want.name, 'constraint', want.constraints, have.constraints, (c) => c.definition),
    ...diffByName(want.name, 'index', want.indexes, have.indexes, (i) => i.definition),
    ...diffByName(
      want.name,
      'sequence',
      want.sequences,
      have.sequences,
      (s) => `${s.dataType} owned by ${want.name}.${s.column}`,
    ),
  ];
}

function diffByName<T extends { name: string }>(
  table: string,
  type: ObjectType,
  want: readonly T[],
  have: readonly T[],
  describe: (item: T) => string,
  changes?: (want: T, have: T) => string,
): Difference[] {
  const out: Difference[] = [];
  const haveByName = new Map(have.map((item) => [item.name, item]));
  const wanted = new Set(want.map((item) => item.name));
  for (const item of want) {
    const object = `${table}.${item.name}`;
    const other = haveByName.get(item.name);
    if (!other) out.push({ kind: 'missing', type, object, expected: describe(item) });
    else if (describe(other) !== describe(item)) {
      out.push({
        kind: 'changed',
        type,
        object,
        expected: describe(item),
        actual: describe(other),
        detail: changes?.(item, other),
      });
    }
  }
  for (const item of have) {
    if (!wanted.has(item.name))
      out.push({ kind: 'extra', type, object: `${table}.${item.name}`, actual: describe(item) });
  }
  return out;
}

function describeColumn(c: CatalogColumn): string {
  return `${c.type}${c.notNull ? ' NOT NULL' : ''}${c.default === null ? '' : ` DEFAULT ${c.default}`}`;
}

function columnChanges(want: CatalogColumn, have: CatalogColumn): string {
  const parts: string[] = [];
  if (want.type !== have.type) parts.push(`type: ${want.type} -> ${have.type}`);
  if (want.notNull !== have.notNull) parts.push(want.notNull ? 'NOT NULL dropped' : 'NOT NULL added');
  if (want.default !== have.default) parts.push(`default: ${want.default ?? 'none'} -> ${have.default ?? 'none'}`);
  return parts.join('; ');
}
