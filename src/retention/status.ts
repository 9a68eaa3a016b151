import type pg from 'pg';
import { listHolds, type Hold } from '../ledger/retention-holds.js';
import { loadPolicies, type EffectivePolicy } from './policies.js';
import { assertRetentionTables } from './run-context.js';
import { recentRuns, type RunRecord } from '../ledger/retention-runs.js';
import { resolveAsOf } from './time.js';
import { readPrunedBefore, readWatermarks, unstarted, type Watermark } from '../ledger/retention-watermarks.js';

export interface RetentionStatus {
  asOf: string;
  policies: (EffectivePolicy & { prunedBefore: string | null; watermarks: Watermark[] })[];
  holds: Hold[];
  runs: RunRecord[];
}

/**
 * Everything an operator or an auditor asks first: the policies in force with their cutoffs,
 * each summary's watermark, how far each table was pruned, the active holds and the last runs
 * (an interrupted run shows as `running` until the next run marks it `interrupted`). Reads only.
 *
 * @example
 * const { runs } = await retentionStatus(client, { runs: 5 }); runs[0].outcome // 'succeeded'
 */
export async function retentionStatus(client: pg.Client, options: { runs?: number; now?: string } = {}): Promise<RetentionStatus> {
  await assertRetentionTables(client);
  const asOf = await resolveAsOf(client, options.now);
  const marks = await readWatermarks(client);
  const pruned = await readPrunedBefore(client);
  const policies = (await loadPolicies(client, asOf, undefined, { enforceMinimum: false })).map((p) => ({
    ...p,
    prunedBefore: pruned.get(p.table) ?? null,
    watermarks: p.summaries.map((s) => marks.get(s) ?? unstarted(s, p.name)),
  }));
  return { asOf, policies, holds: await listHolds(client), runs: await recentRuns(client, options.runs ?? 10) };
}
