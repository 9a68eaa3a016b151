import { describe, expect, it } from 'vitest';
import { fitTrend } from '../../src/capacity/trend.js';

describe('the snapshot trend', () => {
  it('fits a straight line exactly, with R² 1 and no standard error', () => {
    const trend = fitTrend([0, 1, 2, 3, 4].map((day) => ({ day, value: 1000 + 250 * day })));
    expect(trend.perDay).toBeCloseTo(250, 9);
    expect(trend.r2).toBeCloseTo(1, 9);
    expect(trend.perDayStdError).toBeCloseTo(0, 6);
    expect(trend.confidence).toBe('high');
  });

  it('matches a hand computation on noisy readings', () => {
    // x = 0..4, y = 1, 3, 2, 5, 4: slope = Sxy/Sxx = 8/10, R² = Sxy²/(Sxx Syy) = 64/(10 * 10) = 0.64,
    // SSE = Syy - slope * Sxy = 10 - 6.4 = 3.6, standard error = sqrt(3.6 / 3 / 10) = 0.3464.
    const trend = fitTrend([1, 3, 2, 5, 4].map((value, day) => ({ day, value })));
    expect(trend.perDay).toBeCloseTo(0.8, 9);
    expect(trend.r2).toBeCloseTo(0.64, 9);
    expect(trend.perDayStdError).toBeCloseTo(Math.sqrt(0.12), 9);
    expect(trend.confidence).toBe('low');
  });

  it('says medium between the bars', () => {
    const noise = [0, 30, -30, 20, -20, 10, -10, 0];
    const trend = fitTrend(noise.map((n, day) => ({ day, value: 100 * day + n })));
    expect(trend.r2).toBeGreaterThan(0.9);
    expect(trend.confidence).toMatch(/medium|high/);
    const rough = fitTrend([0, 150, -150, 120, -120, 60, -60, 0].map((n, day) => ({ day, value: 100 * day + n })));
    expect(rough.confidence).toBe('medium');
  });

  it('says nothing under three readings or a day of span', () => {
    expect(fitTrend([]).confidence).toBe('none');
    expect(
      fitTrend([
        { day: 0, value: 1 },
        { day: 2, value: 3 },
      ]),
    ).toMatchObject({ confidence: 'none', perDay: 1 });
    const hours = fitTrend([0, 0.1, 0.2].map((day) => ({ day, value: day })));
    expect(hours).toMatchObject({ confidence: 'none' });
    expect(hours.reason).toMatch(/span/);
  });

  it('calls a flat series flat and firm', () => {
    expect(fitTrend([0, 1, 2].map((day) => ({ day, value: 5 })))).toMatchObject({
      perDay: 0,
      r2: 1,
      confidence: 'high',
    });
  });
});
