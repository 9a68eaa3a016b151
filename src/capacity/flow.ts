import type pg from 'pg';
import { queryBatch } from '../db/batch.js';
import { estimateInRange, type ColumnStats } from './histogram.js';
import type { Leaf } from './sizes.js';

/** What flow measurement needs to know of a table. */
export interface FlowSubject {
  readonly table: string;
  readonly timeColumn: string;
  readonly totalBytes: number;
  /** The main fork and its maps: 0 means no row has ever been written (nothing to read). */
  readonly heapBytes: number;
  /** Rows as the statistics count them (null: never counted). */
  readonly rows: number | null;
  /** The table's oid and the relations that hold its rows, as its size was measured (see relationsFrom). */
  readonly oid: number;
  readonly leaves: readonly Leaf[];
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
  /**
   * The table's rows, counted with its window: a small table is read whole anyway, and its count
   * is truer than the statistics (which a copy of the database starts without, and an ANALYZE
   * inside an updating transaction doubles). Null when not counted.
   */
  readonly countedRows: number | null;
  /**
   * Whether the table has a valid, whole, ordered index (a btree) that leads with the time column,
   * and no inheritance children: min, max and counts then read the index only.
   */
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
  /**
   * The role may read pg_statistic (a superuser, or granted it): the statistics are read there
   * rather than through the pg_stats view, whose planning costs more than the rest of the read.
   */
  readonly statisticsReadable?: boolean;
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
 * rows per day times the table's bytes per row. One statement for all tables together (flowFactsSql,
 * whose rows a caller that batched it passes as `read`), and a second when some are counted.
 *
 * @example
 * const [api] = await measureFlows(client, subjects, { asOf: '2026-06-01 00:00:00', windowDays: 30 });
 * api.rowsPerDay // 12500
 */
export async function measureFlows(
  client: pg.Client,
  subjects: readonly FlowSubject[],
  settings: FlowSettings,
  read?: FactsRead,
): Promise<TableFlow[]> {
  if (!subjects.length) return [];
  const exactRowLimit = settings.exactRowLimit ?? EXACT_ROW_LIMIT;
  const small = settings.smallTableBytes ?? SMALL_TABLE_BYTES;
  const written = writtenSubjects(subjects);
  const found = factsFrom(written, read ?? (await readFacts(client, subjects, settings)));
  const asOf = naiveSeconds(settings.asOf);
  const facts = subjects.map((s): Facts => found[written.indexOf(s)] ?? NO_FACTS);
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
  const counted = await countWindows(client, exact, windows, asOf, small);
  return subjects.map((s, i) => {
    const w = windows[i];
    const estimate = estimates[i];
    const method: FlowMethod = !w ? 'empty' : counted.has(i) ? 'count' : estimate === null ? 'unmeasured' : 'estimate';
    const count = counted.get(i);
    const rowsInWindow = count?.inWindow ?? estimate ?? 0;
    const rowsPerDay = w ? rowsInWindow / w.days : 0;
    const rows = count?.all ?? s.rows;
    const bytesPerRow = rows !== null && rows > 0 ? s.totalBytes / rows : null;
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
      countedRows: count?.all ?? null,
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

/** A table with no heap page holds no row: nothing to ask about it. */
function writtenSubjects(subjects: readonly FlowSubject[]): FlowSubject[] {
  return subjects.filter((s) => s.heapBytes > 0);
}

/** A row of flowFactsSql's first statement: a subject with a row. */
export interface SubjectFactsRow {
  ord: number;
  indexed: boolean;
  actual: { min: number | null; max: number | null } | null;
}

/**
 * A row of its second: a relation of a subject's that is still there, with the column's
 * statistics (nulls and 0 when it has none): the histogram's bounds and the most common values as
 * text (see readingSeconds), the latter's frequencies.
 */
export interface LeafFactsRow {
  ord: number;
  leaf: number;
  null_frac: number;
  bounds: string | null;
  common: string | null;
  freqs: number[] | null;
}

/** The rows of flowFactsSql's statements, in their order (none when it gave none). */
export type FactsRead = readonly (readonly unknown[])[];

/**
 * The statements measureFlows runs first (no parameters; none when no subject has a row), for a
 * caller that batches them with other reads. The first gives per subject with a row (`ord` from
 * 1 in their order) whether an ordered index leads with its column (see TableFlow.indexed), and its actual min and max where they
 * are cheap to read (over the index, or a small table): CASE evaluates a reading subquery only
 * for the tables it names. The second gives the column's statistics of each relation the size
 * measured under a large subject (only an estimate needs them: a small table is counted), by the
 * relation's oid: the catalog is not walked again. A relation dropped since (a prune) has no row.
 * The statistics' values come as text, read by readingSeconds: cheaper than converting them to
 * numbers in SQL.
 */
export function flowFactsSql(
  client: pg.Client,
  subjects: readonly FlowSubject[],
  settings: Pick<FlowSettings, 'smallTableBytes' | 'statisticsReadable'>,
): string[] {
  const small = settings.smallTableBytes ?? SMALL_TABLE_BYTES;
  const written = writtenSubjects(subjects);
  if (!written.length) return [];
  const ends = written.map((s, i) => {
    const table = client.escapeIdentifier(s.table);
    const column = client.escapeIdentifier(s.timeColumn);
    return `WHEN ${i + 1} THEN (SELECT json_build_object('min', extract(epoch FROM min(${column})), 'max', extract(epoch FROM max(${column}))) FROM ${table})`;
  });
  // Whether a table is above the small size is all the statement needs of its size; whether it
  // has inheritance children (relations of its own kind under it), whether its index can be walked.
  const given = written.map((s, i) => {
    const children = s.leaves.some((l) => l.oid !== s.oid) && s.leaves.some((l) => l.oid === s.oid);
    return `(${i + 1}, ${Number(s.oid)}::oid, ${client.escapeLiteral(s.timeColumn)}::name, ${s.totalBytes > small}, ${children})`;
  });
  const subjectFacts = `SELECT ord, indexed, CASE WHEN indexed OR NOT big THEN CASE ord ${ends.join(' ')} END END AS actual
       FROM (
     SELECT s.ord, s.big,
            -- min() and max() walk an index only if it is valid, whole (not partial) and ordered
            -- on the time column, its first: a BRIN or hash index, or one a failed concurrent
            -- build left, would have them read the table. A partitioned table's index is valid
            -- once every partition has its own; inheritance children are not looked at, so a
            -- table with children is not walked. The column's number is looked up on its own
            -- rather than joined: less to plan.
            NOT s.children AND EXISTS (SELECT 1 FROM pg_index i
                     WHERE i.indrelid = s.root AND i.indisvalid AND i.indpred IS NULL
                       AND i.indkey[0] = (SELECT a.attnum FROM pg_attribute a WHERE a.attrelid = s.root AND a.attname = s.c)
                       AND pg_index_column_has_property(i.indexrelid, 1, 'orderable')) AS indexed
       FROM (VALUES ${given.join(', ')}) AS s(ord, root, c, big, children)) f`;
  const leaves = written.flatMap((s, i) =>
    s.totalBytes > small
      ? s.leaves.map((l) => `(${i + 1}, ${Number(l.oid)}::oid, ${client.escapeLiteral(s.timeColumn)}::name)`)
      : [],
  );
  if (!leaves.length) return [subjectFacts];
  const leafFacts = settings.statisticsReadable ? catalogStatistics(leaves) : viewStatistics(leaves);
  return [subjectFacts, leafFacts];
}

/**
 * ISO text as the server prints it where its DateStyle is ISO (the default), else JSON of the
 * values read back as timestamps (JSON spells them in ISO 8601 whatever the DateStyle).
 */
function values(expression: string): string {
  return `CASE WHEN current_setting('DateStyle') LIKE 'ISO%' THEN (${expression})::text
          ELSE to_json((${expression})::text::timestamp[])::text END`;
}

/** The column's statistics of each relation from the pg_stats view, by its exact (schema, table, column). */
function viewStatistics(leaves: readonly string[]): string {
  // A scalar subquery, evaluated for the columns used only: joined laterally instead, the
  // planner builds the whole view (10 ms against 1.3 for six relations). One value per
  // relation, so a JSON object, taken apart outside.
  return `SELECT x.ord, x.leaf, coalesce((x.s ->> 'nullFrac')::float4, 0) AS null_frac, x.s ->> 'bounds' AS bounds,
            x.s ->> 'common' AS common, (x.s ->> 'freqs')::float4[] AS freqs
       FROM (SELECT v.ord, v.leaf,
                    (SELECT json_build_object('nullFrac', s.null_frac, 'bounds', ${values('s.histogram_bounds')},
                                              'common', ${values('s.most_common_vals')}, 'freqs', s.most_common_freqs::text)
                       FROM pg_stats s
                      WHERE s.schemaname = (SELECT nspname FROM pg_namespace WHERE oid = c.relnamespace)
                        AND s.tablename = c.relname AND s.attname = v.c AND NOT s.inherited) AS s
               ${stillThere(leaves)}) AS x`;
}

/**
 * The same values read from pg_statistic as pg_stats reads them: the histogram is the slot of
 * kind 2, the most common values (with their frequencies) the slot of kind 1. Joined, as columns:
 * less to plan and to print than the view's one JSON object.
 */
function catalogStatistics(leaves: readonly string[]): string {
  const slot = (kind: number, column: 'stavalues' | 'stanumbers') =>
    `CASE ${[1, 2, 3, 4, 5].map((i) => `WHEN st.stakind${i} = ${kind} THEN st.${column}${i}`).join(' ')} END`;
  return `SELECT v.ord, v.leaf, coalesce(st.stanullfrac, 0) AS null_frac, ${values(slot(2, 'stavalues'))} AS bounds,
            ${values(slot(1, 'stavalues'))} AS common, ${slot(1, 'stanumbers')} AS freqs
       ${stillThere(leaves)}
       LEFT JOIN pg_attribute a ON a.attrelid = v.leaf AND a.attname = v.c
       LEFT JOIN pg_statistic st ON st.starelid = v.leaf AND st.staattnum = a.attnum AND NOT st.stainherit`;
}

/** A row per relation still there (a prune may have dropped one since its size was read). */
function stillThere(leaves: readonly string[]): string {
  return `FROM (VALUES ${leaves.join(', ')}) AS v(ord, leaf, c) JOIN pg_class c ON c.oid = v.leaf`;
}

/** Runs flowFactsSql's statements and returns their rows. */
async function readFacts(
  client: pg.Client,
  subjects: readonly FlowSubject[],
  settings: Pick<FlowSettings, 'smallTableBytes' | 'statisticsReadable'>,
): Promise<FactsRead> {
  const statements = flowFactsSql(client, subjects, settings);
  return statements.length ? (await queryBatch(client, statements)).map((r) => r.rows) : [];
}

/** The facts of each written subject, in their order, from the rows of flowFactsSql. */
function factsFrom(written: readonly FlowSubject[], read: FactsRead): Facts[] {
  const number = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  const [subjectRows = [], leafRows = []] = read as [SubjectFactsRow[]?, LeafFactsRow[]?];
  const stats = new Map<number, LeafFactsRow>();
  for (const r of leafRows) stats.set(Number(r.leaf), r);
  return written.map((s, i) => {
    const row = subjectRows.find((r) => Number(r.ord) === i + 1);
    // Only a large subject's statistics are read (its relations still there); a small one is counted.
    const leaves = s.leaves.flatMap((l): ColumnStats[] => {
      const found = stats.get(l.oid);
      if (!found || Number(found.ord) !== i + 1) return [];
      return [
        {
          ...l,
          nullFrac: Number(found.null_frac),
          bounds: readingSeconds(found.bounds),
          common: readingSeconds(found.common),
          commonFreqs: found.freqs ?? [],
        },
      ];
    });
    return {
      indexed: Boolean(row?.indexed),
      leaves,
      actual: { min: number(row?.actual?.min), max: number(row?.actual?.max) },
    };
  });
}

/**
 * Exact counts of the window's rows, in one statement; a small table (at most `small` bytes, read
 * whole either way) is counted whole too.
 */
async function countWindows(
  client: pg.Client,
  exact: readonly { s: FlowSubject; i: number }[],
  windows: readonly ({ from: number } | null)[],
  asOf: number,
  small: number,
): Promise<Map<number, { inWindow: number; all: number | null }>> {
  const counted = new Map<number, { inWindow: number; all: number | null }>();
  if (!exact.length) return counted;
  const at = (n: number) => `(timestamp '1970-01-01' + $${n}::float8 * interval '1 second')`;
  const { rows } = await client.query<{ i: number; n: string; total: string | null }>(
    exact
      .map(({ s, i }, k) => {
        const column = client.escapeIdentifier(s.timeColumn);
        const table = client.escapeIdentifier(s.table);
        const inWindow = `${column} >= ${at(k + 2)} AND ${column} < ${at(1)}`;
        return s.totalBytes <= small
          ? `SELECT ${i} AS i, count(*) FILTER (WHERE ${inWindow}) AS n, count(*) AS total FROM ${table}`
          : `SELECT ${i} AS i, count(*) AS n, NULL::bigint AS total FROM ${table} WHERE ${inWindow}`;
      })
      .join('\nUNION ALL\n'),
    [asOf, ...exact.map(({ i }) => windows[i]?.from)],
  );
  for (const r of rows)
    counted.set(Number(r.i), { inWindow: Number(r.n), all: r.total === null ? null : Number(r.total) });
  return counted;
}

/**
 * The readings in a statistics array as flowFactsSql sends it: PostgreSQL's array text
 * (`{"2026-01-01 00:00:00",infinity}`) or a JSON array; none for null.
 *
 * @example
 * readings('{"2026-01-01 00:00:00",infinity}') // ['2026-01-01 00:00:00', 'infinity']
 */
export function readings(text: string | null): string[] {
  if (text === null) return [];
  if (text.startsWith('[')) return JSON.parse(text) as string[];
  if (!text.startsWith('{') || !text.endsWith('}')) throw new Error(`bug: ${text.slice(0, 40)} is not an array`);
  // A reading holds no comma, quote or backslash: the quotes around one with a space are all there is to strip.
  return text.length === 2
    ? []
    : text
        .slice(1, -1)
        .split(',')
        .map((v) => (v.startsWith('"') ? v.slice(1, -1) : v));
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
 * A naive reading (`2026-05-31 23:00:00.25`, or as JSON spells it, `2026-05-31T23:00:00.25`; a
 * date alone; a year before Christ with ` BC`; `infinity`) as seconds since 1970, as `extract(epoch FROM
 * timestamp)` gives it: naiveText's inverse, microseconds kept; a year beyond JavaScript's dates
 * (±275,760) as ±Infinity.
 *
 * @example
 * naiveSeconds('1970-01-02 00:00:00.5') // 86400.5
 */
export function naiveSeconds(text: string): number {
  return plainSeconds(text) ?? spelledSeconds(text);
}

/**
 * naiveSeconds of the spelling statistics come in nearly always (`2026-05-31 23:00:00`, with up to
 * six decimals; a year of four digits, after Christ, no offset), from `text` between `start` and
 * `end`, read without allocating: a report reads thousands of them. Undefined for any other spelling.
 */
function plainSeconds(text: string, start = 0, end = text.length): number | undefined {
  const n = end - start;
  if (n !== 19 && (n < 21 || n > 26)) return undefined;
  // Character codes read in place (no closure: a report reads thousands of readings).
  const space = text.charCodeAt(start + 10);
  if (
    text.charCodeAt(start + 4) !== 45 ||
    text.charCodeAt(start + 7) !== 45 ||
    text.charCodeAt(start + 13) !== 58 ||
    text.charCodeAt(start + 16) !== 58 ||
    (space !== 32 && space !== 84)
  )
    return undefined;
  if (n > 19 && text.charCodeAt(start + 19) !== 46) return undefined;
  const year = digitsOf(text, start, start + 4);
  const month = digitsOf(text, start + 5, start + 7);
  const day = digitsOf(text, start + 8, start + 10);
  const clock =
    digitsOf(text, start + 11, start + 13) * 3600 +
    digitsOf(text, start + 14, start + 16) * 60 +
    digitsOf(text, start + 17, start + 19);
  const micros = n > 19 ? digitsOf(text, start + 20, end) * 10 ** (26 - n) : 0;
  if (Number.isNaN(year + month + day + clock + micros) || year === 0 || month < 1 || month > 12 || day < 1)
    return undefined;
  return daysFromCivil(year, month, day) * 86_400 + clock + micros / 1e6;
}

/** The decimal number written in text[from, to), or NaN where a character is not a digit. */
function digitsOf(text: string, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return NaN;
    value = value * 10 + d;
  }
  return value;
}

/**
 * The readings of a statistics array as flowFactsSql sends it, as seconds (readings, then
 * naiveSeconds of each): PostgreSQL's array text is read in place, without a string a reading.
 *
 * @example
 * readingSeconds('{"1970-01-02 00:00:00",infinity}') // [86400, Infinity]
 */
export function readingSeconds(text: string | null): number[] {
  if (text === null || !text.startsWith('{') || !text.endsWith('}')) return readings(text).map(naiveSeconds);
  const seconds: number[] = [];
  const last = text.length - 1;
  // A reading holds no comma, quote or backslash (see readings).
  for (let from = 1; from < last;) {
    let to = text.indexOf(',', from);
    if (to < 0) to = last;
    const quoted = text.charCodeAt(from) === 34;
    const start = quoted ? from + 1 : from;
    const end = quoted ? to - 1 : to;
    seconds.push(plainSeconds(text, start, end) ?? naiveSeconds(text.slice(start, end)));
    from = to + 1;
  }
  return seconds;
}

/** Days from 1970-01-01 to a date of the proleptic Gregorian calendar (H. Hinnant's algorithm). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  return (
    era * 146_097 + yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear - 719_468
  );
}

function spelledSeconds(text: string): number {
  if (text === 'infinity') return Infinity;
  if (text === '-infinity') return -Infinity;
  // A date alone is its midnight; an offset (a timestamptz's) is dropped, as a cast to timestamp drops it.
  const match =
    /^(\d{4,})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?)?(?:[+-]\d{2}(?::\d{2}){0,2})?( BC)?$/.exec(
      text,
    );
  if (!match) throw new Error(`bug: ${text} is not a time in the house spelling`);
  const [, year, month, day, hours = '0', minutes = '0', seconds = '0', fraction, bc] = match;
  // PostgreSQL counts 1 BC as year 0 (ISO 8601's astronomical years), as JavaScript's dates do.
  const astronomical = bc ? 1 - Number(year) : Number(year);
  const date = new Date(0);
  date.setUTCFullYear(astronomical, Number(month) - 1, Number(day));
  date.setUTCHours(Number(hours), Number(minutes), Number(seconds), 0);
  const whole = date.getTime() / 1000;
  if (Number.isNaN(whole)) return astronomical > 0 ? Infinity : -Infinity;
  return whole + (fraction ? Number(fraction.padEnd(6, '0')) / 1e6 : 0);
}
