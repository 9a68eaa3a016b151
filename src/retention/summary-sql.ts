import { sql, type Kysely, type RawBuilder } from 'kysely';
import { bucketWidth, type MergeRule, type SummaryDefinition } from './summaries.js';
import { utcTextOf } from '../db/time-text-sql.js';
import type { Watermark } from '../ledger/retention-watermarks.js';

/** The bucket a source row `s` falls in, typed like the summary's bucket column. */
function bucketOf(summary: SummaryDefinition): RawBuilder<unknown> {
  const truncated = sql`date_trunc(${sql.lit(summary.unit)}, ${sql.ref(`s.${summary.sourceTime}`)})`;
  return summary.bucketIsDate ? sql`${truncated}::date` : truncated;
}

const STAGE = 'retention_staged';

/** One row per bucket and group of the raw rows in [from, to): the summary's values, freshly computed. */
function aggregate(
  summary: SummaryDefinition,
  from: RawBuilder<unknown>,
  to: RawBuilder<unknown>,
): RawBuilder<unknown> {
  const time = sql.ref(`s.${summary.sourceTime}`);
  return grouped(summary, sql.table(summary.source), sql`${time} >= ${from}::timestamp AND ${time} < ${to}::timestamp`);
}

/** The summary's groups and values over the rows `s` of `rows` that match `where`. */
function grouped(
  summary: SummaryDefinition,
  rows: RawBuilder<unknown>,
  where: RawBuilder<unknown>,
): RawBuilder<unknown> {
  const selected = [
    sql`${bucketOf(summary)} AS ${sql.id(summary.bucketColumn)}`,
    ...[...summary.groups, ...summary.measures].map((c) => sql`${c.expression} AS ${sql.id(c.column)}`),
  ];
  // Bucket first: most comparisons of the sort are settled by a date before any text is compared.
  const groupBy = sql.join([summary.bucketColumn, ...summary.groups].map((_, i) => sql.lit(i + 1)));
  return sql`SELECT ${sql.join(selected)} FROM ${rows} AS s WHERE ${where} GROUP BY ${groupBy}`;
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
  options: { staged?: boolean; timeZone: string },
): Promise<{ groups: number; rows: number; buckets: number }> {
  const target = sql.table(summary.name);
  const bucket = sql.id(summary.bucketColumn);
  const names = [
    summary.bucketColumn,
    ...summary.groups.map((g) => g.column),
    ...summary.measures.map((m) => m.column),
  ];
  const fresh = options.staged
    ? sql`SELECT * FROM pg_temp.${sql.id(STAGE)} AS g WHERE g.${bucket} >= ${from}::timestamp AND g.${bucket} < ${to}::timestamp`
    : aggregate(summary, sql`${from}`, sql`${to}`);
  const same = sql.join(
    [summary.bucketColumn, ...summary.groups.map((g) => g.column)].map(
      (c) => sql`f.${sql.id(c)} IS NOT DISTINCT FROM t.${sql.id(c)}`,
    ),
    sql` AND `,
  );
  const updates = sql.join(
    [...summary.measures.map((m) => m.column), 'summarized_at'].map((c) => sql`${sql.id(c)} = excluded.${sql.id(c)}`),
  );
  const { rows } = await sql<{ groups: number; rows: string; buckets: number }>`
    WITH fresh AS MATERIALIZED (${fresh}),
    gone AS (
      DELETE FROM ${target} AS t WHERE t.${bucket} >= ${from}::timestamp AND t.${bucket} < ${to}::timestamp
         AND NOT EXISTS (SELECT 1 FROM fresh AS f WHERE ${same})
    ),
    saved AS (
      INSERT INTO ${target} (${sql.join(names.concat('summarized_at').map((n) => sql.id(n)))})
      SELECT ${sql.join(names.map((n) => sql.ref(`f.${n}`)))}, (now() AT TIME ZONE ${options.timeZone}) FROM fresh AS f
      ON CONFLICT ON CONSTRAINT ${sql.id(summary.key)} DO UPDATE SET ${updates}
      RETURNING ${sql.ref(summary.countColumn)} AS n
    )
    SELECT count(*)::int AS groups, coalesce(sum(n), 0)::bigint AS rows, (SELECT count(DISTINCT ${bucket}) FROM fresh)::int AS buckets FROM saved`.execute(
    db,
  );
  return { groups: rows[0].groups, rows: Number(rows[0].rows), buckets: rows[0].buckets };
}

/**
 * Folds late rows into buckets prune has thinned, where a recompute would lose the deleted rows:
 * the rows with an id in (`afterId`, `upToId`], before `until`, in buckets that start before
 * `keptFrom`, that arrived after prune thinned their bucket (an id above what the summaries had
 * examined when it did, from `rasdb.retention_thinned`). Each measure merges by its rule (counts
 * add, extremes widen, means weigh, percentiles stay). Rows of buckets thinned before rasdb kept
 * that record cannot be told apart from rows the summary counts already: they are only counted.
 *
 * @example
 * await mergeLate(db, summary, 5000, 5200, '2026-06-01 00:00:00', '2026-03-03 00:00:00') // { merged: 1, unknown: 0 }
 */
export async function mergeLate(
  db: Kysely<any>,
  summary: SummaryDefinition,
  afterId: number,
  upToId: number,
  until: string,
  keptFrom: string,
  options: { dryRun?: boolean; timeZone: string },
): Promise<{ merged: number; unknown: number }> {
  const time = sql.ref(`l.${summary.sourceTime}`);
  const bucket = sql`date_trunc(${sql.lit(summary.unit)}, ${time})`;
  const target = sql.table(summary.name);
  const names = [
    summary.bucketColumn,
    ...summary.groups.map((g) => g.column),
    ...summary.measures.map((m) => m.column),
  ];
  const count = (alias: string) => sql.ref(`${alias}.${summary.countColumn}`);
  const merged = summary.measures.map((m) => {
    const [old, add] = [sql.ref(`t.${m.column}`), sql.ref(`excluded.${m.column}`)];
    const rule: Record<MergeRule, RawBuilder<unknown>> = {
      add: sql`${old} + ${add}`,
      least: sql`least(${old}, ${add})`,
      greatest: sql`greatest(${old}, ${add})`,
      weighted_mean: sql`CASE WHEN ${old} IS NULL THEN ${add} WHEN ${add} IS NULL THEN ${old}
                              ELSE (${old} * ${count('t')} + ${add} * ${count('excluded')}) / (${count('t')} + ${count('excluded')}) END`,
      keep: sql`coalesce(${old}, ${add})`,
    };
    return sql`${sql.id(m.column)} = ${rule[m.merge]}`;
  });
  const { rows } = await sql<{ merged: string; unknown: string }>`
    WITH late AS MATERIALIZED (
      SELECT l.*, (SELECT t.examined_up_to FROM rasdb.retention_thinned AS t
                    WHERE t.table_name = ${summary.source} AND t.after <= ${bucket} AND ${bucket} < t.before
                    ORDER BY t.before LIMIT 1) AS examined_when_thinned
        FROM ${sql.table(summary.source)} AS l
       WHERE l.id > ${afterId} AND l.id <= ${upToId} AND ${time} < ${until}::timestamp AND ${bucket} < ${keptFrom}::timestamp
    ),
    fresh AS MATERIALIZED (${grouped(summary, sql`late`, sql`s.examined_when_thinned IS NOT NULL AND s.id > s.examined_when_thinned`)})
    ${
      options.dryRun
        ? sql``
        : sql`, saved AS (
      INSERT INTO ${target} AS t (${sql.join(names.concat('summarized_at').map((n) => sql.id(n)))})
      SELECT ${sql.join(names.map((n) => sql.ref(`f.${n}`)))}, (now() AT TIME ZONE ${options.timeZone}) FROM fresh AS f
      ON CONFLICT ON CONSTRAINT ${sql.id(summary.key)} DO UPDATE SET ${sql.join(merged)}, summarized_at = excluded.summarized_at
      RETURNING 1
    )`
    }
    SELECT (SELECT coalesce(sum(${count('f')}), 0) FROM fresh AS f)::bigint AS merged,
           (SELECT count(*) FROM late WHERE examined_when_thinned IS NULL)::bigint AS unknown`.execute(db);
  return { merged: Number(rows[0].merged), unknown: Number(rows[0].unknown) };
}

/**
 * Buckets before `until` that gained rows with an id above the watermark's `previousSeenId` (rows
 * that arrived after the runs that summarized them), each with whether its raw rows are all still
 * there (it starts at or after `keptFrom`), how many of the rows are new since `seenId`, how many
 * are in the id range the next `mergeLate` takes, and, for a kept bucket, whether its summary
 * still counts exactly its raw rows (a count through the time index). One statement, one round
 * trip, however many buckets.
 *
 * @example
 * await lateBuckets(db, summary, mark, '2026-06-01 00:00:00', null) // [{ bucket: '2026-05-20 00:00:00', kept: true, newRows: 1, mergeable: 0, inStep: false }]
 */
export async function lateBuckets(
  db: Kysely<any>,
  summary: SummaryDefinition,
  mark: Pick<Watermark, 'previousSeenId' | 'seenId' | 'mergedUpTo'>,
  until: string,
  keptFrom: string | null,
): Promise<{ bucket: string; kept: boolean; newRows: number; mergeable: number; inStep: boolean }[]> {
  const time = sql.ref(`s.${summary.sourceTime}`);
  const kept = keptFrom === null ? sql`true` : sql`l.b >= ${keptFrom}::timestamp`;
  const { rows } = await sql<{
    bucket: string;
    kept: boolean;
    new_rows: string;
    mergeable: string;
    in_step: boolean | null;
  }>`
    WITH late AS (
      SELECT date_trunc(${sql.lit(summary.unit)}, ${time}) AS b, count(*) FILTER (WHERE s.id > ${mark.seenId}) AS new_rows,
             count(*) FILTER (WHERE s.id > ${mark.mergedUpTo} AND s.id <= ${mark.seenId}) AS mergeable
        FROM ${sql.table(summary.source)} AS s
       WHERE s.id > ${Math.min(mark.previousSeenId, mark.mergedUpTo)} AND ${time} < ${until}::timestamp
       GROUP BY 1
    )
    SELECT ${utcTextOf(sql.ref('l.b'))} AS bucket, ${kept} AS kept, l.new_rows, l.mergeable,
           CASE WHEN ${kept} THEN
             (SELECT count(*) FROM ${sql.table(summary.source)} AS s
               WHERE ${time} >= l.b AND ${time} < l.b + ${bucketWidth(summary.unit)}::interval)
             = (SELECT coalesce(sum(${sql.ref(summary.countColumn)}), 0) FROM ${sql.table(summary.name)} WHERE ${sql.ref(summary.bucketColumn)} = l.b)
           END AS in_step
      FROM late AS l ORDER BY l.b`.execute(db);
  return rows.map((r) => ({
    bucket: r.bucket,
    kept: r.kept,
    newRows: Number(r.new_rows),
    mergeable: Number(r.mergeable),
    inStep: r.in_step === true,
  }));
}

/**
 * The start of the first bucket at or after `from` and before `before` that has rows; null if none.
 *
 * @example
 * await nextBucketWithRows(db, summary, null, '2026-06-01 00:00:00') // '2025-04-27 00:00:00'
 */
export async function nextBucketWithRows(
  db: Kysely<any>,
  summary: SummaryDefinition,
  from: string | null,
  before: string,
): Promise<string | null> {
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
  const { rows } = await sql<{
    id: string | null;
  }>`SELECT max(id)::bigint AS id FROM ${sql.table(summary.source)}`.execute(db);
  return Number(rows[0].id ?? 0);
}
