import type pg from 'pg';
import { sql, type RawBuilder } from 'kysely';
import { deleteInBatches, unexamined, type DeleteTarget } from './batch-delete.js';
import { BatchSizer } from './batch-size.js';
import { listHolds } from '../ledger/retention-holds.js';
import { holdCondition } from './holds.js';
import { loadPolicies, selectPolicies, type EffectivePolicy, type PolicyName } from './policies.js';
import { dryRunCounts, notExaminedYet, notYetSummarized, underHold } from './prune-counts.js';
import { withRetentionRun, type RetentionProgress, type RunContext, type RunSettings } from './run-context.js';
import { openStep, setHeldBack } from '../ledger/retention-runs.js';
import { utcTextOf } from '../db/time-text.js';
import { addUnits, earlier, estimateRows, truncateTo } from './time.js';
import { summaryNamed } from './summaries.js';
import { detailTarget, summaryTarget } from './targets.js';
import { advancePrunedBefore, readWatermarks, type Watermark } from '../ledger/retention-watermarks.js';
import { summarizedUntil } from './watermarks.js';

export interface PruneOptions extends RunSettings {
  policies?: readonly string[];
  /** The most rows one batch deletes; the size adapts below it to `batchTargetMs`. */
  batchSize?: number;
  batchTargetMs?: number;
  onProgress?: (progress: RetentionProgress) => void;
}

/** What prune did (or, in a dry run, would do) to one table. */
export interface TablePrune {
  policy: PolicyName;
  table: string;
  kind: 'detail' | 'summary';
  /** The policy's horizon: rows older than this are past it (UTC). */
  cutoff: string;
  /** The earlier of the horizon and the summary watermark; null while nothing is summarized. */
  effectiveCutoff: string | null;
  deleted: number;
  /** Dry run only: rows a real run would delete. */
  eligible?: number;
  /** Dry run only: batches at the starting batch size. */
  estimatedBatches?: number;
  heldBack: Record<string, number>;
  batches: number;
  slowestBatchMs: number;
  /** The median and 99th percentile of the batches' wall times. */
  batchMsP50: number;
  batchMsP99: number;
  durationMs: number;
}

export interface PruneResult {
  dryRun: boolean;
  stoppedEarly: boolean;
  tables: TablePrune[];
  totals: { deleted: number; heldBack: number; batches: number };
  message?: string;
}

/**
 * Deletes what the retention policies allow, table by table: rows that reference operations
 * first, operations after (only those nothing references any more), then summaries past their
 * own horizon. Never deletes a row newer than its effective cutoff, under an active hold, or
 * still referenced. A dry run counts instead, and changes nothing.
 *
 * @example
 * const result = await prune(client, { policies: ['api_call_logs'], maxRuntimeMs: 10 * 60_000 });
 * if (result.stoppedEarly) console.log('the next run continues');
 */
export async function prune(client: pg.Client, options: PruneOptions = {}): Promise<PruneResult & { runId: number | null; asOf: string; interruptedRunsFound: number }> {
  const names = selectPolicies(options.policies);
  return withRetentionRun(client, 'prune', names, options, async (ctx) => {
    const policies = await loadPolicies(client, ctx.asOf, names);
    const marks = await readWatermarks(client);
    const going = ctx.dryRun ? await goingAway(ctx, policies) : undefined;
    const tables: TablePrune[] = [];
    let stoppedEarly = false;
    for (const policy of policies) {
      const until = summarizedUntil(policy, marks);
      const detail: DeleteTarget = { ...detailTarget(policy), examinedUpTo: examinedUpTo(policy, marks) };
      const summarized = until === undefined ? policy.detailCutoff : until === null ? null : earlier(until, policy.detailCutoff);
      const effective = summarized === null ? null : await beforeUnexamined(ctx, policy, detail, summarized);
      const steps: { kind: 'detail' | 'summary'; target: DeleteTarget; cutoff: string; effective: string | null }[] = [
        { kind: 'detail', target: detail, cutoff: policy.detailCutoff, effective },
      ];
      for (const summary of policy.summaries.map(summaryNamed)) {
        // A summary prunes whole buckets: those that ended before its horizon.
        const cut = truncateTo(summary.unit, policy.summaryCutoff as string);
        steps.push({ kind: 'summary', target: summaryTarget(summary), cutoff: cut, effective: cut });
      }
      for (const step of steps) {
        if (stoppedEarly) break;
        const done = await pruneTable(ctx, options, policy, step.kind, step.target, step.cutoff, step.effective, step.target.key ? going : undefined);
        tables.push(done.table);
        stoppedEarly = done.stoppedEarly;
      }
    }
    const totals = {
      deleted: tables.reduce((n, t) => n + t.deleted, 0),
      heldBack: tables.reduce((n, t) => n + Object.values(t.heldBack).reduce((a, b) => a + b, 0), 0),
      batches: tables.reduce((n, t) => n + t.batches, 0),
    };
    const message = stoppedEarly ? 'stopped at --max-runtime; the next run continues where this one stopped' : undefined;
    return { dryRun: ctx.dryRun, stoppedEarly, tables, totals, message };
  });
}

async function pruneTable(
  ctx: RunContext,
  options: PruneOptions,
  policy: EffectivePolicy,
  kind: 'detail' | 'summary',
  target: DeleteTarget,
  cutoff: string,
  effective: string | null,
  going: { table: string; condition: RawBuilder<boolean> } | undefined,
): Promise<{ table: TablePrune; stoppedEarly: boolean }> {
  const started = performance.now();
  const table: TablePrune = { policy: policy.name, table: target.table, kind, cutoff, effectiveCutoff: effective, deleted: 0, heldBack: {}, batches: 0, slowestBatchMs: 0, batchMsP50: 0, batchMsP99: 0, durationMs: 0 };
  const waiting = kind === 'detail' ? await notYetSummarized(ctx, target, effective, cutoff) : 0;
  const finish = (heldBack: Record<string, number>, stoppedEarly = false) => {
    const summarizing = waiting + (heldBack.not_yet_summarized ?? 0);
    table.heldBack = Object.fromEntries(Object.entries({ ...heldBack, not_yet_summarized: summarizing }).filter(([, n]) => n > 0));
    table.durationMs = Math.round(performance.now() - started);
    return { table, stoppedEarly };
  };
  if (effective === null) return finish({});
  if (ctx.dryRun) {
    const counts = await dryRunCounts(ctx, target, effective, going);
    table.eligible = counts.eligible;
    table.estimatedBatches = Math.ceil(counts.eligible / new BatchSizer({ maxRows: options.batchSize }).next());
    return finish(counts.heldBack);
  }
  const runId = ctx.runId as number;
  await openStep(ctx.client, runId, { policy: policy.name, table: target.table, action: 'prune', cutoff, effectiveCutoff: effective });
  if (kind === 'detail') await advancePrunedBefore(ctx.client, target.table, effective, target.examinedUpTo);
  const estimated = options.onProgress ? await estimateRows(ctx.db, target.table, target.timeColumn, null, effective) : 0;
  const sizer = new BatchSizer({ maxRows: options.batchSize, targetMs: options.batchTargetMs });
  let heldBack: Record<string, number> = {};
  let stoppedEarly = false;
  const batchMs: number[] = [];
  // Operations can reference operations: a parent is kept while its child exists, so repeat the
  // pass while one both deleted rows and kept some for a child; trees empty from their leaves.
  for (let pass = 0; ; pass++) {
    const result = await deleteInBatches(ctx, target, effective, sizer, (deleted) =>
      options.onProgress?.({ action: 'prune', table: target.table, done: table.deleted + deleted, estimated }),
    );
    table.deleted += result.deleted;
    table.batches += result.batches;
    table.slowestBatchMs = Math.max(table.slowestBatchMs, Math.round(result.slowestBatchMs));
    heldBack = result.heldBack;
    stoppedEarly = result.stoppedEarly;
    batchMs.push(...result.batchMs);
    if (stoppedEarly || result.deleted === 0 || !result.heldBack.referenced_by_child_operation) break;
  }
  if (!target.key) {
    heldBack = { legal_hold: await underHold(ctx, target, effective), not_yet_summarized: await notExaminedYet(ctx, target, effective) };
  }
  const sorted = batchMs.sort((x, y) => x - y);
  table.batchMsP50 = Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0);
  table.batchMsP99 = Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? 0);
  const done = finish(heldBack, stoppedEarly);
  await setHeldBack(ctx.client, runId, target.table, table.heldBack);
  return done;
}

/**
 * The id up to which every summary of the policy has looked for late rows: the lowest
 * `previousSeenId` among them (a summarize looks one run back, so ids up to that one have been
 * examined even if their transaction was still open during the last run). Undefined for a policy
 * without summaries, whose rows need none.
 */
function examinedUpTo(policy: EffectivePolicy, marks: ReadonlyMap<string, Watermark>): number | undefined {
  if (policy.summaries.length === 0) return undefined;
  return Math.min(...policy.summaries.map((s) => marks.get(s)?.previousSeenId ?? 0));
}

/**
 * The cutoff, moved back to the start of the first bucket that holds a row the summaries have not
 * looked at yet (a late row). The next summarize then finds that bucket whole and recomputes it;
 * thinned first, it could only count the late row. A late row above the cutoff counts too when
 * the cutoff falls inside its bucket. Buckets are the policy's widest (a day for the hourly and
 * daily performance rollups).
 */
async function beforeUnexamined(ctx: RunContext, policy: EffectivePolicy, target: DeleteTarget, cutoff: string): Promise<string> {
  const unseen = unexamined(target);
  if (!unseen) return cutoff;
  const widest = policy.summaries.map((name) => summaryNamed(name).unit).sort((a, b) => UNIT_ORDER.indexOf(b) - UNIT_ORDER.indexOf(a))[0];
  // The end of the bucket the cutoff falls in (the cutoff itself when it is a bucket's start).
  const truncated = truncateTo(widest, cutoff);
  const reach = truncated === cutoff ? cutoff : addUnits(truncated, 1, widest);
  const time = sql.ref(`s.${target.timeColumn}`);
  const { rows } = await sql<{ t: string | null }>`
    SELECT ${utcTextOf(sql`min(${time})`)} AS t FROM ${sql.table(target.table)} AS s WHERE ${unseen} AND ${time} < ${reach}::timestamp`.execute(ctx.db);
  const first = rows[0]?.t ?? null;
  return first === null ? cutoff : earlier(cutoff, truncateTo(widest, first));
}

const UNIT_ORDER = ['hour', 'day', 'month'] as const;

/** For a dry run of operations: the API call logs this same run would delete (alias `r`). */
async function goingAway(ctx: RunContext, policies: readonly EffectivePolicy[]): Promise<{ table: string; condition: RawBuilder<boolean> } | undefined> {
  const api = policies.find((p) => p.name === 'api_call_logs');
  if (!api) return undefined;
  const marks = await readWatermarks(ctx.client);
  const until = summarizedUntil(api, marks);
  if (!until) return undefined;
  const detail: DeleteTarget = { ...detailTarget(api), examinedUpTo: examinedUpTo(api, marks) };
  const cutoff = await beforeUnexamined(ctx, api, detail, earlier(until, api.detailCutoff));
  const held = holdCondition(await listHolds(ctx.client, { table: 'api_call_logs' }), 'r', 'called_at', 'id');
  const unseen = unexamined(detail, 'r');
  return {
    table: 'api_call_logs',
    condition: sql<boolean>`r.called_at < ${cutoff}::timestamp${held ? sql` AND NOT ${held}` : sql``}${unseen ? sql` AND NOT ${unseen}` : sql``}`,
  };
}
