import { describe, expect, it } from 'vitest';
import { count, duration, num, pluralOf, rate, timeText } from '../../src/cli/text.js';

describe('num', () => {
  it('groups thousands with commas, whatever the locale', () => {
    expect(num(0)).toBe('0');
    expect(num(999)).toBe('999');
    expect(num(1000)).toBe('1,000');
    expect(num(12345)).toBe('12,345');
    expect(num(1234567)).toBe('1,234,567');
    expect(num(-4200)).toBe('-4,200');
    expect(num(2.46)).toBe('2.5');
  });

  it('writes every number as en-US Intl.NumberFormat with one decimal at most would', () => {
    const intl = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
    const fixed = [
      0.05,
      0.15,
      0.25,
      1.25,
      -1.25,
      0.95,
      9.95,
      999.95,
      999_999.96,
      -0.04,
      -0,
      0.04,
      2 ** 53,
      1e20,
      1e21,
      1.5e300,
    ];
    const special = [NaN, Infinity, -Infinity];
    // A seeded walk over magnitudes from 1e-3 to 1e18, both signs, with and without fractions.
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const walked = Array.from({ length: 5000 }, () => {
      const v = 10 ** (random() * 21 - 3) * (random() < 0.3 ? -1 : 1);
      return random() < 0.5 ? Math.round(v) : v;
    });
    for (const value of [...fixed, ...special, ...walked]) expect(num(value), String(value)).toBe(intl.format(value));
  });
});

describe('count', () => {
  it('says one thing in the singular and every other number in the plural', () => {
    expect(count(1, 'batch')).toBe('1 batch');
    expect(count(0, 'batch')).toBe('0 batches');
    expect(count(12345, 'batch')).toBe('12,345 batches');
    expect(count(2, 'row')).toBe('2 rows');
    expect(count(4, 'policy')).toBe('4 policies');
    expect(count(1, 'policy')).toBe('1 policy');
    expect(count(3, 'day')).toBe('3 days');
    expect(count(2, 'active hold')).toBe('2 active holds');
    expect(count(2, 'migration pending', 'migrations pending')).toBe('2 migrations pending');
    expect(count(2, 'row waits', 'rows wait')).toBe('2 rows wait');
  });

  it('forms the plurals of the words rasdb counts', () => {
    expect(['batch', 'index', 'status', 'entry', 'key', 'set'].map(pluralOf)).toEqual([
      'batches',
      'indexes',
      'statuses',
      'entries',
      'keys',
      'sets',
    ]);
  });
});

describe('duration', () => {
  it('milliseconds under a second, tenths of seconds under a minute, then minutes and hours', () => {
    expect(duration(0)).toBe('0 ms');
    expect(duration(183.4)).toBe('183 ms');
    expect(duration(999)).toBe('999 ms');
    expect(duration(1000)).toBe('1.0 s');
    expect(duration(2440)).toBe('2.4 s');
    expect(duration(59_940)).toBe('59.9 s');
    expect(duration(59_960)).toBe('1 min');
    expect(duration(192_000)).toBe('3 min 12 s');
    expect(duration(3_600_000)).toBe('1 h');
    expect(duration(7_500_000)).toBe('2 h 5 min');
  });

  it('never shows a negative time', () => {
    expect(duration(-3)).toBe('0 ms');
  });
});

describe('rate', () => {
  it('per second, grouped', () => {
    expect(rate(86_731, 2429, 'rows')).toBe('35,706 rows/s');
    expect(rate(5, 0, 'rows')).toBe('0 rows/s');
  });
});

describe('timeText', () => {
  it('writes instants in UTC, to the second, marked UTC', () => {
    expect(timeText('2026-11-29T17:23:58.110Z')).toBe('2026-11-29 17:23:58 UTC');
    expect(timeText('2026-11-29T12:23:58-05:00')).toBe('2026-11-29 17:23:58 UTC');
    expect(timeText('2026-11-29 23:00:00+0530')).toBe('2026-11-29 17:30:00 UTC');
    expect(timeText('2026-11-29 17:23:58+00')).toBe('2026-11-29 17:23:58 UTC');
  });

  it("writes readings of the data's zone as they are, to the second", () => {
    expect(timeText('2026-09-02 12:34:14.166047')).toBe('2026-09-02 12:34:14');
    expect(timeText('2026-09-02 12:34')).toBe('2026-09-02 12:34:00');
    expect(timeText('2026-09-02T00:00:00')).toBe('2026-09-02 00:00:00');
  });

  it('leaves what is not a time alone', () => {
    expect(timeText('never pruned')).toBe('never pruned');
    expect(timeText('2026-09-02')).toBe('2026-09-02');
    expect(timeText(null)).toBe('');
  });
});
