/**
 * What the statistics say of one relation's time column, in seconds since 1970 of the naive
 * (zone-less) readings, as `extract(epoch FROM timestamp)` gives them.
 */
export interface ColumnStats {
  /** pg_class.reltuples at the last ANALYZE or VACUUM (-1: never). */
  readonly reltuples: number;
  /** pg_class.relpages then, and the pages the relation has now. */
  readonly relpages: number;
  readonly pages: number;
  /** pg_stat's live rows: every insert and delete counted since ANALYZE (0 after a statistics reset). */
  readonly liveTuples: number;
  readonly nullFrac: number;
  /** pg_stats.histogram_bounds; empty when ANALYZE found too few distinct values. */
  readonly bounds: readonly number[];
  /** pg_stats.most_common_vals and most_common_freqs. */
  readonly common: readonly number[];
  readonly commonFreqs: readonly number[];
}

/**
 * The rows a relation has now: the larger of the statistics system's live count (every insert
 * and delete since ANALYZE, but only since the counters were last reset: a crash, pg_stat_reset,
 * a copy of the database) and the planner's reckoning (the density at the last ANALYZE applied
 * to the relation's current size, short when the new rows are narrower than the old). Each falls
 * short in its own case; in a log written by appends neither overshoots for long (VACUUM after
 * a prune brings the density back). Null when neither knows anything.
 *
 * @example
 * currentRows({ liveTuples: 0, reltuples: 1000, relpages: 10, pages: 12, ... }) // 1200
 */
export function currentRows(
  stats: Pick<ColumnStats, 'reltuples' | 'relpages' | 'pages' | 'liveTuples'>,
): number | null {
  if (stats.reltuples < 0) return stats.liveTuples > 0 ? stats.liveTuples : null;
  const scaled = stats.relpages <= 0 ? stats.reltuples : (stats.reltuples / stats.relpages) * stats.pages;
  return Math.max(stats.liveTuples, scaled);
}

/** The share of histogram rows at or below `x`, by linear interpolation inside a bucket. */
function below(bounds: readonly number[], x: number): number {
  const buckets = bounds.length - 1;
  if (x <= bounds[0]) return 0;
  if (x >= bounds[buckets]) return 1;
  let i = 0;
  while (bounds[i + 1] < x) i++;
  const width = bounds[i + 1] - bounds[i];
  return (i + (width > 0 ? (x - bounds[i]) / width : 1)) / buckets;
}

/**
 * The rows with `from <= column < until`, from the statistics: the rows ANALYZE saw as the
 * planner counts them (most common values by their frequencies, the rest spread linearly over
 * the histogram's buckets, the lowest bound widened to the column's actual `min` when known),
 * plus the rows written since (the table's growth in pages, see currentRows), which in a log
 * written in time order lie between the histogram's highest bound and the actual `max` (or
 * `until` when the max is not known). The planner would put those few in the last bucket and
 * miss most of a recent window: autovacuum analyzes a large table only after 10 % of it changed,
 * weeks of rows for a log. Null without statistics.
 *
 * @example
 * estimateInRange(stats, 0, 86_400) // 12500
 */
export function estimateInRange(
  stats: ColumnStats,
  from: number,
  until: number,
  actual: { min?: number | null; max?: number | null } = {},
): number | null {
  const rows = currentRows(stats);
  if (rows === null) return null;
  if (rows === 0) return 0;
  const commonShare = stats.commonFreqs.reduce((s, f) => s + f, 0);
  const common = stats.common.reduce((s, v, i) => s + (v >= from && v < until ? stats.commonFreqs[i] : 0), 0);
  if (stats.bounds.length < 2 && !stats.common.length) return null;
  let spread = 0;
  let top = stats.common.length ? Math.max(...stats.common) : -Infinity;
  if (stats.bounds.length >= 2) {
    const bounds = [...stats.bounds];
    if (actual.min !== null && actual.min !== undefined && actual.min < bounds[0]) bounds[0] = actual.min;
    top = Math.max(top, bounds[bounds.length - 1]);
    spread = (below(bounds, until) - below(bounds, from)) * Math.max(0, 1 - stats.nullFrac - commonShare);
  }
  const seen = Math.min(rows, Math.max(0, stats.reltuples));
  const grown = rows - seen;
  const newest = Math.max(top, actual.max ?? until);
  const newShare =
    newest > top
      ? Math.max(0, Math.min(until, newest) - Math.max(from, top)) / (newest - top)
      : top >= from && top < until
        ? 1
        : 0;
  return seen * (common + spread) + grown * (1 - stats.nullFrac) * newShare;
}
