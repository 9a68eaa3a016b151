import { usageError } from '../errors.js';

/** A category's yearly flow against its estimate. */
export interface FlowAgainstEstimate {
  readonly name: string;
  readonly yearlyBytes: number;
  readonly estimateBytes: number;
}

export interface Overrun {
  readonly name: string;
  /** Yearly flow / estimate. */
  readonly ratio: number;
}

/**
 * The categories whose projected yearly flow exceeds `limit` times their estimate, worst first.
 *
 * @example
 * overruns([{ name: 'analytics', yearlyBytes: 300, estimateBytes: 200 }], 1.2) // [{ name: 'analytics', ratio: 1.5 }]
 */
export function overruns(categories: readonly FlowAgainstEstimate[], limit: number): Overrun[] {
  return categories
    .map((c) => ({ name: c.name, ratio: c.yearlyBytes / c.estimateBytes }))
    .filter((c) => c.ratio > limit)
    .sort((a, b) => b.ratio - a.ratio);
}

/**
 * Parses a `--fail-over` ratio: a positive number such as 1, 1.5 or 0.8.
 *
 * @example
 * parseRatio('--fail-over', '1.5') // 1.5
 */
export function parseRatio(flag: string, value: string): number {
  const ratio = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !(ratio > 0 && Number.isFinite(ratio))) {
    throw usageError(`${flag} must be a positive ratio such as 1 or 1.5, got "${value}"`);
  }
  return ratio;
}
