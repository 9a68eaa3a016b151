import type { PolicyDefinition } from './policies.js';
import { summaryNamed, type BucketUnit } from './summaries.js';
import { addUnits, earlier, truncateTo } from './time.js';
import type { Watermark } from '../ledger/retention-watermarks.js';
import { summarizedUntil } from './watermarks.js';

/** What prune plans from: a policy and the cutoffs it has at the run's "now" (see `loadPolicies`). */
export interface PrunePolicy extends PolicyDefinition {
  readonly detailCutoff: string;
  readonly summaryCutoff: string | null;
}

/** Where prune must look for a late row before it settles the detail cutoff. */
export interface LateRowProbe {
  /** Rows with a higher id have not been examined by every summary yet. */
  readonly examinedUpTo: number;
  /** The policy's widest bucket: a late row holds back the whole bucket it falls in. */
  readonly unit: BucketUnit;
  /** Look at rows before this: the end of the widest bucket the cutoff falls in. */
  readonly before: string;
}

/** One table prune visits, and how far it may delete. */
export interface PruneStep {
  readonly kind: 'detail' | 'summary';
  readonly table: string;
  /** The policy's horizon: rows older than this are past it. */
  readonly cutoff: string;
  /** How far prune deletes: null while nothing is summarized. */
  readonly effective: string | null;
  /** Detail rows past the horizon that wait for their summary, [from, until); null when none can. */
  readonly awaitingSummary: { readonly from: string | null; readonly until: string } | null;
}

export interface PolicyPrunePlan {
  /** The id up to which every summary has examined the detail rows; undefined without summaries. */
  readonly examinedUpTo: number | undefined;
  /** The detail table first, then the summaries in the policy's order. */
  readonly steps: readonly PruneStep[];
}

const UNIT_ORDER: readonly BucketUnit[] = ['hour', 'day', 'month'];

/**
 * The id up to which every summary of the policy has looked for late rows: the lowest
 * `previousSeenId` among them (a summarize looks one run back, so ids up to that one have been
 * examined even if their transaction was still open during the last run). Undefined for a policy
 * without summaries, whose rows need none.
 *
 * @example
 * examinedUpTo(apiPolicy, marks) // 4000
 */
export function examinedUpTo(
  policy: Pick<PrunePolicy, 'summaries'>,
  marks: ReadonlyMap<string, Watermark>,
): number | undefined {
  if (policy.summaries.length === 0) return undefined;
  return Math.min(...policy.summaries.map((s) => marks.get(s)?.previousSeenId ?? 0));
}

/**
 * What prune must read before it can settle the detail cutoff: the earliest row no summary has
 * examined yet, before the end of the bucket the cutoff falls in. Null when there is nothing to
 * look for: no summaries, or nothing summarized yet (then nothing is deleted anyway).
 *
 * @example
 * lateRowProbe(apiPolicy, marks) // { examinedUpTo: 4000, unit: 'day', before: '2026-03-04 00:00:00' }
 */
export function lateRowProbe(policy: PrunePolicy, marks: ReadonlyMap<string, Watermark>): LateRowProbe | null {
  const cutoff = summarizedCutoff(policy, marks);
  const examined = examinedUpTo(policy, marks);
  if (cutoff === null || examined === undefined) return null;
  const unit = widestUnit(policy.summaries);
  // The end of the bucket the cutoff falls in (the cutoff itself when it is a bucket's start).
  const truncated = truncateTo(unit, cutoff);
  return { examinedUpTo: examined, unit, before: truncated === cutoff ? cutoff : addUnits(truncated, 1, unit) };
}

/**
 * Plans a policy's prune. Detail rows go up to the earlier of the horizon and the summaries'
 * watermark (nothing while a summary has never run; the horizon for a policy without summaries),
 * moved back to the start of the bucket of the first late row (`firstLateRow`, what the
 * executor found for `lateRowProbe`): the next summarize then finds that bucket whole and
 * recomputes it, where a thinned bucket could only take the late row in. A summary prunes whole
 * buckets: those that ended before its own horizon.
 *
 * @example
 * planPolicyPrune(apiPolicy, marks, '2026-02-10 13:00:00').steps[0].effective // '2026-02-10 00:00:00'
 */
export function planPolicyPrune(
  policy: PrunePolicy,
  marks: ReadonlyMap<string, Watermark>,
  firstLateRow: string | null,
): PolicyPrunePlan {
  const summarized = summarizedCutoff(policy, marks);
  const probe = lateRowProbe(policy, marks);
  // Without a probe there is no late row to hold back.
  const late = probe && firstLateRow !== null ? truncateTo(probe.unit, firstLateRow) : null;
  const effective = summarized === null || late === null ? summarized : earlier(summarized, late);
  const cutoff = policy.detailCutoff;
  const detail: PruneStep = {
    kind: 'detail',
    table: policy.table,
    cutoff,
    effective,
    awaitingSummary: effective !== null && effective >= cutoff ? null : { from: effective, until: cutoff },
  };
  const summaries = policy.summaries.map((name): PruneStep => {
    const horizon = policy.summaryCutoff;
    if (horizon === null) {
      throw new Error(`internal error: ${policy.name} has summaries but no summary horizon (this is a bug in rasdb)`);
    }
    const bucketStart = truncateTo(summaryNamed(name).unit, horizon);
    return { kind: 'summary', table: name, cutoff: bucketStart, effective: bucketStart, awaitingSummary: null };
  });
  return { examinedUpTo: examinedUpTo(policy, marks), steps: [detail, ...summaries] };
}

/** The earlier of the horizon and the summaries' watermark; null while a summary has never run. */
function summarizedCutoff(policy: PrunePolicy, marks: ReadonlyMap<string, Watermark>): string | null {
  const until = summarizedUntil(policy, marks);
  if (until === undefined) return policy.detailCutoff;
  return until === null ? null : earlier(until, policy.detailCutoff);
}

/** The widest bucket of the policy's summaries (a day for the hourly and daily performance rollups). */
function widestUnit(summaries: readonly string[]): BucketUnit {
  const units = summaries.map((name) => summaryNamed(name).unit);
  return units.reduce((a, b) => (UNIT_ORDER.indexOf(b) > UNIT_ORDER.indexOf(a) ? b : a));
}
