import { describe, expect, it } from 'vitest';
import { POLICIES } from '../../src/retention/policies.js';
import { unstarted, type Watermark } from '../../src/ledger/retention-watermarks.js';
import { summarizedUntil } from '../../src/retention/watermarks.js';

const named = (name: string) => {
  const found = POLICIES.find((p) => p.name === name);
  if (!found) throw new Error(`no policy ${name}`);
  return found;
};
const at = (summary: string, until: string | null): [string, Watermark] => [
  summary,
  { ...unstarted(summary, 'p'), summarizedUntil: until },
];

describe('summarizedUntil', () => {
  it('is undefined for a policy without summaries: its rows need none', () => {
    expect(summarizedUntil(named('security_events_extended'), new Map())).toBeUndefined();
  });

  it('is null while any summary of the policy has no watermark or has never summarized', () => {
    const perf = named('performance_metrics');
    expect(summarizedUntil(perf, new Map())).toBeNull();
    expect(summarizedUntil(perf, new Map([at('performance_metrics_hourly', '2026-01-01 05:00:00')]))).toBeNull();
    const hourly = at('performance_metrics_hourly', '2026-01-01 05:00:00');
    const oneNull = new Map([hourly, at('performance_metrics_daily', null)]);
    expect(summarizedUntil(perf, oneNull)).toBeNull();
  });

  it("is the earliest watermark of the policy's summaries, whatever their order", () => {
    const perf = named('performance_metrics');
    const marks = new Map([
      at('performance_metrics_daily', '2026-01-01 00:00:00'),
      at('performance_metrics_hourly', '2026-01-01 05:00:00'),
    ]);
    expect(summarizedUntil(perf, marks)).toBe('2026-01-01 00:00:00');
    marks.set('performance_metrics_daily', at('performance_metrics_daily', '2026-01-02 00:00:00')[1]);
    expect(summarizedUntil(perf, marks)).toBe('2026-01-01 05:00:00');
  });

  it('ignores watermarks of other policies', () => {
    const marks = new Map([at('api_call_daily_summary', '2026-01-01 00:00:00'), at('performance_metrics_daily', null)]);
    expect(summarizedUntil(named('api_call_logs'), marks)).toBe('2026-01-01 00:00:00');
  });
});
