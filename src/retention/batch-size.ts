/**
 * Picks the number of rows for the next batch so that a batch takes about `targetMs`: long enough
 * that the fixed cost of a round trip and a commit stays small, short enough that no batch holds
 * row locks, or a replica's apply, for long. The cost per row is smoothed over batches, so one
 * slow batch (a checkpoint, a cold page) does not halve the next; a batch well over target shrinks
 * the next at once, and growth is at most doubling, so a misjudged table cannot blow the target.
 *
 * @example
 * const sizer = new BatchSizer({ targetMs: 50, maxRows: 50_000 });
 * const n = sizer.next(); ...; sizer.record(rowsTouched, elapsedMs);
 */
export class BatchSizer {
  readonly targetMs: number;
  readonly minRows: number;
  readonly maxRows: number;
  private size: number;
  private msPerRow: number | undefined;

  constructor(options: { targetMs?: number; maxRows?: number; startRows?: number } = {}) {
    this.targetMs = options.targetMs ?? 50;
    this.maxRows = Math.max(1, Math.trunc(options.maxRows ?? 50_000));
    this.minRows = Math.min(this.maxRows, 100);
    this.size = Math.min(this.maxRows, options.startRows ?? 5_000);
  }

  /** Rows for the next batch. */
  next(): number {
    return this.size;
  }

  /** Tells the sizer what the last batch cost: rows it looked at and the time it took. */
  record(rows: number, elapsedMs: number): void {
    if (rows <= 0) {
      // Nothing deletable in that window (all held back): look further next time.
      this.size = this.clamp(this.size * 2);
      return;
    }
    const observed = elapsedMs / rows;
    this.msPerRow = this.msPerRow === undefined ? observed : 0.5 * this.msPerRow + 0.5 * observed;
    const ideal = this.targetMs / this.msPerRow;
    const next =
      elapsedMs > this.targetMs * 1.5 ? this.size * (this.targetMs / elapsedMs) : Math.min(ideal, this.size * 2);
    this.size = this.clamp(next);
  }

  private clamp(rows: number): number {
    return Math.max(this.minRows, Math.min(this.maxRows, Math.round(rows)));
  }
}
