import type pg from 'pg';
import { sql } from 'kysely';
import { planLateRows } from './late-rows-plan.js';
import { loadPolicies, selectPolicies } from './policies.js';
import {
  withRetentionRun,
  type RetentionProgress,
  type RunContext,
  type RunRecord,
  type RunSettings,
} from './run-context.js';
import { addToStep, openStep } from '../ledger/retention-runs.js';
import { SUMMARIES, type SummaryDefinition } from './summaries.js';
import { describeSummarizeRun } from './summarize-message.js';
import { advanceWatermark, planSummary, type SummaryPlan } from './summarize-plan.js';
import { planSpan, readRange } from './summarize-span.js';
import { highestId, lateBuckets, mergeLate, nextBucketWithRows, recompute, stage, unstage } from './summary-sql.js';
import { estimateRows } from './time.js';
import { retryingTransaction } from '../db/transaction.js';
import {
  readPrunedBefore,
  readWatermarks,
  saveWatermark,
  unstarted,
  type Watermark,
} from '../ledger/retention-watermarks.js';

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
 * The late-row check reads a few thousand rows, but the planner cannot know how few buckets they
 * fall in and prices its per-bucket count for thousands: JIT compilation then costs many times
 * what the statement itself takes.
 */
const NO_JIT = ['jit = off'];
/** A month of rows sorts in memory instead of spilling to disk (one backend, one transaction). */
const IN_MEMORY_SORT = [`work_mem = '64MB'`];

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
export async function summarize(
  client: pg.Client,
  options: SummarizeOptions = {},
): Promise<SummarizeResult & RunRecord> {
  const names = selectPolicies(options.policies);
  return withRetentionRun(client, 'summarize', names, options, async (ctx) => {
    const running = names.filter((n) => !ctx.refused.includes(n));
    await loadPolicies(client, ctx.asOf, running); // refuses a stored policy below a compliance floor
    const marks = await readWatermarks(client);
    const prunedBefore = await readPrunedBefore(client);
    const summaries: SummaryRun[] = [];
    let stoppedEarly = false;
    for (const summary of SUMMARIES.filter((s) => running.includes(s.policy))) {
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
      message: describeSummarizeRun(stoppedEarly, summaries),
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
  const plan = planSummary(summary.unit, ctx.asOf, mark, options.maxBucketsPerTransaction);
  const { closedUntil } = plan;
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
  const finish = (stoppedEarly: boolean) => ({
    summary: { ...run, durationMs: Math.round(performance.now() - started) },
    stoppedEarly,
  });
  if (ctx.dryRun) return finish(await dryRun(ctx, summary, plan, mark, keptFrom, run));
  const runId = ctx.runId as number;
  const step = { policy: summary.policy, table: summary.name, action: 'summarize', cutoff: closedUntil } as const;
  await openStep(ctx.client, runId, { ...step, effectiveCutoff: mark.summarizedUntil });
  const next = advanceWatermark(mark, await highestId(ctx.db, summary));
  if (plan.takeInLateRows) {
    await retryingTransaction(
      ctx.client,
      async () => {
        const rows = await takeInLateRows(ctx, summary, mark, keptFrom, run, false);
        run.rowsSummarized += rows;
        await saveWatermark(ctx.client, next);
        await addToStep(ctx.client, runId, summary.name, 'summarize', { summarized: rows, batches: 1 });
      },
      NO_JIT,
    );
  }
  const estimated = options.onProgress
    ? await estimateRows(ctx.db, summary.source, summary.sourceTime, mark.summarizedUntil, closedUntil)
    : 0;
  let until = mark.summarizedUntil;
  while (until === null || until < closedUntil) {
    if (ctx.timeUp()) return finish(true);
    const firstWithRows = await nextBucketWithRows(ctx.db, summary, until, closedUntil);
    const input = { unit: summary.unit, closedUntil, write: plan.write, until, firstWithRows };
    const ahead = readRange(input);
    const estimatedRows = ahead
      ? await estimateRows(ctx.db, summary.source, summary.sourceTime, ahead.from, ahead.until)
      : undefined;
    const span = planSpan({ ...input, estimatedRows });
    if (span.staged) await stage(ctx.db, summary, span.from, span.to);
    try {
      for (const range of span.ranges) {
        if (ctx.timeUp()) return finish(true);
        const t0 = performance.now();
        const done = await retryingTransaction(
          ctx.client,
          async () => {
            const result = span.hasRows
              ? await recompute(ctx.db, summary, range.from, range.to, { staged: span.staged, timeZone: ctx.timeZone })
              : { groups: 0, rows: 0, buckets: 0 };
            await saveWatermark(ctx.client, { ...next, summarizedUntil: range.to });
            const tally = { summarized: result.rows, batches: 1, durationMs: performance.now() - t0 };
            await addToStep(ctx.client, runId, summary.name, 'summarize', tally);
            return result;
          },
          IN_MEMORY_SORT,
        );
        run.bucketsSummarized += done.buckets;
        run.rowsSummarized += done.rows;
        run.watermarkAfter = until = range.to;
        options.onProgress?.({ action: 'summarize', table: summary.name, done: run.rowsSummarized, estimated });
      }
    } finally {
      if (span.staged) await unstage(ctx.db);
    }
  }
  return finish(false);
}

/**
 * Late rows since the last runs: kept buckets that no longer match their raw rows are recomputed,
 * late rows of thinned buckets folded in (in a dry run, only counted). Tallies `run`; returns the
 * source rows written into the summary.
 */
async function takeInLateRows(
  ctx: RunContext,
  summary: SummaryDefinition,
  mark: Watermark,
  keptFrom: string | null,
  run: SummaryRun,
  dryRun: boolean,
): Promise<number> {
  const late = await lateBuckets(ctx.db, summary, mark, mark.summarizedUntil as string, keptFrom);
  const plan = planLateRows(late, mark, keptFrom, summary.unit);
  let rows = 0;
  for (const range of plan.recompute) {
    if (!dryRun) rows += (await recompute(ctx.db, summary, range.from, range.to, { timeZone: ctx.timeZone })).rows;
    run.lateBucketsRecomputed += 1;
  }
  if (plan.merge) {
    const { afterId, upToId, until, keptFrom: before } = plan.merge;
    const folded = await mergeLate(ctx.db, summary, afterId, upToId, until, before, { dryRun, timeZone: ctx.timeZone });
    run.lateRowsMerged += folded.merged;
    run.lateRowsAfterPrune += folded.unknown;
    if (!dryRun) rows += folded.merged;
  }
  return rows;
}

/** Counts what a real run would summarize and recompute, and changes nothing. */
async function dryRun(
  ctx: RunContext,
  summary: SummaryDefinition,
  plan: SummaryPlan,
  mark: Watermark,
  keptFrom: string | null,
  run: SummaryRun,
): Promise<boolean> {
  if (plan.takeInLateRows) {
    await takeInLateRows(ctx, summary, mark, keptFrom, run, true);
  }
  const time = sql.ref(`s.${summary.sourceTime}`);
  const floor = mark.summarizedUntil === null ? sql`true` : sql`${time} >= ${mark.summarizedUntil}::timestamp`;
  const { rows } = await sql<{ rows: string; buckets: number }>`
    SELECT count(*)::bigint AS rows, count(DISTINCT date_trunc(${sql.lit(summary.unit)}, ${time}))::int AS buckets
      FROM ${sql.table(summary.source)} AS s
     WHERE ${floor} AND ${time} < ${plan.closedUntil}::timestamp`.execute(ctx.db);
  run.rowsSummarized = Number(rows[0].rows);
  run.bucketsSummarized = rows[0].buckets;
  run.watermarkAfter = plan.closedUntil;
  return false;
}
