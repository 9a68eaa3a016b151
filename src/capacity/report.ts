import type { Snapshot } from '../ledger/capacity-snapshots.js';
import { ESTIMATES, GIB, type CategoryName, type TableCategory } from './categories.js';
import type { TableFlow } from './flow.js';
import { DAYS_PER_YEAR, projectStock, sumProjections, type Keep, type StockProjection } from './projection.js';
import type { TableSize } from './sizes.js';
import { fitTrend, type Trend } from './trend.js';

/** Where a table's yearly flow comes from. */
export type FlowSource = 'time-column' | 'snapshots';

export interface TableReport extends TableSize {
  readonly section: number;
  readonly sectionTitle: string;
  readonly category: CategoryName | null;
  readonly categorySource: TableCategory['source'];
  readonly bytesPerRow: number | null;
  readonly flow: TableFlow;
  /** Net growth of total bytes per day over the snapshots. */
  readonly trend: Trend;
  readonly flowSource: FlowSource;
  readonly bytesPerYear: number;
  readonly rowsPerYear: number;
  readonly keep: Keep;
  readonly stock: StockProjection[];
}

export interface CategoryReport {
  /** A category of the document, or `unassigned` for the tables whose section has no estimate. */
  readonly name: CategoryName | 'unassigned';
  readonly title: string;
  /** The document's yearly estimate in bytes; null for `unassigned`. */
  readonly estimateBytes: number | null;
  readonly tables: string[];
  readonly currentBytes: number;
  readonly bytesPerYear: number;
  readonly rowsPerYear: number;
  /** bytesPerYear / estimateBytes. */
  readonly ratio: number | null;
  /** Net growth per day of the category's tables together, over the snapshots. */
  readonly trend: Trend;
  readonly stock: StockProjection[];
}

export interface ReportInputs {
  readonly mapping: readonly TableCategory[];
  readonly sizes: readonly TableSize[];
  readonly flows: readonly TableFlow[];
  readonly keeps: ReadonlyMap<string, Keep>;
  readonly snapshots: readonly Snapshot[];
}

const NO_POLICY: Keep = { days: null, source: 'no retention policy: kept for ever' };

/**
 * Puts the measurements together: per table its size, flow, snapshot trend and projected stock;
 * per category (and the unassigned tables) the sums, the yearly flow against the document's
 * estimate as a ratio, and the snapshot trend of the category's total. Pure.
 *
 * @example
 * const { categories } = assembleReport(inputs); categories[0].ratio // 0.42
 */
export function assembleReport(inputs: ReportInputs): { tables: TableReport[]; categories: CategoryReport[] } {
  const tables = inputs.mapping.map((m): TableReport => {
    const size = inputs.sizes.find((s) => s.table === m.table);
    const flow = inputs.flows.find((f) => f.table === m.table);
    if (!size || !flow) throw new Error(`bug: no size or flow measured for ${m.table}`);
    const trend = fitTrend(seriesOf(inputs.snapshots, [m.table]));
    const useTrend = flow.method === 'empty' && trend.perDay !== null && trend.perDay > 0 && isFirm(trend);
    const bytesPerDay = useTrend ? trend.perDay : flow.bytesPerDay;
    const keep = inputs.keeps.get(m.table) ?? NO_POLICY;
    // Named one by one rather than spread: spreading `size` into this literal took most of the
    // report's JavaScript time.
    return {
      table: size.table,
      present: size.present,
      leaves: size.leaves,
      partitioned: size.partitioned,
      heapBytes: size.heapBytes,
      toastBytes: size.toastBytes,
      indexBytes: size.indexBytes,
      totalBytes: size.totalBytes,
      rows: flow.countedRows ?? size.rows,
      deadRows: size.deadRows,
      section: m.section,
      sectionTitle: m.sectionTitle,
      category: m.category,
      categorySource: m.source,
      bytesPerRow: flow.bytesPerRow,
      flow,
      trend,
      flowSource: useTrend ? 'snapshots' : 'time-column',
      bytesPerYear: bytesPerDay * DAYS_PER_YEAR,
      rowsPerYear: useTrend ? 0 : flow.rowsPerDay * DAYS_PER_YEAR,
      keep,
      stock: projectStock(bytesPerDay, keep),
    };
  });
  const groups: { name: CategoryName | 'unassigned'; title: string; estimateBytes: number | null }[] = [
    ...ESTIMATES.map((e) => ({ name: e.name, title: e.title, estimateBytes: e.gbPerYear * GIB })),
    { name: 'unassigned', title: 'No estimate in the document', estimateBytes: null },
  ];
  const categories = groups.map((g): CategoryReport => {
    const members = tables.filter((t) => (t.category ?? 'unassigned') === g.name);
    const bytesPerYear = members.reduce((s, t) => s + t.bytesPerYear, 0);
    return {
      ...g,
      tables: members.map((t) => t.table),
      currentBytes: members.reduce((s, t) => s + t.totalBytes, 0),
      bytesPerYear,
      rowsPerYear: members.reduce((s, t) => s + t.rowsPerYear, 0),
      ratio: g.estimateBytes === null ? null : bytesPerYear / g.estimateBytes,
      trend: fitTrend(
        seriesOf(
          inputs.snapshots,
          members.map((t) => t.table),
        ),
      ),
      stock: sumProjections(members.map((t) => t.stock)),
    };
  });
  return { tables, categories };
}

/** A trend worth projecting from. */
export function isFirm(trend: Trend): boolean {
  return trend.confidence === 'medium' || trend.confidence === 'high';
}

/** Total bytes of `tables` in each snapshot that has any of them, by days since the first snapshot. */
export function seriesOf(snapshots: readonly Snapshot[], tables: readonly string[]): { day: number; value: number }[] {
  if (!snapshots.length) return [];
  const origin = Date.parse(snapshots[0].takenAt);
  return snapshots
    .map((s) => ({ s, members: s.tables.filter((t) => tables.includes(t.table)) }))
    .filter(({ members }) => members.length > 0)
    .map(({ s, members }) => ({
      day: (Date.parse(s.takenAt) - origin) / 86_400_000,
      value: members.reduce((sum, t) => sum + t.totalBytes, 0),
    }));
}
