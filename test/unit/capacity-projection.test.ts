import { describe, expect, it } from 'vitest';
import { overruns, parseRatio } from '../../src/capacity/fail-over.js';
import { projectStock, sumProjections } from '../../src/capacity/projection.js';

const GIB = 2 ** 30;

describe('stock under retention', () => {
  // By hand, a flow of 1 GiB a day (365.25 GiB a year):
  // - kept 90 days: 90 GiB at 1, 3 and 7 years; without retention 365.25, 1095.75, 2556.75; saved 275.25, 1005.75, 2466.75
  // - kept 7 years (2556.75 days): 365.25, 1095.75, 2556.75, nothing saved by year 7
  // - kept for ever: the same as without retention
  it('levels off at the flow of the kept days', () => {
    expect(
      projectStock(GIB, { days: 90, source: 'api_call_logs' }).map((p) => [
        p.years,
        p.withRetention / GIB,
        p.withoutRetention / GIB,
        p.saved / GIB,
      ]),
    ).toEqual([
      [1, 90, 365.25, 275.25],
      [3, 90, 1095.75, 1005.75],
      [7, 90, 2556.75, 2466.75],
    ]);
  });

  it('accumulates security events for 7 years, and tables without a policy for ever', () => {
    expect(projectStock(GIB, { days: 7 * 365.25, source: 'security' }).map((p) => p.withRetention / GIB)).toEqual([
      365.25, 1095.75, 2556.75,
    ]);
    expect(projectStock(GIB, { days: 7 * 365.25, source: 'security' }).every((p) => p.saved === 0)).toBe(true);
    expect(projectStock(GIB, { days: null, source: 'none' }).map((p) => p.withRetention / GIB)).toEqual([
      365.25, 1095.75, 2556.75,
    ]);
  });

  it('a year of detail: one year of flow from the first year on', () => {
    expect(
      projectStock(GIB, { days: 365.25, source: 'integration_operations' }).map((p) => p.withRetention / GIB),
    ).toEqual([365.25, 365.25, 365.25]);
  });

  it('adds tables horizon by horizon', () => {
    const sum = sumProjections([
      projectStock(GIB, { days: 90, source: 'a' }),
      projectStock(2 * GIB, { days: null, source: 'b' }),
    ]);
    expect(sum.map((p) => p.withRetention / GIB)).toEqual([90 + 730.5, 90 + 2191.5, 90 + 5113.5]);
  });
});

describe('--fail-over', () => {
  const categories = [
    { name: 'integration', yearlyBytes: 60, estimateBytes: 50 },
    { name: 'analytics', yearlyBytes: 300, estimateBytes: 200 },
    { name: 'workflow', yearlyBytes: 25, estimateBytes: 25 },
  ];

  it('names each category over ratio times its estimate, worst first; exactly at the limit is not over', () => {
    expect(overruns(categories, 1)).toEqual([
      { name: 'analytics', ratio: 1.5 },
      { name: 'integration', ratio: 1.2 },
    ]);
    expect(overruns(categories, 1.5)).toEqual([]);
    expect(overruns(categories, 0.5).map((o) => o.name)).toEqual(['analytics', 'integration', 'workflow']);
  });

  it('takes positive ratios only', () => {
    expect(parseRatio('--fail-over', '1.25')).toBe(1.25);
    // 1 and 400 zeros reads as Infinity, and 400 zeros after the point as 0: no ratio either way.
    for (const bad of ['0', '-1', 'abc', '1.', '', '1e3', `1${'0'.repeat(400)}`, `0.${'0'.repeat(400)}1`])
      expect(() => parseRatio('--fail-over', bad)).toThrow(/--fail-over must be a positive ratio/);
  });
});
