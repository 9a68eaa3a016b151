import type { Watermark } from '../ledger/retention-watermarks.js';
import type { PolicyDefinition } from './policies.js';

/**
 * The point up to which a policy's detail rows are summarized: the earliest watermark of its
 * summaries; null when one of them has never run. `undefined` for a policy without summaries,
 * whose rows need no summary before they go.
 *
 * @example
 * summarizedUntil(performancePolicy, marks) // the earlier of the hourly and the daily watermark
 */
export function summarizedUntil(
  policy: PolicyDefinition,
  marks: ReadonlyMap<string, Watermark>,
): string | null | undefined {
  if (policy.summaries.length === 0) return undefined;
  const points = policy.summaries.map((s) => marks.get(s)?.summarizedUntil ?? null);
  if (points.some((p) => p === null)) return null;
  return (points as string[]).reduce((a, b) => (b < a ? b : a));
}
