import { describe, expect, it } from 'vitest';
import { POLICIES, type PolicyName } from '../../src/retention/policies.js';
import { examinedUpTo, lateRowProbe, planPolicyPrune, type PrunePolicy } from '../../src/retention/prune-plan.js';
import type { Watermark } from '../../src/ledger/retention-watermarks.js';

/** A policy as loadPolicies gives it, with horizons chosen by the test. */
function policy(name: PolicyName, detailCutoff: string, summaryCutoff = '2025-01-31 12:34:56'): PrunePolicy {
  const definition = POLICIES.find((p) => p.name === name);
  if (!definition) throw new Error(`no policy ${name}`);
  return { ...definition, detailCutoff, summaryCutoff: definition.keepSummary === null ? null : summaryCutoff };
}

function marks(...entries: [string, string | null, number?][]): Map<string, Watermark> {
  return new Map(
    entries.map(([summary, until, previousSeenId = 4_000]) => [
      summary,
      { summary, policy: 'p', summarizedUntil: until, seenId: previousSeenId + 100, previousSeenId, mergedUpTo: 0 },
    ]),
  );
}

const api = policy('api_call_logs', '2026-03-03 00:00:00');
const perfMarks = (hourly: string, daily: string) =>
  marks(['performance_metrics_hourly', hourly], ['performance_metrics_daily', daily]);
const wholeBuckets = (before: string) => ({ cutoff: before, effective: before, awaitingSummary: null });
const daily = 'api_call_daily_summary';

describe('examinedUpTo', () => {
  it('is undefined for a policy without summaries', () => {
    expect(examinedUpTo(policy('security_events_extended', '2019-01-01 00:00:00'), marks())).toBeUndefined();
  });

  it('is the lowest previous seen id among the summaries, 0 for one never run', () => {
    const perf = policy('performance_metrics', '2026-05-01 00:00:00');
    const both = marks(['performance_metrics_hourly', 't', 700], ['performance_metrics_daily', 't', 500]);
    expect(examinedUpTo(perf, both)).toBe(500);
    expect(examinedUpTo(perf, marks(['performance_metrics_hourly', 't', 700]))).toBe(0);
  });
});

describe('planPolicyPrune: the detail cutoff', () => {
  it('deletes up to the horizon for a policy without summaries, and nothing waits', () => {
    const security = policy('security_events_extended', '2019-01-01 00:00:00');
    expect(lateRowProbe(security, marks())).toBeNull();
    expect(planPolicyPrune(security, marks(), null)).toEqual({
      examinedUpTo: undefined,
      steps: [
        {
          kind: 'detail',
          table: 'security_events_extended',
          cutoff: '2019-01-01 00:00:00',
          effective: '2019-01-01 00:00:00',
          awaitingSummary: null,
        },
      ],
    });
  });

  it('deletes nothing while a summary has never run, and every row past the horizon waits for it', () => {
    const [detail] = planPolicyPrune(api, marks(), null).steps;
    expect(detail).toMatchObject({ effective: null, awaitingSummary: { from: null, until: '2026-03-03 00:00:00' } });
    expect(lateRowProbe(api, marks())).toBeNull();
    expect(planPolicyPrune(api, marks([daily, null]), null).steps[0].effective).toBeNull();
  });

  it('waits for the slowest summary of a policy with several', () => {
    const perf = policy('performance_metrics', '2026-05-01 00:00:00');
    const one = marks(['performance_metrics_hourly', '2026-06-01 10:00:00']);
    expect(planPolicyPrune(perf, one, null).steps[0].effective).toBeNull();
    const both = perfMarks('2026-04-20 10:00:00', '2026-04-25 00:00:00');
    expect(planPolicyPrune(perf, both, null).steps[0].effective).toBe('2026-04-20 10:00:00');
  });

  it('stops at the watermark when summaries lag behind the horizon; the rows between wait', () => {
    const [detail] = planPolicyPrune(api, marks([daily, '2026-02-20 00:00:00']), null).steps;
    expect(detail).toMatchObject({
      cutoff: '2026-03-03 00:00:00',
      effective: '2026-02-20 00:00:00',
      awaitingSummary: { from: '2026-02-20 00:00:00', until: '2026-03-03 00:00:00' },
    });
  });

  it('stops at the horizon when summaries are ahead of it, and nothing waits', () => {
    const [detail] = planPolicyPrune(api, marks([daily, '2026-06-01 00:00:00']), null).steps;
    expect(detail).toMatchObject({ effective: '2026-03-03 00:00:00', awaitingSummary: null });
  });

  it('pulls the cutoff back to the start of the day of the first late row', () => {
    const plan = planPolicyPrune(api, marks([daily, '2026-06-01 00:00:00']), '2026-02-10 13:00:00.5');
    expect(plan.steps[0]).toMatchObject({
      effective: '2026-02-10 00:00:00',
      awaitingSummary: { from: '2026-02-10 00:00:00', until: '2026-03-03 00:00:00' },
    });
  });

  it("pulls it back for a late row after a cutoff that falls inside that row's day", () => {
    const midDay = policy('api_call_logs', '2026-03-03 06:00:00');
    const late = marks([daily, '2026-06-01 00:00:00']);
    expect(planPolicyPrune(midDay, late, null).steps[0].effective).toBe('2026-03-03 06:00:00');
    expect(planPolicyPrune(midDay, late, '2026-03-03 20:00:00').steps[0].effective).toBe('2026-03-03 00:00:00');
  });

  it('pulls back from a watermark in the middle of a bucket as well', () => {
    const perf = policy('performance_metrics', '2026-05-01 00:00:00');
    const both = perfMarks('2026-04-20 10:00:00', '2026-04-25 00:00:00');
    expect(planPolicyPrune(perf, both, '2026-04-20 11:30:00').steps[0].effective).toBe('2026-04-20 00:00:00');
  });

  it('uses the widest bucket of the policy: a day for the hourly and daily rollups, a month for operations', () => {
    const perf = policy('performance_metrics', '2026-05-01 00:00:00');
    const both = perfMarks('2026-06-01 00:00:00', '2026-06-01 00:00:00');
    expect(planPolicyPrune(perf, both, '2026-04-12 17:45:00').steps[0].effective).toBe('2026-04-12 00:00:00');
    const ops = policy('integration_operations', '2025-06-15 00:00:00');
    const monthly = marks(['integration_operations_monthly_summary', '2026-01-01 00:00:00']);
    expect(planPolicyPrune(ops, monthly, '2025-03-20 08:00:00').steps[0].effective).toBe('2025-03-01 00:00:00');
  });

  it('does not move the cutoff forward for a late row at or past its bucket', () => {
    expect(planPolicyPrune(api, marks([daily, '2026-06-01 00:00:00']), '2026-03-03 00:00:00').steps[0].effective).toBe(
      '2026-03-03 00:00:00',
    );
  });

  it('ignores a late row where there is nothing to look for: no summaries, or nothing summarized', () => {
    const security = policy('security_events_extended', '2019-01-01 00:00:00');
    expect(planPolicyPrune(security, marks(), '2018-01-01 00:00:00').steps[0].effective).toBe('2019-01-01 00:00:00');
    expect(planPolicyPrune(api, marks(), '2026-01-01 00:00:00').steps[0].effective).toBeNull();
  });

  it('carries the examined id into the plan for the detail table', () => {
    expect(planPolicyPrune(api, marks([daily, '2026-06-01 00:00:00', 4_321]), null).examinedUpTo).toBe(4_321);
  });
});

describe('lateRowProbe', () => {
  it('looks before the cutoff when the cutoff starts a bucket', () => {
    expect(lateRowProbe(api, marks([daily, '2026-06-01 00:00:00', 10]))).toEqual({
      examinedUpTo: 10,
      unit: 'day',
      before: '2026-03-03 00:00:00',
    });
  });

  it('looks to the end of the bucket the cutoff falls in', () => {
    const midDay = policy('api_call_logs', '2026-03-03 06:00:00');
    expect(lateRowProbe(midDay, marks([daily, '2026-06-01 00:00:00']))?.before).toBe('2026-03-04 00:00:00');
    const ops = policy('integration_operations', '2025-06-15 00:00:00');
    const monthly = marks(['integration_operations_monthly_summary', '2026-01-01 00:00:00']);
    expect(lateRowProbe(ops, monthly)).toMatchObject({ unit: 'month', before: '2025-07-01 00:00:00' });
  });

  it('looks from the watermark when it is earlier than the horizon', () => {
    expect(lateRowProbe(api, marks([daily, '2026-02-20 00:00:00']))?.before).toBe('2026-02-20 00:00:00');
  });
});

describe('planPolicyPrune: summaries past their horizon', () => {
  it('prunes whole buckets of each summary: those that ended before the summary horizon', () => {
    const perf = policy('performance_metrics', '2026-05-01 00:00:00', '2024-05-01 13:20:00');
    const steps = planPolicyPrune(perf, marks(), null).steps.slice(1);
    expect(steps).toEqual([
      { kind: 'summary', table: 'performance_metrics_hourly', ...wholeBuckets('2024-05-01 13:00:00') },
      { kind: 'summary', table: 'performance_metrics_daily', ...wholeBuckets('2024-05-01 00:00:00') },
    ]);
    const ops = policy('integration_operations', '2025-06-15 00:00:00', '2023-06-15 00:00:00');
    expect(planPolicyPrune(ops, marks(), null).steps[1]).toMatchObject({ cutoff: '2023-06-01 00:00:00' });
  });

  it('prunes summaries by their own horizon even while the detail table waits for them', () => {
    const steps = planPolicyPrune(api, marks(), null).steps;
    expect(steps.map((s) => [s.kind, s.table, s.effective])).toEqual([
      ['detail', 'api_call_logs', null],
      ['summary', 'api_call_daily_summary', '2025-01-31 00:00:00'],
    ]);
  });

  it('refuses a policy with summaries and no summary horizon: a bug, not a silent skip', () => {
    expect(() => planPolicyPrune({ ...api, summaryCutoff: null }, marks(), null)).toThrow(/no summary horizon/);
  });
});
