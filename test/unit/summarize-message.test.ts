import { describe, expect, it } from 'vitest';
import { describeSummarizeRun } from '../../src/retention/summarize-message.js';

const quiet = { summary: 'api_call_daily_summary', lateRowsMerged: 0, lateRowsAfterPrune: 0 };

describe('describeSummarizeRun', () => {
  it('says nothing about a run that finished without late rows to report', () => {
    expect(describeSummarizeRun(false, [])).toBeUndefined();
    expect(describeSummarizeRun(false, [quiet])).toBeUndefined();
  });

  it('says where an early stop leaves the next run', () => {
    const message = describeSummarizeRun(true, [quiet]);
    expect(message).toBe('stopped at --max-runtime; the next run continues from the watermark');
  });

  it('names each summary with late rows folded in or only counted, stop first, folded before counted', () => {
    const message = describeSummarizeRun(true, [
      { summary: 'performance_metrics_hourly', lateRowsMerged: 0, lateRowsAfterPrune: 4 },
      { summary: 'api_call_daily_summary', lateRowsMerged: 2, lateRowsAfterPrune: 0 },
    ]);
    expect(message?.split('; ')).toEqual([
      'stopped at --max-runtime',
      'the next run continues from the watermark',
      'api_call_daily_summary: 2 late rows folded into buckets prune had thinned (percentiles unchanged)',
      'performance_metrics_hourly: 4 late rows in buckets thinned before rasdb recorded prunes',
      'counted, not summarized',
    ]);
  });
});
