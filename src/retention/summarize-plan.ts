import type { BucketUnit } from './summaries.js';
import { writeSpan } from './summarize-span.js';
import { truncateTo } from './time.js';
import type { Watermark } from '../ledger/retention-watermarks.js';

/** What one summary's run does, decided before it touches a row. */
export interface SummaryPlan {
  /** The start of the bucket still open at the run's "now": summarize stops there. */
  readonly closedUntil: string;
  /** Buckets per transaction while catching up. */
  readonly write: number;
  /** False on a summary's first run: nothing is summarized yet, so no row can be late. */
  readonly takeInLateRows: boolean;
}

/**
 * Plans one summary's run from the run's "now" and the summary's watermark.
 *
 * @example
 * planSummary('day', '2026-01-31 12:00:00', mark)
 * // { closedUntil: '2026-01-31 00:00:00', write: 31, takeInLateRows: true }
 */
export function planSummary(
  unit: BucketUnit,
  asOf: string,
  mark: Watermark,
  maxBucketsPerTransaction?: number,
): SummaryPlan {
  return {
    closedUntil: truncateTo(unit, asOf),
    write: writeSpan(unit, maxBucketsPerTransaction),
    takeInLateRows: mark.summarizedUntil !== null,
  };
}

/**
 * The watermark's ids after a run that saw ids up to `seenId`; its `summarizedUntil` moves with
 * each range written. Late rows are looked for one run back (above the id the last run saw), so a
 * row whose transaction was still open during that run is found by this one; for the same reason
 * ids up to the last run's are the ones folded into thinned buckets now. A first run has nothing
 * summarized for a row to be late to: every id it sees counts as examined.
 *
 * @example
 * advanceWatermark({ ...mark, seenId: 5000, previousSeenId: 4000, mergedUpTo: 4000 }, 5200)
 * // { ...mark, seenId: 5200, previousSeenId: 5000, mergedUpTo: 5000 }
 */
export function advanceWatermark(mark: Watermark, seenId: number): Watermark {
  const firstRun = mark.summarizedUntil === null;
  return {
    ...mark,
    seenId,
    previousSeenId: firstRun ? seenId : mark.seenId,
    mergedUpTo: firstRun ? seenId : Math.max(mark.mergedUpTo, mark.seenId),
  };
}
