import type pg from 'pg';
import { estimateInRange, type ColumnStats } from './histogram.js';

/** What flow measurement needs to know of a table. */
export interface FlowSubject {
  readonly table: string;
  readonly timeColumn: string;
  readonly totalBytes: number;
  /** The main fork and its maps: 0 means no row has ever been written (nothing to read). */
  readonly heapBytes: number;
  /** Rows as the statistics count them (null: never counted). */
  readonly rows: number | null;
}

/**
 * How a window's rows were counted: `count` exactly (over the time column's index, or a small
 * table), `estimate` from the column's statistics as the planner would (nothing is read),
 * `empty` for a table with no row before the as-of time, `unmeasured` for a large table without
 * an index on the column and without statistics (run ANALYZE).
 */
export type FlowMethod = 'count' | 'estimate' | 'empty' | 'unmeasured';

export interface TableFlow {
  readonly table: string;
  readonly timeColumn: string;
  readonly method: FlowMethod;
  /** The window measured, as readings of the data's clock: [from, until). */
  readonly from: string | null;
  readonly until: string;
  readonly windowDays: number;
  readonly rowsInWindow: number;
  readonly rowsPerDay: number;
  /** Total bytes (heap, TOAST, indexes) per row; null when the table has no row. */
  readonly bytesPerRow: number | null;
  readonly bytesPerDay: number;
  /** Whether an index leads with the time column (min, max and counts then read the index only). */
  readonly indexed: boolean;
}

export interface FlowSettings {
  /** The data's "now" (a reading of the data's clock, see resolveAsOf). */
  readonly asOf: string;
  /** Days back from asOf; the window starts no earlier than the table's first row. */
  readonly windowDays: number;
  /** Count exactly over the index when the statistics expect at most this many rows in the window. */
  readonly exactRowLimit?: number;
  /** Tables at most this big (total bytes) are read for their bounds and counted exactly even without an index. */
  readonly smallTableBytes?: number;
}

export const EXACT_ROW_LIMIT = 10_000;
export const SMALL_TABLE_BYTES = 1024 * 1024;
const DAY = 86_400;

const NO_FACTS: Facts = { indexed: false, leaves: [], actual: { min: null, max: null } };

interface Facts {
  readonly indexed: boolean;
  readonly leaves: ColumnStats[];
  /** The column's min and max, read over its index or from a small table; nulls for the rest. */
  readonly actual: { min: number | null; max: number | null };
}

/**
 * Rows and bytes added per day to each table over a window ending at `asOf`, from the time
 * column that tells when a row arrived, without a full scan. The window starts at the later of
 * `asOf - windowDays` and the first row (the index's min, or the statistics' lowest bound), but
 * at least a day before `asOf` (a table whose one row came a minute ago gains a row a day, not
 * 1,440). Its rows are estimated from the statistics as the planner does (summed over
 * partitions), then counted exactly over the index when that estimate is small. Bytes per day are
 * rows per day times the table's bytes per row. Three or four statements for all tables together.
 *
 * @example
 * const [api] = await measureFlows(client, subjects, { asOf: '2026-06-01 00:00:00', windowDays: 30 });
 * api.rowsPerDay // 12500
 */
export async function measureFlows(
  client: pg.Client,
  subjects: readonly FlowSubject[],
  settings: FlowSettings,
): Promise<TableFlow[]> {
  if (!subjects.length) return [];
  const exactRowLimit = settings.exactRowLimit ?? EXACT_ROW_LIMIT;
  const small = settings.smallTableBytes ?? SMALL_TABLE_BYTES;
  // A table with no heap page holds no row: nothing to ask about it.
  const written = subjects.filter((s) => s.heapBytes > 0);
  const found = await catalogFacts(client, written, settings.asOf, small);
  const asOf = found.asOf;
  const facts = subjects.map((s): Facts => found.facts[written.indexOf(s)] ?? NO_FACTS);
  const readable = subjects.map((s, i) => facts[i].indexed || s.totalBytes <= small);
  const actual = facts.map((f) => f.actual);
  const windows = subjects.map((s, i) => {
    const statsFirst = lowest(facts[i].leaves);
    const first = readable[i] ? actual[i].min : statsFirst;
    // Without statistics a large unindexed table cannot tell its first row: measure the whole window.
    const unknown = s.heapBytes > 0 && !readable[i] && statsFirst === null && !(s.rows === 0);
    if (!unknown && (first === null || first >= asOf)) return null;
    const from = Math.min(asOf - DAY, Math.max(asOf - settings.windowDays * DAY, first ?? -Infinity));
    return { from, days: (asOf - from) / DAY };
  });
  const estimates = subjects.map((_, i) => {
    const w = windows[i];
    if (!w) return 0;
    const parts = facts[i].leaves.map((leaf) =>
      estimateInRange(leaf, w.from, asOf, newestEnds(facts[i].leaves, leaf, actual[i])),
    );
    return parts.length && parts.every((p) => p !== null) ? parts.reduce((sum: number, p) => sum + (p ?? 0), 0) : null;
  });
  const exact = subjects
    .map((s, i) => ({ s, i }))
    .filter(({ s, i }) => {
      const estimate = estimates[i];
      return (
        windows[i] && (s.totalBytes <= small || (facts[i].indexed && (estimate === null || estimate <= exactRowLimit)))
      );
    });
  const counted = await countWindows(client, exact, windows, asOf);
  return subjects.map((s, i) => {
    const w = windows[i];
    const estimate = estimates[i];
    const method: FlowMethod = !w ? 'empty' : counted.has(i) ? 'count' : estimate === null ? 'unmeasured' : 'estimate';
    const rowsInWindow = counted.get(i) ?? estimate ?? 0;
    const rowsPerDay = w ? rowsInWindow / w.days : 0;
    const bytesPerRow = s.rows !== null && s.rows > 0 ? s.totalBytes / s.rows : null;
    return {
      table: s.table,
      timeColumn: s.timeColumn,
      method,
      from: w ? naiveText(w.from) : null,
      until: settings.asOf,
      windowDays: w?.days ?? 0,
      rowsInWindow,
      rowsPerDay,
      bytesPerRow,
      bytesPerDay: rowsPerDay * (bytesPerRow ?? 0),
      indexed: facts[i].indexed,
    };
  });
}

/** The lowest value any relation's statistics know of, or null. */
function lowest(leaves: readonly ColumnStats[]): number | null {
  const firsts = leaves.flatMap((l) => [...(l.bounds.length ? [l.bounds[0]] : []), ...l.common]);
  return firsts.length ? Math.min(...firsts) : null;
}

/** The table's actual min and max apply to the relations whose statistics hold its oldest and newest values. */
function newestEnds(
  leaves: readonly ColumnStats[],
  leaf: ColumnStats,
  actual: { min: number | null; max: number | null },
): { min?: number | null; max?: number | null } {
  const top = (l: ColumnStats) => (l.bounds.length ? l.bounds[l.bounds.length - 1] : -Infinity);
  const bottom = (l: ColumnStats) => (l.bounds.length ? l.bounds[0] : Infinity);
  return {
    max: leaves.every((other) => top(other) <= top(leaf)) ? actual.max : null,
    min: leaves.every((other) => bottom(other) >= bottom(leaf)) ? actual.min : null,
  };
}

/**
 * `asOf` as seconds, and per subject whether an index leads with its column, each relation's
 * statistics of it, and its actual min and max where they are cheap to read (over the index, or
 * a small table): one statement. CASE evaluates a reading subquery only for the tables it names.
 */
async function catalogFacts(
  client: pg.Client,
  subjects: readonly FlowSubject[],
  asOf: string,
  small: number,
): Promise<{ asOf: number; facts: Facts[] }> {
  const epochs = (expression: string) =>
    `coalesce((SELECT array_agg(extract(epoch FROM v)) FROM unnest((${expression})::text::timestamp[]) v), '{}')`;
  const ends = subjects.map((s, i) => {
    const table = client.escapeIdentifier(s.table);
    const column = client.escapeIdentifier(s.timeColumn);
    return `WHEN ${i + 1} THEN (SELECT json_build_object('min', extract(epoch FROM min(${column})), 'max', extract(epoch FROM max(${column}))) FROM ${table})`;
  });
  // The subjects as constants, not parameters: a statement without parameters keeps its one plan
  // on the connection, so a client that reports again neither parses nor plans it again. Whether
  // a table is above the small size is all the statement needs of its size; it changes rarely.
  const given = subjects.map(
    (s, i) =>
      `(${i + 1}, ${client.escapeLiteral(s.table)}, ${client.escapeLiteral(s.timeColumn)}, ${s.totalBytes > small})`,
  );
  if (!subjects.length) return { asOf: naiveSeconds(asOf), facts: [] };
  const { rows } = await client.query<{
    indexed: boolean;
    leaves: (Pick<ColumnStats, 'reltuples' | 'relpages' | 'liveTuples' | 'pages'> & {
      stats: Pick<ColumnStats, 'nullFrac' | 'bounds' | 'common' | 'commonFreqs'> | null;
    })[];
    actual: { min: number | null; max: number | null } | null;
  }>({
    text: `SELECT indexed, leaves,
            CASE WHEN indexed OR NOT big THEN CASE ord ${ends.join(' ')} END END AS actual
       FROM (
     SELECT s.ord, s.big,
            EXISTS (SELECT 1 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
                     WHERE i.indrelid = to_regclass(quote_ident(s.t)) AND a.attname = s.c) AS indexed,
            -- Statistics only where an estimate may be needed: a small table is counted.
            CASE WHEN s.big THEN (SELECT coalesce(json_agg(json_build_object(
                      'reltuples', c.reltuples, 'relpages', c.relpages, 'liveTuples', pg_stat_get_live_tuples(c.oid),
                      'pages', pg_relation_size(c.oid) / current_setting('block_size')::int,
                      -- pg_stats read by its exact (schema, table, column), for the columns used only, once
                      -- per relation (joined instead, the planner walks every column of that name there is).
                      'stats', (SELECT json_build_object(
                                  'nullFrac', coalesce(st.null_frac, 0),
                                  'bounds', ${epochs('st.histogram_bounds')},
                                  'common', ${epochs('st.most_common_vals')},
                                  'commonFreqs', coalesce(st.most_common_freqs, '{}'))
                                  FROM pg_stats st
                                 WHERE st.schemaname = n.nspname AND st.tablename = c.relname
                                   AND st.attname = s.c::name AND NOT st.inherited))), '[]')
               -- A plain table is its own one relation; pg_partition_tree lists none for it.
               FROM (SELECT to_regclass(quote_ident(s.t)) AS relid
                     UNION SELECT relid FROM pg_partition_tree(to_regclass(quote_ident(s.t)))) p
               JOIN pg_class c ON c.oid = p.relid AND c.relkind IN ('r', 'm')
               JOIN pg_namespace n ON n.oid = c.relnamespace
            ) ELSE '[]' END AS leaves
       FROM (VALUES ${given.join(', ')}) AS s(ord, t, c, big)) f
      ORDER BY ord`,
  });
  const number = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    asOf: naiveSeconds(asOf),
    facts: rows.map((r) => ({
      indexed: r.indexed,
      leaves: r.leaves.map(({ stats, ...l }) => ({
        ...l,
        nullFrac: stats?.nullFrac ?? 0,
        bounds: (stats?.bounds ?? []).map(Number),
        common: (stats?.common ?? []).map(Number),
        commonFreqs: stats?.commonFreqs ?? [],
      })),
      actual: { min: number(r.actual?.min), max: number(r.actual?.max) },
    })),
  };
}

/** Exact counts of the window's rows, in one statement. */
async function countWindows(
  client: pg.Client,
  exact: readonly { s: FlowSubject; i: number }[],
  windows: readonly ({ from: number } | null)[],
  asOf: number,
): Promise<Map<number, number>> {
  const counted = new Map<number, number>();
  if (!exact.length) return counted;
  const at = (n: number) => `(timestamp '1970-01-01' + $${n}::float8 * interval '1 second')`;
  const { rows } = await client.query<{ i: number; n: string }>(
    exact
      .map(({ s, i }, k) => {
        const column = client.escapeIdentifier(s.timeColumn);
        return `SELECT ${i} AS i, count(*) AS n FROM ${client.escapeIdentifier(s.table)} WHERE ${column} >= ${at(k + 2)} AND ${column} < ${at(1)}`;
      })
      .join('\nUNION ALL\n'),
    [asOf, ...exact.map(({ i }) => windows[i]?.from)],
  );
  for (const r of rows) counted.set(Number(r.i), Number(r.n));
  return counted;
}

/**
 * Seconds since 1970 of a naive reading, back to `2026-05-31 23:00:00` (microseconds kept, zeros dropped).
 *
 * @example
 * naiveText(0) // '1970-01-01 00:00:00'
 */
export function naiveText(seconds: number): string {
  const whole = Math.floor(seconds);
  const micros = Math.round((seconds - whole) * 1e6);
  const text = new Date(whole * 1000).toISOString().slice(0, 19).replace('T', ' ');
  return micros ? `${text}.${String(micros).padStart(6, '0').replace(/0+$/, '')}` : text;
}

/**
 * A naive reading (`2026-05-31 23:00:00.25`) as seconds since 1970, as `extract(epoch FROM
 * timestamp)` gives it: naiveText's inverse, microseconds kept.
 *
 * @example
 * naiveSeconds('1970-01-02 00:00:00.5') // 86400.5
 */
export function naiveSeconds(text: string): number {
  const match = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?$/.exec(text);
  if (!match) throw new Error(`bug: ${text} is not a time in the house spelling`);
  const whole = Date.parse(`${match[1]}T${match[2]}Z`) / 1000;
  return whole + (match[3] ? Number(match[3].padEnd(6, '0')) / 1e6 : 0);
}
