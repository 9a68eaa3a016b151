import { BatchSizer } from './batch-size.js';

/** What one pass of batches over a table came to (see `deleteInBatches`). */
export interface PassOutcome {
  readonly deleted: number;
  readonly heldBack: Readonly<Record<string, number>>;
  readonly stoppedEarly: boolean;
}

/**
 * Whether prune passes over a table once more. Operations can reference operations: a parent is
 * kept while its child exists, so a pass that deleted rows and kept some for a child (one of
 * `treeReasons`) is repeated, and trees empty from their leaves.
 *
 * @example
 * needsAnotherPass({ deleted: 40, heldBack: { referenced_by_child_operation: 3 }, stoppedEarly: false }) // true
 */
export function needsAnotherPass(
  pass: PassOutcome,
  treeReasons: readonly string[] = ['referenced_by_child_operation'],
): boolean {
  return !pass.stoppedEarly && pass.deleted !== 0 && treeReasons.some((reason) => Boolean(pass.heldBack[reason]));
}

/**
 * A table's held-back rows by reason, with the rows that wait for their summary (`waiting`, from
 * before the effective cutoff) added to those the batches kept for the same reason; reasons that
 * kept nothing are left out.
 *
 * @example
 * heldBackWithWaiting({ legal_hold: 2, not_yet_summarized: 1, referenced_by_sync_conflicts: 0 }, 5)
 * // { legal_hold: 2, not_yet_summarized: 6 }
 */
export function heldBackWithWaiting(
  heldBack: Readonly<Record<string, number>>,
  waiting: number,
): Record<string, number> {
  const summarizing = waiting + (heldBack.not_yet_summarized ?? 0);
  return Object.fromEntries(Object.entries({ ...heldBack, not_yet_summarized: summarizing }).filter(([, n]) => n > 0));
}

/**
 * The median and 99th percentile of batch wall times, in whole milliseconds; 0 without batches.
 *
 * @example
 * batchPercentiles([12.4, 30, 18]) // { p50: 18, p99: 30 }
 */
export function batchPercentiles(batchMs: readonly number[]): { p50: number; p99: number } {
  const sorted = [...batchMs].sort((x, y) => x - y);
  return {
    p50: Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0),
    p99: Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? 0),
  };
}

/**
 * A dry run's estimate of the batches: the eligible rows at the batch size a real run starts with.
 *
 * @example
 * estimatedBatches(12_000) // 3 (5000 rows a batch)
 */
export function estimatedBatches(eligible: number, batchSize?: number): number {
  return Math.ceil(eligible / new BatchSizer({ maxRows: batchSize }).next());
}

/**
 * A run's totals over its tables.
 *
 * @example
 * pruneTotals([{ deleted: 10, heldBack: { legal_hold: 2 }, batches: 1 }]) // { deleted: 10, heldBack: 2, batches: 1 }
 */
export function pruneTotals(
  tables: readonly { deleted: number; heldBack: Readonly<Record<string, number>>; batches: number }[],
): { deleted: number; heldBack: number; batches: number } {
  return {
    deleted: tables.reduce((n, t) => n + t.deleted, 0),
    heldBack: tables.reduce((n, t) => n + Object.values(t.heldBack).reduce((a, b) => a + b, 0), 0),
    batches: tables.reduce((n, t) => n + t.batches, 0),
  };
}
