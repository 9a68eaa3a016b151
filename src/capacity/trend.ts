/** One snapshot reading: days since some origin, and the value then (bytes or rows). */
export interface TrendPoint {
  readonly day: number;
  readonly value: number;
}

/** How far to trust a fitted trend. */
export type Confidence = 'none' | 'low' | 'medium' | 'high';

export interface Trend {
  /** Readings used and the days they span. */
  readonly points: number;
  readonly spanDays: number;
  /** The least-squares slope (per day), or null with fewer than 2 readings over time. */
  readonly perDay: number | null;
  /** The fit's coefficient of determination, 0-1 (1 when every reading is on the line). */
  readonly r2: number | null;
  /** The standard error of the slope (per day); null with fewer than 3 readings. */
  readonly perDayStdError: number | null;
  readonly confidence: Confidence;
  /** Why the confidence is what it is, in words. */
  readonly reason: string;
}

/** Below this R² a trend is noise (the bar monpg uses); at or above HIGH_R2 it is firm. */
export const LOW_R2 = 0.7;
export const HIGH_R2 = 0.9;
/** A trend needs this many readings spanning at least MIN_SPAN_DAYS before it says anything. */
export const MIN_POINTS = 3;
export const MIN_SPAN_DAYS = 1;

/**
 * Fits a straight line through snapshot readings by least squares and says how far to trust it:
 * `none` under 3 readings or a day's span, `low` when R² < 0.7 or the slope's standard error is
 * more than half the slope, `high` at R² >= 0.9 with a standard error under a tenth of it, `medium` between.
 *
 * @example
 * fitTrend([{ day: 0, value: 10 }, { day: 1, value: 12 }, { day: 2, value: 14 }]) // perDay 2, r2 1, confidence 'high'
 */
export function fitTrend(points: readonly TrendPoint[]): Trend {
  const n = points.length;
  const days = points.map((p) => p.day);
  const spanDays = n ? Math.max(...days) - Math.min(...days) : 0;
  if (n < 2 || spanDays === 0) {
    return { points: n, spanDays, perDay: null, r2: null, perDayStdError: null, confidence: 'none', reason: few(n) };
  }
  const meanX = days.reduce((s, x) => s + x, 0) / n;
  const meanY = points.reduce((s, p) => s + p.value, 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (const p of points) {
    sxx += (p.day - meanX) ** 2;
    sxy += (p.day - meanX) * (p.value - meanY);
    syy += (p.value - meanY) ** 2;
  }
  const perDay = sxy / sxx;
  const residual = points.reduce((s, p) => s + (p.value - (meanY + perDay * (p.day - meanX))) ** 2, 0);
  // A flat series fits a flat line perfectly.
  const r2 = syy === 0 ? 1 : Math.max(0, 1 - residual / syy);
  const perDayStdError = n > 2 ? Math.sqrt(residual / (n - 2) / sxx) : null;
  const base = { points: n, spanDays, perDay, r2, perDayStdError };
  if (n < MIN_POINTS || spanDays < MIN_SPAN_DAYS) return { ...base, confidence: 'none', reason: few(n, spanDays) };
  const relative = perDay === 0 ? (perDayStdError === 0 ? 0 : Infinity) : (perDayStdError ?? 0) / Math.abs(perDay);
  const r2Text = `R² ${r2.toFixed(2)}, standard error ${(relative * 100).toFixed(0)} % of the slope`;
  if (r2 < LOW_R2 || relative > 0.5) return { ...base, confidence: 'low', reason: `${r2Text}: too noisy to project` };
  if (r2 >= HIGH_R2 && relative < 0.1) return { ...base, confidence: 'high', reason: r2Text };
  return { ...base, confidence: 'medium', reason: r2Text };
}

function few(n: number, spanDays = 0): string {
  return n < MIN_POINTS
    ? `${n} snapshot${n === 1 ? '' : 's'}; a trend needs ${MIN_POINTS}`
    : `snapshots span ${spanDays.toFixed(2)} days; a trend needs ${MIN_SPAN_DAYS}`;
}
