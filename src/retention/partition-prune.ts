import type pg from 'pg';
import { sql, type RawBuilder } from 'kysely';
import { kyselyOn } from '../db/single-client-pool.js';
import { LockKey, withAdvisoryLock } from '../db/advisory-lock.js';
import { isConnectionLost } from '../db/connection-lost.js';
import { RasdbError } from '../errors.js';
import { lockedHolds } from '../ledger/retention-holds.js';
import { addToStep } from '../ledger/retention-runs.js';
import { dropExpiredPartitions, type DropResult } from '../partition/drop.js';
import { DEFAULT_LOCK_SETTINGS } from '../partition/locked-step.js';
import { maintainUnlocked, type MaintainResult } from '../partition/maintain.js';
import { referencedThrough, unexamined, type DeleteTarget } from './batch-delete.js';
import { holdCondition } from './holds.js';
import type { RunContext } from './run-context.js';

/**
 * Drops the target's partitions that lie wholly before `cutoff` (the effective cutoff: the
 * horizon, the summaries' watermark and the first late row all in it) when none of their rows is
 * under a hold, unexamined by a summary, or referenced; each drop adds its rows to the run's prune
 * step, as a batch of row-wise prune does. A partition that must keep rows stays whole here and
 * row-wise prune then deletes the rest of it. Nothing happens on an unpartitioned table.
 *
 * @example
 * const { dropped } = await prunePartitions(ctx, apiTarget, '2026-09-01 00:00:00');
 */
export async function prunePartitions(ctx: RunContext, target: DeleteTarget, cutoff: string): Promise<DropResult> {
  const runId = ctx.runId as number;
  return dropExpiredPartitions(ctx.client, {
    table: target.table,
    cutoff,
    runId,
    settings: DEFAULT_LOCK_SETTINGS,
    keep: (partition, client) => keepReason(client, target, partition),
    onDropped: (p, client) => addToStep(client, runId, target.table, 'prune', { deleted: p.rows, batches: 1 }),
    openWorker: ctx.openWorker,
  });
}

/** The first reason a row of `partition` must stay, or null. New holds wait for this transaction. */
async function keepReason(client: pg.Client, target: DeleteTarget, partition: string): Promise<string | null> {
  const holds = await lockedHolds(client, target.table);
  const reasons: [string, RawBuilder<boolean> | null][] = [
    ['legal_hold', holdCondition(holds, 's', target.timeColumn, target.idColumn)],
    ['not_yet_summarized', unexamined(target)],
    ...target.references.map((r): [string, RawBuilder<boolean>] => [r.reason, referencedThrough(r)]),
  ];
  for (const [reason, condition] of reasons) {
    if (!condition) continue;
    const { rows } = await sql<{ any: boolean }>`
      SELECT EXISTS (SELECT 1 FROM ${sql.table(partition)} AS s WHERE ${condition}) AS any`.execute(kyselyOn(client));
    if (rows[0].any) return reason;
  }
  return null;
}

/**
 * Prune makes partitions ahead first, as `partition maintain` does, when it can take the
 * migration lock at once (it holds the retention lock already); when a migration holds it, or a
 * lock wait gives up, prune goes on and says why it made none.
 *
 * @example
 * const made = await maintainBeforePrune(ctx); // { results: [...] } or { skipped: '...' }
 */
export async function maintainBeforePrune(ctx: RunContext): Promise<{ results?: MaintainResult[]; skipped?: string }> {
  try {
    const results = await withAdvisoryLock(ctx.client, LockKey.migrate, 0, () =>
      maintainUnlocked(ctx.client, ctx.timeZone, DEFAULT_LOCK_SETTINGS, ctx.runId),
    );
    return { results };
  } catch (error) {
    if (error instanceof RasdbError && !isConnectionLost(error)) return { skipped: (error as Error).message };
    throw error;
  }
}
