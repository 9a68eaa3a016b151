import type pg from 'pg';
import { sql } from 'kysely';
import { loadPolicies, selectPolicies } from './policies.js';
import { withRetentionRun, type RetentionProgress, type RunContext, type RunSettings } from './run-context.js';
import { addToStep, openStep } from '../ledger/retention-runs.js';
import { SUMMARIES, type SummaryDefinition } from './summaries.js';
import { highestId, lateBuckets, mergeLate, nextBucketWithRows, recompute, stage, unstage } from './summary-sql.js';
import { addUnits, earlier, estimateRows, truncateTo } from './time.js';
import { retryingTransaction } from '../db/transaction.js';
import { readPrunedBefore, readWatermarks, saveWatermark, unstarted, type Watermark } from '../ledger/retention-watermarks.js';

export interface SummarizeOptions extends RunSettings {
  policies?: readonly string[];
  /** The most buckets one transaction summarizes (default: a week of hours, 31 days, 3 months). */
  maxBucketsPerTransaction?: number;
  onProgress?: (progress: RetentionProgress) => void;
}

/** What summarize did (or, in a dry run, would do) for one summary table. */
export interface SummaryRun {
  summary: string;
  policy: string;
  /** Buckets before this are summarized: before the run, and after it. */
  watermarkBefore: string | null;
  watermarkAfter: string | null;
  /** The start of the bucket that is still open at the run's "now": summarize stops there. */
  closedUntil: string;
  bucketsSummarized: number;
  rowsSummarized: number;
  /** Already summarized buckets whose raw rows grew (late rows) and were recomputed. */
  lateBucketsRecomputed: number;
  /**
   * Late rows in buckets prune had already thinned, folded into their summaries: counts, errors,
   * extremes and means take them in; percentiles stay as they were.
   */
  lateRowsMerged: number;
  /** Late rows in buckets thinned before rasdb recorded what prune had examined: counted here only. */
  lateRowsAfterPrune: number;
  durationMs: number;
}

export interface SummarizeResult {
  dryRun: boolean;
  stoppedEarly: boolean;
  summaries: SummaryRun[];
  totals: { rowsSummarized: number; bucketsSummarized: number };
  message?: string;
}

/**
 * Catching up, buckets are computed a READ span at a time (a year of days, a month of hours, three
 * years of months) in one pass over the raw rows in time order, and written a WRITE span per
 * transaction, each with its watermark: the speed of one big statement, and a killed run loses at
 * most the span it was reading. A run with less than one WRITE span to do computes it directly.
 */
const READ = { hour: 24 * 31, day: 366, month: 36 } as const;
const WRITE = { hour: 24 * 7, day: 31, month: 3 } as const;
/**
 * The late-row check reads a few thousand rows, but the planner cannot know how few buckets they
 * fall in and prices its per-bucket count for thousands: JIT compilation then costs many times
 * what the statement itself takes.
 */
const NO_JIT = ['jit = off'];
/** A month of rows sorts in memory instead of spilling to disk (one backend, one transaction). */
const IN_MEMORY_SORT = [`work_mem = '64MB'`];
/** A READ span is shortened to about this many raw rows (by the planner's estimate), so it stays well inside statement_timeout. */
const READ_ROWS = 5_000_000;

async function readEnd(ctx: RunContext, summary: SummaryDefinition, from: string, closedUntil: string): Promise<string> {
  let buckets: number = READ[summary.unit];
  const end = earlier(addUnits(from, buckets, summary.unit), closedUntil);
  const rows = await estimateRows(ctx.db, summary.source, summary.sourceTime, from, end);
  if (rows <= READ_ROWS) return end;
  buckets = Math.max(WRITE[summary.unit], Math.floor((buckets * READ_ROWS) / rows));
  return earlier(addUnits(from, buckets, summary.unit), closedUntil);
}

/**
 * Brings every summary of the chosen policies up to the last closed bucket: first recomputes
 * summarized buckets that gained late rows while their raw rows are all still kept, then
 * summarizes closed buckets after the watermark, one range of buckets per transaction with the
 * watermark advanced in it, so an interrupted run loses nothing and the next one resumes.
 *
 * @example
 * const result = await summarize(client, { policies: ['api_call_logs'] });
 * result.summaries[0].watermarkAfter // '2026-01-31 00:00:00'
 */
export async function summarize(client: pg.Client, options: SummarizeOptions = {}): Promise<SummarizeResult & { runId: number | null; asOf: string; interruptedRunsFound: number }> {
  const names = selectPolicies(options.policies);
  return withRetentionRun(client, 'summarize', names, options, async (ctx) => {
    await loadPolicies(client, ctx.asOf, names); // refuses a stored policy below a compliance floor
    const marks = await readWatermarks(client);
    const prunedBefore = await readPrunedBefore(client);
    const summaries: SummaryRun[] = [];
    let stoppedEarly = false;
    for (const summary of SUMMARIES.filter((s) => names.includes(s.policy))) {
      if (stoppedEarly) break;
      const mark = marks.get(summary.name) ?? unstarted(summary.name, summary.policy);
      const run = await summarizeOne(ctx, options, summary, mark, prunedBefore.get(summary.source) ?? null);
      summaries.push(run.summary);
      stoppedEarly = run.stoppedEarly;
    }
    return {
      dryRun: ctx.dryRun,
      stoppedEarly,
      summaries,
      totals: {
        rowsSummarized: summaries.reduce((n, s) => n + s.rowsSummarized, 0),
        bucketsSummarized: summaries.reduce((n, s) => n + s.bucketsSummarized, 0),
      },
      message: describeRun(stoppedEarly, summaries),
    };
  });
}

async function summarizeOne(
  ctx: RunContext,
  options: SummarizeOptions,
  summary: SummaryDefinition,
  mark: Watermark,
  keptFrom: string | null,
): Promise<{ summary: SummaryRun; stoppedEarly: boolean }> {
  const started = performance.now();
  const closedUntil = truncateTo(summary.unit, ctx.asOf);
  const run: SummaryRun = {
    summary: summary.name,
    policy: summary.policy,
    watermarkBefore: mark.summarizedUntil,
    watermarkAfter: mark.summarizedUntil,
    closedUntil,
    bucketsSummarized: 0,
    rowsSummarized: 0,
    lateBucketsRecomputed: 0,
    lateRowsMerged: 0,
    lateRowsAfterPrune: 0,
    durationMs: 0,
  };
  const finish = (stoppedEarly: boolean) => ({ summary: { ...run, durationMs: Math.round(performance.now() - started) }, stoppedEarly });
  if (ctx.dryRun) return finish(await dryRun(ctx, summary, mark, keptFrom, run));
  const runId = ctx.runId as number;
  await openStep(ctx.client, runId, { policy: summary.policy, table: summary.name, action: 'summarize', cutoff: closedUntil, effectiveCutoff: mark.summarizedUntil });
  const seen = await highestId(ctx.db, summary);
  const firstRun = mark.summarizedUntil === null;
  // Ids up to the last run's are folded into thinned buckets now, one run late like the lookback,
  // so a transaction still open during that run has committed.
  const next: Watermark = {
    ...mark,
    seenId: seen,
    previousSeenId: firstRun ? seen : mark.seenId,
    mergedUpTo: firstRun ? seen : Math.max(mark.mergedUpTo, mark.seenId),
  };
  if (!firstRun) {
    await retryingTransaction(ctx.client, async () => {
      const rows = await takeInLateRows(ctx, summary, mark, keptFrom, run, false);
      run.rowsSummarized += rows;
      await saveWatermark(ctx.client, next);
      await addToStep(ctx.client, runId, summary.name, 'summarize', { summarized: rows, batches: 1 });
    }, NO_JIT);
  }
  const estimated = options.onProgress ? await estimateRows(ctx.db, summary.source, summary.sourceTime, mark.summarizedUntil, closedUntil) : 0;
  const write = Math.max(1, Math.min(WRITE[summary.unit], options.maxBucketsPerTransaction ?? Infinity));
  let until = mark.summarizedUntil;
  while (until === null || until < closedUntil) {
    if (ctx.timeUp()) return finish(true);
    const first = await nextBucketWithRows(ctx.db, summary, until, closedUntil);
    // Skip stretches without rows; with none left, the watermark moves to the open bucket.
    const from = first === null ? closedUntil : until !== null && until > first ? until : first;
    // One transaction's worth or less (the daily run) is computed directly, without staging.
    const direct = first === null ? closedUntil : earlier(addUnits(from, write, summary.unit), closedUntil);
    const readTo = direct === closedUntil ? closedUntil : await readEnd(ctx, summary, from, closedUntil);
    const staged = direct < readTo;
    if (staged) await stage(ctx.db, summary, from, readTo);
    try {
      for (let at = from; at < readTo || at === closedUntil; ) {
        if (ctx.timeUp()) return finish(true);
        const to = first === null ? closedUntil : earlier(addUnits(at, write, summary.unit), readTo);
        const t0 = performance.now();
        const done = await retryingTransaction(ctx.client, async () => {
          const result = first === null ? { groups: 0, rows: 0, buckets: 0 } : await recompute(ctx.db, summary, at, to, { staged });
          await saveWatermark(ctx.client, { ...next, summarizedUntil: to });
          await addToStep(ctx.client, runId, summary.name, 'summarize', { summarized: result.rows, batches: 1, durationMs: performance.now() - t0 });
          return result;
        }, IN_MEMORY_SORT);
        run.bucketsSummarized += done.buckets;
        run.rowsSummarized += done.rows;
        run.watermarkAfter = until = at = to;
        options.onProgress?.({ action: 'summarize', table: summary.name, done: run.rowsSummarized, estimated });
        if (to === closedUntil) break;
      }
    } finally {
      if (staged) await unstage(ctx.db);
    }
  }
  return finish(false);
}

/**
 * Late rows since the last runs: kept buckets that no longer match their raw rows are recomputed,
 * late rows of thinned buckets folded in (in a dry run, only counted). Tallies `run`; returns the
 * source rows written into the summary.
 */
async function takeInLateRows(ctx: RunContext, summary: SummaryDefinition, mark: Watermark, keptFrom: string | null, run: SummaryRun, dryRun: boolean): Promise<number> {
  const until = mark.summarizedUntil as string;
  const late = await lateBuckets(ctx.db, summary, mark, until, keptFrom);
  let rows = 0;
  for (const { bucket } of late.filter((b) => b.kept && !b.inStep)) {
    if (!dryRun) rows += (await recompute(ctx.db, summary, bucket, addUnits(bucket, 1, summary.unit))).rows;
    run.lateBucketsRecomputed += 1;
  }
  if (keptFrom !== null && late.some((b) => !b.kept && b.mergeable > 0)) {
    const folded = await mergeLate(ctx.db, summary, mark.mergedUpTo, mark.seenId, until, keptFrom, { dryRun });
    run.lateRowsMerged += folded.merged;
    run.lateRowsAfterPrune += folded.unknown;
    if (!dryRun) rows += folded.merged;
  }
  return rows;
}

/** Counts what a real run would summarize and recompute, and changes nothing. */
async function dryRun(ctx: RunContext, summary: SummaryDefinition, mark: Watermark, keptFrom: string | null, run: SummaryRun): Promise<boolean> {
  if (mark.summarizedUntil !== null) {
    await takeInLateRows(ctx, summary, mark, keptFrom, run, true);
  }
  const time = sql.ref(`s.${summary.sourceTime}`);
  const floor = mark.summarizedUntil === null ? sql`true` : sql`${time} >= ${mark.summarizedUntil}::timestamp`;
  const { rows } = await sql<{ rows: string; buckets: number }>`
    SELECT count(*)::bigint AS rows, count(DISTINCT date_trunc(${sql.lit(summary.unit)}, ${time}))::int AS buckets
      FROM ${sql.table(summary.source)} AS s WHERE ${floor} AND ${time} < ${run.closedUntil}::timestamp`.execute(ctx.db);
  run.rowsSummarized = Number(rows[0].rows);
  run.bucketsSummarized = rows[0].buckets;
  run.watermarkAfter = run.closedUntil;
  return false;
}

/** The run record's message: an early stop, and late rows that could not be summarized (auditors read it). */
function describeRun(stoppedEarly: boolean, summaries: readonly SummaryRun[]): string | undefined {
  const parts: string[] = [];
  if (stoppedEarly) parts.push('stopped at --max-runtime; the next run continues from the watermark');
  for (const s of summaries.filter((s) => s.lateRowsMerged > 0)) {
    parts.push(`${s.summary}: ${s.lateRowsMerged} late rows folded into buckets prune had thinned (percentiles unchanged)`);
  }
  for (const s of summaries.filter((s) => s.lateRowsAfterPrune > 0)) {
    parts.push(`${s.summary}: ${s.lateRowsAfterPrune} late rows in buckets thinned before rasdb recorded prunes; counted, not summarized`);
  }
  return parts.length ? parts.join('; ') : undefined;
}
