import type pg from 'pg';
import { sql, type RawBuilder } from 'kysely';
import { deleteInBatches, unexamined, type DeleteTarget } from './batch-delete.js';
import { BatchSizer } from './batch-size.js';
import { listHolds } from '../ledger/retention-holds.js';
import { holdCondition } from './holds.js';
import { loadPolicies, selectPolicies, type EffectivePolicy, type PolicyName } from './policies.js';
import { dryRunCounts, notExaminedYet, notYetSummarized, underHold } from './prune-counts.js';
import {
  lateRowProbe,
  planPolicyPrune,
  type LateRowProbe,
  type PolicyPrunePlan,
  type PruneStep,
} from './prune-plan.js';
import {
  batchPercentiles,
  estimatedBatches,
  heldBackWithWaiting,
  needsAnotherPass,
  pruneTotals,
} from './prune-tally.js';
import {
  withRetentionRun,
  type RetentionProgress,
  type RunContext,
  type RunRecord,
  type RunSettings,
} from './run-context.js';
import { openStep, setHeldBack } from '../ledger/retention-runs.js';
import { utcTextOf } from '../db/time-text-sql.js';
import { estimateRows } from './time.js';
import { summaryNamed } from './summaries.js';
import { CHILD_REASON, detailTarget, summaryTarget } from './targets.js';
import { readReferences, type CatalogReference } from '../catalog/references.js';
import { advancePrunedBefore, readWatermarks, type Watermark } from '../ledger/retention-watermarks.js';
import { maintainBeforePrune, prunePartitions } from './partition-prune.js';
import { rowWiseCutoff } from '../partition/drop.js';

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
  /** The policy's horizon: rows older than this are past it (a reading of the data's zone). */
  cutoff: string;
  /** The earlier of the horizon and the summary watermark; null while nothing is summarized. */
  effectiveCutoff: string | null;
  deleted: number;
  /** Dry run only: rows a real run would delete. */
  eligible?: number;
  /** Dry run only: batches at the starting batch size. */
  estimatedBatches?: number;
  /** Partitions dropped whole (their rows are in `deleted`), and those past the cutoff kept, with why. */
  partitionsDropped?: { name: string; rows: number; parentLockMs?: number }[];
  partitionsKept?: { name: string; reason: string }[];
  /** Partitioned tables: row-wise prune stopped here, at the start of the partition the cutoff falls in (it goes whole later). */
  rowWiseCutoff?: string;
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
  /** Partitions made ahead before pruning (see maintainBeforePrune), or why none were. */
  partitionsMade?: string[];
  maintainSkipped?: string;
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
export async function prune(client: pg.Client, options: PruneOptions = {}): Promise<PruneResult & RunRecord> {
  const names = selectPolicies(options.policies);
  return withRetentionRun(client, 'prune', names, options, async (ctx) => {
    const policies = await loadPolicies(
      client,
      ctx.asOf,
      names.filter((n) => !ctx.refused.includes(n)),
    );
    const marks = await readWatermarks(client);
    // Read at run time: an operator's own foreign keys keep rows as much as the document's do.
    const refs = await readReferences(
      client,
      policies.flatMap((p) => [p.table, ...p.summaries]),
    );
    const going = ctx.dryRun ? await goingAway(ctx, policies, refs) : undefined;
    const made = ctx.dryRun ? {} : await maintainBeforePrune(ctx);
    const tables: TablePrune[] = [];
    let stoppedEarly = false;
    for (const policy of policies) {
      const plan = await planPolicy(ctx, policy, marks, refs);
      for (const step of plan.steps) {
        if (stoppedEarly) break;
        const target = targetOf(policy, plan, step, refs);
        const done = await pruneTable(ctx, options, policy, step, target, going);
        tables.push(done.table);
        stoppedEarly = done.stoppedEarly;
      }
    }
    const message = stoppedEarly
      ? 'stopped at --max-runtime; the next run continues where this one stopped'
      : undefined;
    return {
      dryRun: ctx.dryRun,
      stoppedEarly,
      tables,
      totals: pruneTotals(tables),
      message,
      ...(made.results ? { partitionsMade: made.results.flatMap((r) => r.created) } : {}),
      ...(made.skipped ? { maintainSkipped: made.skipped } : {}),
    };
  });
}

/** Reads what the policy's plan needs (the first late row, if it must look for one) and plans it. */
async function planPolicy(
  ctx: RunContext,
  policy: EffectivePolicy,
  marks: ReadonlyMap<string, Watermark>,
  refs: ReadonlyMap<string, readonly CatalogReference[]>,
): Promise<PolicyPrunePlan> {
  const probe = lateRowProbe(policy, marks);
  const detail = { ...detailTarget(policy, refs.get(policy.table) ?? []), examinedUpTo: probe?.examinedUpTo };
  const first = probe ? await firstUnexamined(ctx, detail, probe) : null;
  return planPolicyPrune(policy, marks, first);
}

function targetOf(
  policy: EffectivePolicy,
  plan: PolicyPrunePlan,
  step: PruneStep,
  refs: ReadonlyMap<string, readonly CatalogReference[]>,
): DeleteTarget {
  const catalog = refs.get(step.table) ?? [];
  if (step.kind === 'summary') return summaryTarget(summaryNamed(step.table), catalog);
  return { ...detailTarget(policy, catalog), examinedUpTo: plan.examinedUpTo };
}

async function pruneTable(
  ctx: RunContext,
  options: PruneOptions,
  policy: EffectivePolicy,
  step: PruneStep,
  target: DeleteTarget,
  going: { table: string; condition: RawBuilder<boolean> } | undefined,
): Promise<{ table: TablePrune; stoppedEarly: boolean }> {
  const started = performance.now();
  const { kind, cutoff, effective, awaitingSummary } = step;
  const table: TablePrune = {
    policy: policy.name,
    table: target.table,
    kind,
    cutoff,
    effectiveCutoff: effective,
    deleted: 0,
    heldBack: {},
    batches: 0,
    slowestBatchMs: 0,
    batchMsP50: 0,
    batchMsP99: 0,
    durationMs: 0,
  };
  const waiting = awaitingSummary
    ? await notYetSummarized(ctx, target, awaitingSummary.from, awaitingSummary.until)
    : 0;
  const finish = (heldBack: Record<string, number>, stoppedEarly = false) => {
    table.heldBack = heldBackWithWaiting(heldBack, waiting);
    table.durationMs = Math.round(performance.now() - started);
    return { table, stoppedEarly };
  };
  if (effective === null) return finish({});
  if (ctx.dryRun) {
    // A partitioned table is pruned up to the partition the cutoff falls in (see rowWiseCutoff).
    const reach = kind === 'detail' ? await rowWiseCutoff(ctx.client, target.table, effective) : effective;
    const counts = await dryRunCounts(ctx, target, reach, going);
    table.eligible = counts.eligible;
    table.estimatedBatches = estimatedBatches(counts.eligible, options.batchSize);
    return finish(counts.heldBack);
  }
  const runId = ctx.runId as number;
  await openStep(ctx.client, runId, {
    policy: policy.name,
    table: target.table,
    action: 'prune',
    cutoff,
    effectiveCutoff: effective,
  });
  if (kind === 'detail') await advancePrunedBefore(ctx.client, target.table, effective, target.examinedUpTo);
  if (kind === 'detail') {
    // Whole partitions first: what they cannot drop, row-wise prune deletes below.
    const whole = await prunePartitions(ctx, target, effective);
    if (whole.dropped.length || whole.kept.length) {
      table.deleted += [...whole.dropped, ...whole.kept.filter((p) => p.reason.startsWith('emptied'))].reduce(
        (sum, p) => sum + p.rows,
        0,
      );
      table.batches += whole.dropped.length + whole.kept.filter((p) => p.reason.startsWith('emptied')).length;
      table.partitionsDropped = whole.dropped.map((p) => ({
        name: p.name,
        rows: p.rows,
        parentLockMs: p.parentLockMs,
      }));
      table.partitionsKept = whole.kept.map((p) => ({ name: p.name, reason: p.reason }));
    }
  }
  const estimated = options.onProgress
    ? await estimateRows(ctx.db, target.table, target.timeColumn, null, effective)
    : 0;
  const sizer = new BatchSizer({ maxRows: options.batchSize, targetMs: options.batchTargetMs });
  // Both are set by the loop's last pass: it always runs at least once.
  let heldBack: Record<string, number>;
  let stoppedEarly: boolean;
  const batchMs: number[] = [];
  const treeReasons = target.references.some((r) => r.reason === CHILD_REASON) ? [CHILD_REASON] : [];
  // Repeated while a pass frees parents whose children it deleted (see needsAnotherPass).
  const rowWise = kind === 'detail' ? await rowWiseCutoff(ctx.client, target.table, effective) : effective;
  if (rowWise !== effective) table.rowWiseCutoff = rowWise;
  for (;;) {
    const result = await deleteInBatches(ctx, target, rowWise, sizer, (deleted) =>
      options.onProgress?.({ action: 'prune', table: target.table, done: table.deleted + deleted, estimated }),
    );
    table.deleted += result.deleted;
    table.batches += result.batches;
    table.slowestBatchMs = Math.max(table.slowestBatchMs, Math.round(result.slowestBatchMs));
    heldBack = result.heldBack;
    stoppedEarly = result.stoppedEarly;
    batchMs.push(...result.batchMs);
    if (!needsAnotherPass(result, treeReasons)) break;
  }
  if (target.references.length === 0) {
    heldBack = {
      legal_hold: await underHold(ctx, target, effective),
      not_yet_summarized: await notExaminedYet(ctx, target, effective),
    };
  }
  const { p50, p99 } = batchPercentiles(batchMs);
  table.batchMsP50 = p50;
  table.batchMsP99 = p99;
  const done = finish(heldBack, stoppedEarly);
  await setHeldBack(ctx.client, runId, target.table, table.heldBack);
  return done;
}

/**
 * The earliest time of a row no summary has examined yet (a late row) before `probe.before`; null
 * when there is none.
 */
async function firstUnexamined(ctx: RunContext, target: DeleteTarget, probe: LateRowProbe): Promise<string | null> {
  const unseen = unexamined(target);
  if (!unseen) return null;
  const time = sql.ref(`s.${target.timeColumn}`);
  const { rows } = await sql<{ t: string | null }>`
    SELECT ${utcTextOf(sql`min(${time})`)} AS t FROM ${sql.table(target.table)} AS s
     WHERE ${unseen} AND ${time} < ${probe.before}::timestamp`.execute(ctx.db);
  return rows[0]?.t ?? null;
}

/** For a dry run of operations: the API call logs this same run would delete (alias `r`). */
async function goingAway(
  ctx: RunContext,
  policies: readonly EffectivePolicy[],
  refs: ReadonlyMap<string, readonly CatalogReference[]>,
): Promise<{ table: string; condition: RawBuilder<boolean> } | undefined> {
  const api = policies.find((p) => p.name === 'api_call_logs');
  if (!api) return undefined;
  const plan = await planPolicy(ctx, api, await readWatermarks(ctx.client), refs);
  const cutoff = plan.steps[0].effective;
  if (cutoff === null) return undefined;
  const held = holdCondition(await listHolds(ctx.client, { table: 'api_call_logs' }), 'r', 'called_at', 'id');
  const unseen = unexamined({ ...detailTarget(api, refs.get(api.table) ?? []), examinedUpTo: plan.examinedUpTo }, 'r');
  return {
    table: 'api_call_logs',
    condition: sql<boolean>`r.called_at < ${cutoff}::timestamp${held ? sql` AND NOT ${held}` : sql``}${unseen ? sql` AND NOT ${unseen}` : sql``}`,
  };
}
