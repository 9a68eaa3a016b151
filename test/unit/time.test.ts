import { describe, expect, it } from 'vitest';
import { addUnits, earlier, truncateTo } from '../../src/retention/time.js';

describe('truncateTo', () => {
  const at = '2026-01-31 23:59:59.5';

  it('drops everything below the unit, the fraction included', () => {
    expect(truncateTo('hour', at)).toBe('2026-01-31 23:00:00');
    expect(truncateTo('day', at)).toBe('2026-01-31 00:00:00');
    expect(truncateTo('month', at)).toBe('2026-01-01 00:00:00');
    expect(truncateTo('hour', '2026-07-04 09:00:00.000001')).toBe('2026-07-04 09:00:00');
  });

  it('leaves a bucket start as it is', () => {
    expect(truncateTo('hour', '2026-02-01 00:00:00')).toBe('2026-02-01 00:00:00');
    expect(truncateTo('day', '2026-02-01 00:00:00')).toBe('2026-02-01 00:00:00');
    expect(truncateTo('month', '2026-02-01 00:00:00')).toBe('2026-02-01 00:00:00');
  });

  it('truncates a leap day to its own day and month', () => {
    expect(truncateTo('day', '2024-02-29 12:34:56')).toBe('2024-02-29 00:00:00');
    expect(truncateTo('month', '2024-02-29 12:34:56')).toBe('2024-02-01 00:00:00');
  });

  it("refuses text in any other spelling than rasdb's", () => {
    const spellings = [
      '2026-01-31',
      '2026-01-31T00:00:00',
      '2026-01-31 00:00:00Z',
      '2026-1-31 00:00:00',
      ' 2026-01-31 00:00:00',
      '',
    ];
    for (const text of spellings) {
      expect(() => truncateTo('day', text), text).toThrow(`not a UTC time in rasdb's spelling: ${text}`);
    }
  });
});

describe('addUnits', () => {
  it('adds hours across day, month and year ends', () => {
    expect(addUnits('2026-01-31 23:00:00', 1, 'hour')).toBe('2026-02-01 00:00:00');
    expect(addUnits('2025-12-31 23:30:00', 1, 'hour')).toBe('2026-01-01 00:30:00');
    expect(addUnits('2026-01-01 00:00:00', 24 * 31, 'hour')).toBe('2026-02-01 00:00:00');
    expect(addUnits('2026-03-29 00:00:00', 24, 'hour')).toBe('2026-03-30 00:00:00'); // UTC: no daylight saving
  });

  it('adds days across month ends, in leap and common years', () => {
    expect(addUnits('2024-02-28 00:00:00', 1, 'day')).toBe('2024-02-29 00:00:00');
    expect(addUnits('2025-02-28 00:00:00', 1, 'day')).toBe('2025-03-01 00:00:00');
    expect(addUnits('2024-01-01 00:00:00', 366, 'day')).toBe('2025-01-01 00:00:00');
    expect(addUnits('2025-01-01 00:00:00', 366, 'day')).toBe('2026-01-02 00:00:00');
  });

  it('adds months, clamping the day to the end of a shorter month as PostgreSQL does', () => {
    expect(addUnits('2026-01-31 00:00:00', 1, 'month')).toBe('2026-02-28 00:00:00');
    expect(addUnits('2024-01-31 00:00:00', 1, 'month')).toBe('2024-02-29 00:00:00');
    expect(addUnits('2026-03-31 06:00:00', 1, 'month')).toBe('2026-04-30 06:00:00');
    expect(addUnits('2025-11-30 00:00:00', 3, 'month')).toBe('2026-02-28 00:00:00');
    expect(addUnits('2026-01-15 00:00:00', 36, 'month')).toBe('2029-01-15 00:00:00');
  });

  it('clamps from the original day each time, so two single steps differ from one double step', () => {
    expect(addUnits(addUnits('2026-01-31 00:00:00', 1, 'month'), 1, 'month')).toBe('2026-03-28 00:00:00');
    expect(addUnits('2026-01-31 00:00:00', 2, 'month')).toBe('2026-03-31 00:00:00');
  });

  it('moves a leap day to the end of February in a common year and keeps it in a leap year', () => {
    expect(addUnits('2024-02-29 12:00:00', 12, 'month')).toBe('2025-02-28 12:00:00');
    expect(addUnits('2024-02-29 12:00:00', 48, 'month')).toBe('2028-02-29 12:00:00');
  });

  it('subtracts with a negative count', () => {
    expect(addUnits('2026-03-31 00:00:00', -1, 'month')).toBe('2026-02-28 00:00:00');
    expect(addUnits('2026-01-01 00:00:00', -1, 'day')).toBe('2025-12-31 00:00:00');
    expect(addUnits('2026-01-01 00:00:00', -1, 'hour')).toBe('2025-12-31 23:00:00');
  });

  it('keeps the fraction of a second as written', () => {
    expect(addUnits('2026-01-31 23:59:59.5', 1, 'hour')).toBe('2026-02-01 00:59:59.5');
    expect(addUnits('2026-01-31 10:11:12.123456', 1, 'month')).toBe('2026-02-28 10:11:12.123456');
    expect(addUnits('2026-01-31 10:11:12.05', 0, 'day')).toBe('2026-01-31 10:11:12.05');
  });

  it("refuses text in any other spelling than rasdb's", () => {
    expect(() => addUnits('2026-01-31T00:00:00', 1, 'day')).toThrow("not a UTC time in rasdb's spelling");
  });
});

describe('earlier', () => {
  it('picks the earlier of two times, in either order', () => {
    expect(earlier('2026-01-01 00:00:00', '2025-12-31 23:59:59.5')).toBe('2025-12-31 23:59:59.5');
    expect(earlier('2025-12-31 23:59:59.5', '2026-01-01 00:00:00')).toBe('2025-12-31 23:59:59.5');
  });

  it('orders a whole second before the same second with a fraction', () => {
    expect(earlier('2026-01-01 00:00:00.5', '2026-01-01 00:00:00')).toBe('2026-01-01 00:00:00');
    expect(earlier('2026-01-01 00:00:00.25', '2026-01-01 00:00:00.5')).toBe('2026-01-01 00:00:00.25');
  });

  it('returns the time itself when both are equal', () => {
    expect(earlier('2026-01-01 00:00:00', '2026-01-01 00:00:00')).toBe('2026-01-01 00:00:00');
  });
});
