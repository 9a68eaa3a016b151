import type pg from 'pg';
import { listHolds, type Hold } from '../ledger/retention-holds.js';
import { loadPolicies, type EffectivePolicy } from './policies.js';
import { assertRetentionTables } from './run-context.js';
import { recentRuns, type RunRecord } from '../ledger/retention-runs.js';
import { ExitCode, RasdbError } from '../errors.js';
import { resolveAsOf } from './time.js';
import { resolveDataZone } from './time-zone.js';
import { readPrunedBefore, readWatermarks, unstarted, type Watermark } from '../ledger/retention-watermarks.js';

export interface RetentionStatus {
  /** A reading of the data's clock (`timeZone`). */
  asOf: string;
  /** The zone the data is written in; null, with `timeZoneProblem`, when retention would refuse to run. */
  timeZone: string | null;
  timeZoneSource: string | null;
  timeZoneProblem: string | null;
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
export async function retentionStatus(
  client: pg.Client,
  options: { runs?: number; now?: string } = {},
): Promise<RetentionStatus> {
  await assertRetentionTables(client);
  // The status is what an operator reads to find out why runs refuse: it says so instead of refusing.
  const problem = (error: unknown): string => {
    if (error instanceof RasdbError && error.exitCode === ExitCode.check) return error.message;
    throw error;
  };
  const zone = await resolveDataZone(client, { allowChange: true }).then(
    (z) => ({ timeZone: z.timeZone, timeZoneSource: z.source, timeZoneProblem: null as string | null }),
    (error: unknown) => ({ timeZone: null, timeZoneSource: null, timeZoneProblem: problem(error) }),
  );
  if (zone.timeZone !== null) zone.timeZoneProblem = await resolveDataZone(client).then(() => null, problem);
  const asOf = await resolveAsOf(client, zone.timeZone ?? 'UTC', options.now);
  const marks = await readWatermarks(client);
  const pruned = await readPrunedBefore(client);
  const policies = (await loadPolicies(client, asOf, undefined, { enforceMinimum: false })).map((p) => ({
    ...p,
    prunedBefore: pruned.get(p.table) ?? null,
    watermarks: p.summaries.map((s) => marks.get(s) ?? unstarted(s, p.name)),
  }));
  return {
    asOf,
    ...zone,
    policies,
    holds: await listHolds(client),
    runs: await recentRuns(client, options.runs ?? 10),
  };
}
