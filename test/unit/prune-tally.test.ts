import { describe, expect, it } from 'vitest';
import {
  batchPercentiles,
  estimatedBatches,
  heldBackWithWaiting,
  needsAnotherPass,
  pruneTotals,
} from '../../src/retention/prune-tally.js';

describe('needsAnotherPass', () => {
  const pass = { deleted: 40, heldBack: { referenced_by_child_operation: 3 }, stoppedEarly: false };

  it('repeats a pass that deleted rows and kept some for a child operation', () => {
    expect(needsAnotherPass(pass)).toBe(true);
  });

  it('stops when the pass deleted nothing, kept nothing for a child, or ran out of time', () => {
    expect(needsAnotherPass({ ...pass, deleted: 0 })).toBe(false);
    expect(needsAnotherPass({ ...pass, heldBack: { referenced_by_sync_conflicts: 3 } })).toBe(false);
    expect(needsAnotherPass({ ...pass, heldBack: { referenced_by_child_operation: 0 } })).toBe(false);
    expect(needsAnotherPass({ ...pass, stoppedEarly: true })).toBe(false);
  });
});

describe('heldBackWithWaiting', () => {
  it('adds the rows waiting for their summary to those the batches kept for that reason', () => {
    const kept = heldBackWithWaiting({ legal_hold: 2, not_yet_summarized: 1 }, 5);
    expect(kept).toEqual({ legal_hold: 2, not_yet_summarized: 6 });
    expect(heldBackWithWaiting({}, 5)).toEqual({ not_yet_summarized: 5 });
  });

  it('leaves out reasons that kept nothing', () => {
    const kept = heldBackWithWaiting({ legal_hold: 0, referenced_by_sync_conflicts: 3 }, 0);
    expect(kept).toEqual({ referenced_by_sync_conflicts: 3 });
    expect(heldBackWithWaiting({}, 0)).toEqual({});
  });
});

describe('batchPercentiles', () => {
  it('is zero without batches', () => {
    expect(batchPercentiles([])).toEqual({ p50: 0, p99: 0 });
  });

  it('rounds to whole milliseconds and does not depend on order', () => {
    expect(batchPercentiles([30, 12.4, 18.6])).toEqual({ p50: 19, p99: 30 });
    expect(batchPercentiles([7.5])).toEqual({ p50: 8, p99: 8 });
  });

  it('takes the upper middle of an even count and the 99th of a hundred', () => {
    expect(batchPercentiles([1, 2, 3, 4])).toEqual({ p50: 3, p99: 4 });
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(batchPercentiles(hundred)).toEqual({ p50: 51, p99: 100 });
    const thousand = Array.from({ length: 1_000 }, (_, i) => i + 1);
    expect(batchPercentiles(thousand)).toEqual({ p50: 501, p99: 991 });
  });

  it('leaves the times it was given in their order', () => {
    const times = [30, 10, 20];
    batchPercentiles(times);
    expect(times).toEqual([30, 10, 20]);
  });
});

describe('estimatedBatches', () => {
  it('divides the eligible rows by the batch size a real run starts with, rounding up', () => {
    expect(estimatedBatches(0)).toBe(0);
    expect(estimatedBatches(1)).toBe(1);
    expect(estimatedBatches(5_000)).toBe(1);
    expect(estimatedBatches(12_000)).toBe(3);
  });

  it('starts smaller when the batch size is capped', () => {
    expect(estimatedBatches(12_000, 1_000)).toBe(12);
    expect(estimatedBatches(12_000, 50_000)).toBe(3);
  });
});

describe('pruneTotals', () => {
  it('adds up deletions, held-back rows over every reason, and batches', () => {
    expect(
      pruneTotals([
        { deleted: 10, heldBack: { legal_hold: 2, not_yet_summarized: 3 }, batches: 1 },
        { deleted: 5, heldBack: {}, batches: 2 },
      ]),
    ).toEqual({ deleted: 15, heldBack: 5, batches: 3 });
    expect(pruneTotals([])).toEqual({ deleted: 0, heldBack: 0, batches: 0 });
  });
});
