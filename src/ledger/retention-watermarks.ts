import type pg from 'pg';
import { utcText } from '../db/time-text.js';

/**
 * How far a summary has got. Buckets before `summarizedUntil` are summarized. `seenId` is the
 * highest source id the last run saw and `previousSeenId` the one before it: late rows are looked
 * for above `previousSeenId`, one run back, so a row whose transaction was still open during a
 * run (its id already taken, its row not yet visible) is found by the next.
 */
export interface Watermark {
  summary: string;
  policy: string;
  summarizedUntil: string | null;
  seenId: number;
  previousSeenId: number;
  /** The highest id whose late rows in buckets prune had thinned are folded into the summary. */
  mergedUpTo: number;
}

/**
 * Every summary's watermark; a summary never run has none.
 *
 * @example
 * (await readWatermarks(client)).get('api_call_daily_summary')?.summarizedUntil // '2026-06-01 00:00:00'
 */
export async function readWatermarks(client: pg.Client): Promise<Map<string, Watermark>> {
  const { rows } = await client.query(
    `SELECT summary, policy, ${utcText('summarized_until')} AS until, seen_id, previous_seen_id, merged_up_to FROM rasdb.retention_watermarks`,
  );
  return new Map(
    rows.map((r) => [
      r.summary,
      {
        summary: r.summary,
        policy: r.policy,
        summarizedUntil: r.until,
        seenId: Number(r.seen_id),
        previousSeenId: Number(r.previous_seen_id),
        mergedUpTo: Number(r.merged_up_to),
      },
    ]),
  );
}

/**
 * The watermark of a summary that has never run.
 *
 * @example
 * marks.get('api_call_daily_summary') ?? unstarted('api_call_daily_summary', 'api_call_logs')
 */
export function unstarted(summary: string, policy: string): Watermark {
  return { summary, policy, summarizedUntil: null, seenId: 0, previousSeenId: 0, mergedUpTo: 0 };
}

/**
 * Writes a watermark; call it inside the transaction whose summaries it vouches for.
 *
 * @example
 * await saveWatermark(client, { ...mark, summarizedUntil: '2026-06-02 00:00:00' });
 */
export async function saveWatermark(client: pg.Client, mark: Watermark): Promise<void> {
  await client.query(
    `INSERT INTO rasdb.retention_watermarks (summary, policy, summarized_until, seen_id, previous_seen_id, merged_up_to)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (summary) DO UPDATE SET summarized_until = excluded.summarized_until, seen_id = excluded.seen_id,
       previous_seen_id = excluded.previous_seen_id, merged_up_to = excluded.merged_up_to, updated_at = now()`,
    [mark.summary, mark.policy, mark.summarizedUntil, mark.seenId, mark.previousSeenId, mark.mergedUpTo],
  );
}

/**
 * Per detail table, the time below which prune may have deleted rows: a bucket that starts
 * earlier is never recomputed, since its raw rows may be gone.
 *
 * @example
 * (await readPrunedBefore(client)).get('api_call_logs') // '2026-03-03 00:00:00'
 */
export async function readPrunedBefore(client: pg.Client): Promise<Map<string, string>> {
  const { rows } = await client.query(
    `SELECT table_name, ${utcText('pruned_before')} AS t FROM rasdb.retention_pruned`,
  );
  return new Map(rows.map((r) => [r.table_name, r.t]));
}

/**
 * Moves a table's prune boundary forward (never back), committed before the first delete. When it
 * moves, the highest id the summaries had examined is kept with the new boundary: a row of a
 * bucket thinned by this prune with a higher id arrived late, and no summary counts it yet.
 *
 * @example
 * await advancePrunedBefore(client, 'api_call_logs', '2026-03-03 00:00:00', 5_000_000);
 */
export async function advancePrunedBefore(
  client: pg.Client,
  table: string,
  cutoff: string,
  examinedUpTo?: number,
): Promise<void> {
  await client.query(
    `WITH old AS (SELECT pruned_before FROM rasdb.retention_pruned WHERE table_name = $1),
     moved AS (
       INSERT INTO rasdb.retention_pruned AS p (table_name, pruned_before) VALUES ($1, $2)
       ON CONFLICT (table_name) DO UPDATE SET pruned_before = greatest(p.pruned_before, excluded.pruned_before), updated_at = now())
     INSERT INTO rasdb.retention_thinned (table_name, after, before, examined_up_to)
     SELECT $1, coalesce((SELECT pruned_before FROM old), '-infinity'), $2, $3
      WHERE $3::bigint IS NOT NULL AND NOT EXISTS (SELECT 1 FROM old WHERE pruned_before >= $2::timestamp)`,
    [table, cutoff, examinedUpTo ?? null],
  );
}

/**
 * Forgets everything retention knows of `tables` (detail tables or summaries): the watermarks of
 * those summaries and of summaries fed from those tables, the prune boundaries and the record of
 * thinned buckets. Call it in the transaction that drops the tables: a table created again starts
 * with nothing summarized, so its rows are summarized before prune may delete them.
 *
 * @example
 * await forgetTables(client, ['api_call_logs', 'api_call_daily_summary']);
 */
export async function forgetTables(client: pg.Client, tables: readonly string[]): Promise<void> {
  if (!tables.length) return;
  await client.query(
    `WITH marks AS (DELETE FROM rasdb.retention_watermarks WHERE summary = ANY($1::text[]) OR policy = ANY($1::text[])),
          pruned AS (DELETE FROM rasdb.retention_pruned WHERE table_name = ANY($1::text[]))
     DELETE FROM rasdb.retention_thinned WHERE table_name = ANY($1::text[])`,
    [tables],
  );
}
