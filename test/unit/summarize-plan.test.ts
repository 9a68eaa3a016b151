import { describe, expect, it } from 'vitest';
import { advanceWatermark, planSummary } from '../../src/retention/summarize-plan.js';
import { unstarted, type Watermark } from '../../src/ledger/retention-watermarks.js';

const fresh = unstarted('api_call_daily_summary', 'api_call_logs');
const running: Watermark = {
  ...fresh,
  summarizedUntil: '2026-01-30 00:00:00',
  seenId: 5_000,
  previousSeenId: 4_000,
  mergedUpTo: 4_000,
};

describe('planSummary', () => {
  it('stops at the start of the bucket still open at the run\'s "now"', () => {
    const asOf = '2026-01-31 13:45:10.25';
    expect(planSummary('hour', asOf, running).closedUntil).toBe('2026-01-31 13:00:00');
    expect(planSummary('day', asOf, running).closedUntil).toBe('2026-01-31 00:00:00');
    expect(planSummary('month', asOf, running).closedUntil).toBe('2026-01-01 00:00:00');
  });

  it('counts a bucket that starts exactly at "now" as open', () => {
    expect(planSummary('day', '2026-02-01 00:00:00', running).closedUntil).toBe('2026-02-01 00:00:00');
  });

  it('writes a WRITE span per transaction, or the fewer buckets asked for', () => {
    expect(planSummary('day', '2026-02-01 00:00:00', running).write).toBe(31);
    expect(planSummary('day', '2026-02-01 00:00:00', running, 2).write).toBe(2);
    expect(planSummary('hour', '2026-02-01 00:00:00', running).write).toBe(168);
  });

  it('takes in late rows only once something is summarized', () => {
    expect(planSummary('day', '2026-02-01 00:00:00', fresh).takeInLateRows).toBe(false);
    expect(planSummary('day', '2026-02-01 00:00:00', running).takeInLateRows).toBe(true);
  });
});

describe('advanceWatermark', () => {
  it('on a first run, counts every id it sees as examined and folded', () => {
    const next = advanceWatermark(fresh, 1_200);
    expect(next).toEqual({ ...fresh, seenId: 1_200, previousSeenId: 1_200, mergedUpTo: 1_200 });
  });

  it('on a first run over an empty table, keeps ids at zero', () => {
    expect(advanceWatermark(fresh, 0)).toEqual(fresh);
  });

  it("later, looks one run back: the last run's ids become the examined and folded ones", () => {
    const next = advanceWatermark(running, 5_300);
    expect(next).toEqual({ ...running, seenId: 5_300, previousSeenId: 5_000, mergedUpTo: 5_000 });
  });

  it('never moves the folded id back', () => {
    const ahead = { ...running, mergedUpTo: 6_000 };
    expect(advanceWatermark(ahead, 6_100).mergedUpTo).toBe(6_000);
  });

  it('leaves the summarized point, the names and the mark it was given alone', () => {
    const before = { ...running };
    const next = advanceWatermark(running, 9_999);
    expect(next.summarizedUntil).toBe('2026-01-30 00:00:00');
    expect([next.summary, next.policy]).toEqual(['api_call_daily_summary', 'api_call_logs']);
    expect(running).toEqual(before);
  });
});
