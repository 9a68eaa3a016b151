import type { BucketUnit } from './summaries.js';
import type { BucketRange } from './summarize-span.js';
import { addUnits } from './time.js';
import type { Watermark } from '../ledger/retention-watermarks.js';

/** A summarized bucket that gained rows since the runs that summarized it (see `lateBuckets`). */
export interface LateBucket {
  readonly bucket: string;
  /** All its raw rows are still there: it starts at or after the prune boundary. */
  readonly kept: boolean;
  readonly newRows: number;
  /** Rows in the id range the next fold into thinned buckets takes. */
  readonly mergeable: number;
  /** For a kept bucket: its summary still counts exactly its raw rows. */
  readonly inStep: boolean;
}

/** The id range and buckets of late rows to fold into buckets prune has thinned. */
export interface LateMerge {
  readonly afterId: number;
  readonly upToId: number;
  /** Rows before the watermark only: later ones are summarized as usual. */
  readonly until: string;
  /** Buckets before the prune boundary only: later ones are whole and recomputed. */
  readonly keptFrom: string;
}

export interface LateRowsPlan {
  /** Kept buckets whose summary no longer matches their raw rows: recomputed whole. */
  readonly recompute: readonly BucketRange[];
  /** Null when no thinned bucket has late rows to fold in. */
  readonly merge: LateMerge | null;
}

/**
 * What to do about late rows, from the buckets that have them: a bucket whose raw rows are all
 * kept is recomputed when its summary is out of step; late rows of buckets prune has thinned
 * (before `keptFrom`, the prune boundary) are folded in, since a recompute would lose the rows
 * prune deleted. Without a prune boundary nothing was thinned.
 *
 * @example
 * planLateRows(late, mark, '2026-03-03 00:00:00', 'day')
 * // { recompute: [{ from: '2026-05-20 00:00:00', to: '2026-05-21 00:00:00' }], merge: null }
 */
export function planLateRows(
  late: readonly LateBucket[],
  mark: Pick<Watermark, 'summarizedUntil' | 'seenId' | 'mergedUpTo'>,
  keptFrom: string | null,
  unit: BucketUnit,
): LateRowsPlan {
  const outOfStep = late.filter((b) => b.kept && !b.inStep);
  const recompute = outOfStep.map((b) => ({ from: b.bucket, to: addUnits(b.bucket, 1, unit) }));
  const thinnedWithLateRows = late.some((b) => !b.kept && b.mergeable > 0);
  if (keptFrom === null || !thinnedWithLateRows || mark.summarizedUntil === null) return { recompute, merge: null };
  return { recompute, merge: { afterId: mark.mergedUpTo, upToId: mark.seenId, until: mark.summarizedUntil, keptFrom } };
}
