import { sql, type Kysely, type RawBuilder } from 'kysely';
import { bucketWidth, type SummaryDefinition } from './summaries.js';
import { utcTextOf } from './time.js';

/** The bucket a source row `s` falls in, typed like the summary's bucket column. */
function bucketOf(summary: SummaryDefinition): RawBuilder<unknown> {
  const truncated = sql`date_trunc(${sql.lit(summary.unit)}, ${sql.ref(`s.${summary.sourceTime}`)})`;
  return summary.bucketIsDate ? sql`${truncated}::date` : truncated;
}

const STAGE = 'retention_staged';

/** One row per bucket and group of the raw rows in [from, to): the summary's values, freshly computed. */
function aggregate(summary: SummaryDefinition, from: RawBuilder<unknown>, to: RawBuilder<unknown>): RawBuilder<unknown> {
  const time = sql.ref(`s.${summary.sourceTime}`);
  const selected = [
    sql`${bucketOf(summary)} AS ${sql.id(summary.bucketColumn)}`,
    ...[...summary.groups, ...summary.measures].map((c) => sql`${c.expression} AS ${sql.id(c.column)}`),
  ];
  // Bucket first: most comparisons of the sort are settled by a date before any text is compared.
  const groupBy = sql.join([summary.bucketColumn, ...summary.groups].map((_, i) => sql.lit(i + 1)));
  return sql`SELECT ${sql.join(selected)} FROM ${sql.table(summary.source)} AS s
              WHERE ${time} >= ${from}::timestamp AND ${time} < ${to}::timestamp GROUP BY ${groupBy}`;
}

/**
 * Computes the groups of many buckets at once into a temporary table of this session, for
 * recompute to write a range at a time: one pass over the raw rows in time order (which
 * PostgreSQL may run in parallel) instead of one index walk and one sort per range. The bounds are
 * times this module produced, inlined because CREATE TABLE AS takes no parameters.
 *
 * @example
 * await stage(db, summary, '2025-01-01 00:00:00', '2026-01-01 00:00:00'); // then recompute(..., { staged: true })
 */
export async function stage(db: Kysely<any>, summary: SummaryDefinition, from: string, to: string): Promise<void> {
  await unstage(db);
  await sql`CREATE TEMP TABLE ${sql.id(STAGE)} AS ${aggregate(summary, sql.lit(from), sql.lit(to))}`.execute(db);
}

/** Drops the staged groups, if any. */
export async function unstage(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS pg_temp.${sql.id(STAGE)}`.execute(db);
}

/**
 * Recomputes every bucket in [from, to) and upserts the result: each group's values are set, never
 * added to, so running it twice changes nothing. Groups that no longer have rows in the range are
 * removed. The groups come from the raw rows, or from what `stage` computed. Returns the groups
 * written, the source rows they cover, and the buckets that had rows.
 *
 * @example
 * await recompute(db, summaryNamed('api_call_daily_summary'), '2026-01-01', '2026-01-02') // { groups: 42, rows: 12500, buckets: 1 }
 */
export async function recompute(
  db: Kysely<any>,
  summary: SummaryDefinition,
  from: string,
  to: string,
  options: { staged?: boolean } = {},
): Promise<{ groups: number; rows: number; buckets: number }> {
  const target = sql.table(summary.name);
  const bucket = sql.id(summary.bucketColumn);
  const names = [summary.bucketColumn, ...summary.groups.map((g) => g.column), ...summary.measures.map((m) => m.column)];
  const fresh = options.staged
    ? sql`SELECT * FROM pg_temp.${sql.id(STAGE)} AS g WHERE g.${bucket} >= ${from}::timestamp AND g.${bucket} < ${to}::timestamp`
    : aggregate(summary, sql`${from}`, sql`${to}`);
  const same = sql.join(
    [summary.bucketColumn, ...summary.groups.map((g) => g.column)].map((c) => sql`f.${sql.id(c)} IS NOT DISTINCT FROM t.${sql.id(c)}`),
    sql` AND `,
  );
  const updates = sql.join([...summary.measures.map((m) => m.column), 'summarized_at'].map((c) => sql`${sql.id(c)} = excluded.${sql.id(c)}`));
  const { rows } = await sql<{ groups: number; rows: string; buckets: number }>`
    WITH fresh AS MATERIALIZED (${fresh}),
    gone AS (
      DELETE FROM ${target} AS t WHERE t.${bucket} >= ${from}::timestamp AND t.${bucket} < ${to}::timestamp
         AND NOT EXISTS (SELECT 1 FROM fresh AS f WHERE ${same})
    ),
    saved AS (
      INSERT INTO ${target} (${sql.join(names.concat('summarized_at').map((n) => sql.id(n)))})
      SELECT ${sql.join(names.map((n) => sql.ref(`f.${n}`)))}, (now() AT TIME ZONE 'UTC') FROM fresh AS f
      ON CONFLICT ON CONSTRAINT ${sql.id(summary.key)} DO UPDATE SET ${updates}
      RETURNING ${sql.ref(summary.countColumn)} AS n
    )
    SELECT count(*)::int AS groups, coalesce(sum(n), 0)::bigint AS rows, (SELECT count(DISTINCT ${bucket}) FROM fresh)::int AS buckets FROM saved`.execute(db);
  return { groups: rows[0].groups, rows: Number(rows[0].rows), buckets: rows[0].buckets };
}

/**
 * Buckets before `until` that gained rows with an id above `afterId` (rows that arrived after the
 * runs that summarized them), each with whether its raw rows are all still there (it starts at or
 * after `keptFrom`), how many of the rows are new since `seenId`, and, for a kept bucket, whether
 * its summary still counts exactly its raw rows (a count through the time index). One statement,
 * one round trip, however many buckets.
 *
 * @example
 * await lateBuckets(db, summary, 1000, 1200, '2026-06-01 00:00:00', null) // [{ bucket: '2026-05-20 00:00:00', kept: true, newRows: 1, inStep: false }]
 */
export async function lateBuckets(
  db: Kysely<any>,
  summary: SummaryDefinition,
  afterId: number,
  seenId: number,
  until: string,
  keptFrom: string | null,
): Promise<{ bucket: string; kept: boolean; newRows: number; inStep: boolean }[]> {
  const time = sql.ref(`s.${summary.sourceTime}`);
  const kept = keptFrom === null ? sql`true` : sql`l.b >= ${keptFrom}::timestamp`;
  const { rows } = await sql<{ bucket: string; kept: boolean; new_rows: string; in_step: boolean | null }>`
    WITH late AS (
      SELECT date_trunc(${sql.lit(summary.unit)}, ${time}) AS b, count(*) FILTER (WHERE s.id > ${seenId}) AS new_rows
        FROM ${sql.table(summary.source)} AS s
       WHERE s.id > ${afterId} AND ${time} < ${until}::timestamp
       GROUP BY 1
    )
    SELECT ${utcTextOf(sql.ref('l.b'))} AS bucket, ${kept} AS kept, l.new_rows,
           CASE WHEN ${kept} THEN
             (SELECT count(*) FROM ${sql.table(summary.source)} AS s
               WHERE ${time} >= l.b AND ${time} < l.b + ${bucketWidth(summary.unit)}::interval)
             = (SELECT coalesce(sum(${sql.ref(summary.countColumn)}), 0) FROM ${sql.table(summary.name)} WHERE ${sql.ref(summary.bucketColumn)} = l.b)
           END AS in_step
      FROM late AS l ORDER BY l.b`.execute(db);
  return rows.map((r) => ({ bucket: r.bucket, kept: r.kept, newRows: Number(r.new_rows), inStep: r.in_step === true }));
}

/**
 * The start of the first bucket at or after `from` and before `before` that has rows; null if none.
 *
 * @example
 * await nextBucketWithRows(db, summary, null, '2026-06-01 00:00:00') // '2025-04-27 00:00:00'
 */
export async function nextBucketWithRows(db: Kysely<any>, summary: SummaryDefinition, from: string | null, before: string): Promise<string | null> {
  const time = sql.ref(`s.${summary.sourceTime}`);
  const floor = from === null ? sql`true` : sql`${time} >= ${from}::timestamp`;
  const { rows } = await sql<{ t: string | null }>`
    SELECT ${utcTextOf(sql`date_trunc(${sql.lit(summary.unit)}, min(${time}))`)} AS t FROM ${sql.table(summary.source)} AS s
     WHERE ${floor} AND ${time} < ${before}::timestamp`.execute(db);
  return rows[0]?.t ?? null;
}

/**
 * The highest id in the source table now (through its primary key), 0 when empty.
 *
 * @example
 * await highestId(db, summary) // 5000000
 */
export async function highestId(db: Kysely<any>, summary: SummaryDefinition): Promise<number> {
  const { rows } = await sql<{ id: string | null }>`SELECT max(id)::bigint AS id FROM ${sql.table(summary.source)}`.execute(db);
  return Number(rows[0].id ?? 0);
}
