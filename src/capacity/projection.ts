/** The horizons the report projects stock to, in years. */
export const HORIZONS = [1, 3, 7] as const;

export const DAYS_PER_YEAR = 365.25;

/** How long a table keeps its rows: a number of days, or null for ever (no policy). */
export interface Keep {
  readonly days: number | null;
  /** Where it came from: a retention policy's name, or why there is none. */
  readonly source: string;
}

export interface StockProjection {
  readonly years: number;
  /** Bytes on disk after `years` of the flow, under the retention in force. */
  readonly withRetention: number;
  /** Bytes had nothing ever been deleted: the flow times the years. */
  readonly withoutRetention: number;
  /** What retention saves: the difference. */
  readonly saved: number;
}

/**
 * Stock from flow: a table that gains `bytesPerDay` and keeps its rows `keep.days` holds, after
 * `years`, the flow of the last min(years, keep) — it levels off once rows start to expire; a
 * table that keeps rows for ever grows by the flow every year. Starts from an empty table (the
 * document's figures are flows of a new deployment); summaries the policies keep are not counted.
 *
 * @example
 * projectStock(1 * 2 ** 30, { days: 90, source: 'api_call_logs' }, [1, 7]) // 90 GiB at 1 and 7 years; 2466.75 GiB saved at 7
 */
export function projectStock(
  bytesPerDay: number,
  keep: Keep,
  horizons: readonly number[] = HORIZONS,
): StockProjection[] {
  return horizons.map((years) => {
    const days = years * DAYS_PER_YEAR;
    const withoutRetention = bytesPerDay * days;
    const withRetention = keep.days === null ? withoutRetention : bytesPerDay * Math.min(days, keep.days);
    return { years, withRetention, withoutRetention, saved: withoutRetention - withRetention };
  });
}

/**
 * Adds projections of several tables horizon by horizon.
 *
 * @example
 * sumProjections([projectStock(1, { days: null, source: '' })]) // one table: itself
 */
export function sumProjections(
  all: readonly (readonly StockProjection[])[],
  horizons: readonly number[] = HORIZONS,
): StockProjection[] {
  return horizons.map((years, i) => {
    const at = all.map((p) => p[i]).filter(Boolean);
    return {
      years,
      withRetention: at.reduce((s, p) => s + p.withRetention, 0),
      withoutRetention: at.reduce((s, p) => s + p.withoutRetention, 0),
      saved: at.reduce((s, p) => s + p.saved, 0),
    };
  });
}
