import { describe, expect, it } from 'vitest';
import { naiveSeconds, naiveText, readingSeconds, readings } from '../../src/capacity/flow.js';
import { currentRows, estimateInRange, type ColumnStats } from '../../src/capacity/histogram.js';

// 1,000 rows over 10 days, spread evenly: ten buckets of a day each.
const even: ColumnStats = {
  reltuples: 1000,
  relpages: 10,
  pages: 10,
  liveTuples: 0,
  nullFrac: 0,
  bounds: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((d) => d * 86_400),
  common: [],
  commonFreqs: [],
};

describe('rows in a window from the statistics', () => {
  it('interpolates inside buckets as the planner does', () => {
    expect(estimateInRange(even, 0, 10 * 86_400)).toBeCloseTo(1000, 9);
    expect(estimateInRange(even, 7 * 86_400, 10 * 86_400)).toBeCloseTo(300, 9);
    expect(estimateInRange(even, 2.5 * 86_400, 4 * 86_400)).toBeCloseTo(150, 9);
    expect(estimateInRange(even, 20 * 86_400, 30 * 86_400)).toBe(0);
  });

  it('counts rows written since ANALYZE by the pages the table has now', () => {
    expect(currentRows({ ...even, pages: 12 })).toBe(1200);
    expect(estimateInRange({ ...even, pages: 12 }, 0, 11 * 86_400)).toBeCloseTo(1200, 9);
    expect(currentRows({ ...even, reltuples: -1 })).toBeNull();
    // New rows narrower than the old: the live count knows better than the density.
    expect(currentRows({ ...even, pages: 12, liveTuples: 1500 })).toBe(1500);
    // Counters reset (a copy of the database) and 100 rows since: the density knows better.
    expect(currentRows({ ...even, pages: 12, liveTuples: 100 })).toBe(1200);
    expect(currentRows({ ...even, reltuples: -1, liveTuples: 7 })).toBe(7);
    expect(estimateInRange({ ...even, reltuples: -1 }, 0, 1)).toBeNull();
  });

  it('places the rows written since ANALYZE between the histogram and the newest value', () => {
    // 500 rows came in the 5 days after ANALYZE (the table grew by half); the index knows the newest.
    const stale = { ...even, pages: 15 };
    expect(estimateInRange(stale, 10 * 86_400, 15 * 86_400, { max: 15 * 86_400 })).toBeCloseTo(500, 6);
    expect(estimateInRange(stale, 12 * 86_400, 15 * 86_400, { max: 15 * 86_400 })).toBeCloseTo(300, 6);
    // A 7-day window: 3 days of the analyzed rows and the 500 new ones.
    expect(estimateInRange(stale, 8 * 86_400, 15 * 86_400, { max: 15 * 86_400 })).toBeCloseTo(200 + 500, 6);
    // Without the newest value, the new rows are taken to reach the window's end.
    expect(estimateInRange(stale, 10 * 86_400, 15 * 86_400)).toBeCloseTo(500, 6);
    // The actual oldest value widens the first bucket.
    expect(estimateInRange(even, -86_400, 86_400, { min: -86_400 })).toBeCloseTo(100, 6);
  });

  it('leaves out NULLs and counts most common values by their frequency', () => {
    const nulls = { ...even, nullFrac: 0.2 };
    expect(estimateInRange(nulls, 0, 10 * 86_400)).toBeCloseTo(800, 9);
    const common = { ...even, common: [5 * 86_400], commonFreqs: [0.5] };
    expect(estimateInRange(common, 5 * 86_400, 5 * 86_400 + 1)).toBeCloseTo(500 + 500 * (1 / (10 * 86_400)), 6);
    expect(estimateInRange({ ...even, bounds: [] }, 0, 1)).toBeNull();
  });
});

describe('naive readings as text', () => {
  it('prints seconds since 1970 in the house spelling', () => {
    expect(naiveText(0)).toBe('1970-01-01 00:00:00');
    expect(naiveText(Date.parse('2026-05-31T23:00:00Z') / 1000 + 0.25)).toBe('2026-05-31 23:00:00.25');
    expect(naiveText(Date.parse('2026-03-08T02:30:00Z') / 1000)).toBe('2026-03-08 02:30:00');
    for (const text of ['1970-01-01 00:00:00', '2026-05-31 23:00:00.25', '2026-12-01 12:33:43.569486'])
      expect(naiveText(naiveSeconds(text))).toBe(text);
    expect(naiveSeconds('1970-01-02 00:00:00.5')).toBe(86_400.5);
  });

  it('reads an array of readings in place as readings and naiveSeconds read it', () => {
    for (const text of [
      '{}',
      '{"2026-01-01 00:00:00"}',
      '{"2026-01-01 00:00:00","2026-01-01 00:00:00.25",infinity,-infinity}',
      '{"0044-03-15 00:00:00 BC","12026-02-28 00:00:00","2026-05-31 23:00:00.123456"}',
      '["2026-01-01T00:00:00","2026-01-02T00:00:00.5"]',
      '[]',
    ])
      expect(readingSeconds(text), text).toEqual(readings(text).map(naiveSeconds));
    expect(readingSeconds(null)).toEqual([]);
    expect(readingSeconds('{"1970-01-02 00:00:00",infinity}')).toEqual([86_400, Infinity]);
  });

  it('reads every plain reading of years 1 to 9999 as the calendar of JavaScript dates gives it', () => {
    // The plain spelling is read digit by digit; JavaScript's dates are the reference.
    let seed = 7;
    const next = (n: number) => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) % n;
    const pad = (v: number, width: number) => String(v).padStart(width, '0');
    for (let i = 0; i < 2000; i++) {
      const date = new Date(0);
      date.setUTCFullYear(1 + next(9999), next(12), 1 + next(31));
      date.setUTCHours(next(24), next(60), next(60), 0);
      const micros = i % 3 === 0 ? 0 : next(1_000_000);
      const fraction = micros ? `.${pad(micros, 6)}`.replace(/0+$/, '') : '';
      const text = `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)}${i % 2 ? 'T' : ' '}${pad(date.getUTCHours(), 2)}:${pad(date.getUTCMinutes(), 2)}:${pad(date.getUTCSeconds(), 2)}${fraction}`;
      expect(naiveSeconds(text), text).toBeCloseTo(date.getTime() / 1000 + micros / 1e6, 6);
    }
    expect(naiveSeconds('2024-02-29 00:00:00')).toBe(Date.parse('2024-02-29T00:00:00Z') / 1000);
    expect(naiveSeconds('1900-03-01 00:00:00')).toBe(Date.parse('1900-03-01T00:00:00Z') / 1000);
  });

  it("reads the statistics' values as JSON spells them, as extract(epoch FROM timestamp) gives them", () => {
    // Each figure is PostgreSQL 15's extract(epoch FROM ...::timestamp) of the same text.
    expect(naiveSeconds('2025-10-27T10:38:44.29345')).toBeCloseTo(1_761_561_524.29345, 5);
    expect(naiveSeconds('0044-03-15T00:00:00 BC')).toBe(-63_517_824_000);
    expect(naiveSeconds('0001-01-01T00:00:00 BC')).toBe(-62_167_219_200);
    expect(naiveSeconds('0099-12-31T23:59:59.000001')).toBeCloseTo(-59_011_459_201 + 0.000001, 5);
    expect(naiveSeconds('12026-02-28T00:00:00')).toBe(317_341_756_800);
    expect(naiveSeconds('infinity')).toBe(Infinity);
    expect(naiveSeconds('-infinity')).toBe(-Infinity);
    expect(naiveSeconds('294276-12-31T23:59:59')).toBe(Infinity);
    expect(naiveSeconds('0044-03-15 00:00:00 BC')).toBe(-63_517_824_000);
    expect(naiveSeconds('2026-01-01')).toBe(Date.parse('2026-01-01T00:00:00Z') / 1000);
    expect(naiveSeconds('2026-01-01 05:00:00+05')).toBe(Date.parse('2026-01-01T05:00:00Z') / 1000);
    expect(naiveSeconds('0044-03-15 00:00:00+00:53:28 BC')).toBe(-63_517_824_000);
    expect(() => naiveSeconds('31/12/2025 10:00:00')).toThrow(/house spelling/);
  });

  it('splits the array texts the statistics arrive in', () => {
    expect(readings(null)).toEqual([]);
    expect(readings('{}')).toEqual([]);
    expect(readings('{"2026-01-01 00:00:00",infinity,"0044-03-15 00:00:00 BC"}')).toEqual([
      '2026-01-01 00:00:00',
      'infinity',
      '0044-03-15 00:00:00 BC',
    ]);
    expect(readings('["2026-01-01T00:00:00","infinity"]')).toEqual(['2026-01-01T00:00:00', 'infinity']);
    expect(readings('{2026-01-01}')).toEqual(['2026-01-01']);
    expect(() => readings('2026')).toThrow(/not an array/);
  });
});
