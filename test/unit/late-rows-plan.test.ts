import { describe, expect, it } from 'vitest';
import { planLateRows, type LateBucket } from '../../src/retention/late-rows-plan.js';

const mark = { summarizedUntil: '2026-06-01 00:00:00', seenId: 5_200, mergedUpTo: 5_000 };
const bucket = (start: string, rest: Partial<LateBucket> = {}): LateBucket => ({
  bucket: `${start} 00:00:00`,
  kept: true,
  newRows: 1,
  mergeable: 0,
  inStep: false,
  ...rest,
});

describe('planLateRows', () => {
  it('does nothing without late buckets', () => {
    expect(planLateRows([], mark, '2026-03-03 00:00:00', 'day')).toEqual({ recompute: [], merge: null });
  });

  it('recomputes each kept bucket whose summary is out of step, a whole bucket each', () => {
    const late = [bucket('2026-05-20'), bucket('2026-05-21', { inStep: true }), bucket('2026-05-31')];
    expect(planLateRows(late, mark, '2026-03-03 00:00:00', 'day').recompute).toEqual([
      { from: '2026-05-20 00:00:00', to: '2026-05-21 00:00:00' },
      { from: '2026-05-31 00:00:00', to: '2026-06-01 00:00:00' },
    ]);
  });

  it("makes a bucket an hour or a month wide by the summary's unit", () => {
    const hour = planLateRows([{ ...bucket('2026-05-20'), bucket: '2026-05-20 23:00:00' }], mark, null, 'hour');
    expect(hour.recompute).toEqual([{ from: '2026-05-20 23:00:00', to: '2026-05-21 00:00:00' }]);
    const month = planLateRows([bucket('2026-01-01')], mark, null, 'month');
    expect(month.recompute).toEqual([{ from: '2026-01-01 00:00:00', to: '2026-02-01 00:00:00' }]);
  });

  it('never recomputes a thinned bucket: its raw rows are partly gone', () => {
    const late = [bucket('2026-02-10', { kept: false, mergeable: 0 })];
    expect(planLateRows(late, mark, '2026-03-03 00:00:00', 'day')).toEqual({ recompute: [], merge: null });
  });

  it('folds late rows of thinned buckets in: ids after the last fold up to those seen, before the watermark', () => {
    const late = [bucket('2026-02-10', { kept: false, mergeable: 2 }), bucket('2026-05-20')];
    expect(planLateRows(late, mark, '2026-03-03 00:00:00', 'day')).toEqual({
      recompute: [{ from: '2026-05-20 00:00:00', to: '2026-05-21 00:00:00' }],
      merge: { afterId: 5_000, upToId: 5_200, until: '2026-06-01 00:00:00', keptFrom: '2026-03-03 00:00:00' },
    });
  });

  it('waits a run for thinned buckets whose late rows are all too new to fold', () => {
    const late = [bucket('2026-02-10', { kept: false, mergeable: 0, newRows: 3 })];
    expect(planLateRows(late, mark, '2026-03-03 00:00:00', 'day').merge).toBeNull();
  });

  it('folds nothing without a prune boundary, or before anything is summarized', () => {
    const late = [bucket('2026-02-10', { kept: false, mergeable: 2 })];
    expect(planLateRows(late, mark, null, 'day').merge).toBeNull();
    expect(planLateRows(late, { ...mark, summarizedUntil: null }, '2026-03-03 00:00:00', 'day').merge).toBeNull();
  });
});
