import { describe, expect, it } from 'vitest';
import {
  planSpan,
  readRange,
  READ_ROWS,
  writeSpan,
  type SpanInput,
  type SpanPlan,
} from '../../src/retention/summarize-span.js';

const t = (day: string, time = '00:00:00') => `${day} ${time}`;

/** Daily buckets, open from 2026-06-01, 31 a transaction, unless the test says otherwise. */
const days = (until: string | null, firstWithRows: string | null, rest: Partial<SpanInput> = {}): SpanInput => ({
  unit: 'day',
  closedUntil: t('2026-06-01'),
  write: 31,
  until,
  firstWithRows,
  ...rest,
});

/** Every range starts where the previous one ended, the first at the span's start and the last at its end. */
function expectContiguous(span: SpanPlan): void {
  expect(span.ranges[0].from).toBe(span.from);
  expect(span.ranges.at(-1)?.to).toBe(span.to);
  span.ranges.forEach((range, i) => {
    if (i > 0) expect(range.from).toBe(span.ranges[i - 1].to);
    if (span.hasRows) expect(range.from < range.to).toBe(true);
  });
}

describe('writeSpan', () => {
  it('writes a week of hours, 31 days or 3 months per transaction', () => {
    expect(writeSpan('hour')).toBe(168);
    expect(writeSpan('day')).toBe(31);
    expect(writeSpan('month')).toBe(3);
  });

  it('writes fewer when asked, never more, and never none', () => {
    expect(writeSpan('day', 7)).toBe(7);
    expect(writeSpan('day', 1_000)).toBe(31);
    expect(writeSpan('month', 0)).toBe(1);
    expect(writeSpan('hour', -5)).toBe(1);
  });
});

describe('readRange', () => {
  const base = { unit: 'day', closedUntil: t('2026-06-01'), write: 31 } as const;

  it('needs no estimate when no rows are left', () => {
    expect(readRange({ ...base, until: t('2026-05-01'), firstWithRows: null })).toBeNull();
    expect(readRange({ ...base, until: null, firstWithRows: null })).toBeNull();
  });

  it('needs no estimate for one transaction or less of buckets (the daily run)', () => {
    expect(readRange({ ...base, until: t('2026-05-31'), firstWithRows: t('2026-05-31') })).toBeNull();
    expect(readRange({ ...base, until: t('2026-05-01'), firstWithRows: t('2026-05-01') })).toBeNull();
  });

  it('asks for the rows of a READ span from the first bucket with rows, cut at the open bucket', () => {
    expect(readRange({ ...base, until: null, firstWithRows: t('2025-01-01') })).toEqual({
      from: t('2025-01-01'),
      until: t('2026-01-02'), // 366 days later
    });
    expect(readRange({ ...base, until: t('2025-01-01'), firstWithRows: t('2026-03-01') })).toEqual({
      from: t('2026-03-01'),
      until: t('2026-06-01'),
    });
  });

  it('reads a month of hours and three years of months', () => {
    const hours = { unit: 'hour', closedUntil: t('2026-06-01'), write: 168, until: null } as const;
    expect(readRange({ ...hours, firstWithRows: t('2026-01-01') })?.until).toBe(t('2026-02-01'));
    const months = { unit: 'month', closedUntil: t('2030-01-01'), write: 3, until: null } as const;
    expect(readRange({ ...months, firstWithRows: t('2023-01-01') })?.until).toBe(t('2026-01-01'));
  });
});

describe('planSpan', () => {
  it('with no rows left before the open bucket, only moves the watermark there', () => {
    const span = planSpan(days(t('2026-05-20'), null));
    expect(span).toEqual({
      hasRows: false,
      from: t('2026-06-01'),
      to: t('2026-06-01'),
      staged: false,
      ranges: [{ from: t('2026-06-01'), to: t('2026-06-01') }],
    });
  });

  it('on a first run over an empty table, still records the watermark at the open bucket', () => {
    const span = planSpan(days(null, null, { unit: 'hour', closedUntil: t('2026-06-01', '13:00:00'), write: 168 }));
    expect(span.hasRows).toBe(false);
    expect(span.ranges).toEqual([{ from: t('2026-06-01', '13:00:00'), to: t('2026-06-01', '13:00:00') }]);
  });

  it('computes the daily run directly, in one transaction, without an estimate', () => {
    const span = planSpan(days(t('2026-05-31'), t('2026-05-31')));
    expect(span).toEqual({
      hasRows: true,
      from: t('2026-05-31'),
      to: t('2026-06-01'),
      staged: false,
      ranges: [{ from: t('2026-05-31'), to: t('2026-06-01') }],
    });
  });

  it('skips a stretch without rows and starts at the first bucket that has some', () => {
    const span = planSpan(days(t('2026-01-01'), t('2026-05-25')));
    expect(span.from).toBe(t('2026-05-25'));
    expect(span.ranges).toEqual([{ from: t('2026-05-25'), to: t('2026-06-01') }]);
  });

  it('resumes from a watermark in the middle of a bucket, not from the bucket start', () => {
    const input = { unit: 'day', closedUntil: t('2026-01-12'), write: 31 } as const;
    const span = planSpan({ ...input, until: t('2026-01-10', '12:00:00'), firstWithRows: t('2026-01-10') });
    expect(span.ranges).toEqual([{ from: t('2026-01-10', '12:00:00'), to: t('2026-01-12') }]);
  });

  it('catches up a READ span at a time, staged, one WRITE span per transaction', () => {
    const span = planSpan(days(null, t('2025-01-01'), { estimatedRows: 1_000_000 }));
    expect(span).toMatchObject({ hasRows: true, from: t('2025-01-01'), to: t('2026-01-02'), staged: true });
    expect(span.ranges).toHaveLength(12);
    expect(span.ranges[0]).toEqual({ from: t('2025-01-01'), to: t('2025-02-01') });
    expect(span.ranges[1]).toEqual({ from: t('2025-02-01'), to: t('2025-03-04') });
    expect(span.ranges[11]).toEqual({ from: t('2025-12-08'), to: t('2026-01-02') });
    expectContiguous(span);
  });

  it('catches up months three at a time over three years', () => {
    const span = planSpan(days(null, t('2023-01-01'), { unit: 'month', write: 3, estimatedRows: 10 }));
    expect(span.to).toBe(t('2026-01-01'));
    expect(span.ranges.map((r) => r.from.slice(0, 7))).toEqual([
      ...['2023-01', '2023-04', '2023-07', '2023-10', '2024-01', '2024-04', '2024-07', '2024-10'],
      ...['2025-01', '2025-04', '2025-07', '2025-10'],
    ]);
    expectContiguous(span);
  });

  it('ends the span at the open bucket when that comes first, the last transaction shorter', () => {
    const input = days(null, t('2026-05-01'), { closedUntil: t('2026-05-20'), write: 5 });
    expect(readRange(input)).toEqual({ from: t('2026-05-01'), until: t('2026-05-20') });
    const span = planSpan({ ...input, estimatedRows: 100 });
    expect(span.staged).toBe(true);
    expect(span.ranges).toEqual([
      { from: t('2026-05-01'), to: t('2026-05-06') },
      { from: t('2026-05-06'), to: t('2026-05-11') },
      { from: t('2026-05-11'), to: t('2026-05-16') },
      { from: t('2026-05-16'), to: t('2026-05-20') },
    ]);
  });

  it('shortens the READ span in proportion when the estimate is over its row budget', () => {
    const input = days(null, t('2025-01-01'));
    // 366 days for 4x the budget: 91 days.
    expect(planSpan({ ...input, estimatedRows: 4 * READ_ROWS }).to).toBe(t('2025-04-02'));
    expect(planSpan({ ...input, estimatedRows: READ_ROWS }).to).toBe(t('2026-01-02'));
    expect(planSpan({ ...input, estimatedRows: READ_ROWS + 1 }).to).toBe(t('2026-01-01'));
  });

  it('never shortens below one WRITE span, which then needs no staging', () => {
    const span = planSpan(days(null, t('2025-01-01'), { estimatedRows: 1e12 }));
    expect(span).toMatchObject({ to: t('2025-02-01'), staged: false });
    expect(span.ranges).toEqual([{ from: t('2025-01-01'), to: t('2025-02-01') }]);
  });

  it('keeps the WRITE span as the floor of a shortened read even when fewer buckets per transaction are asked', () => {
    const span = planSpan(days(null, t('2025-01-01'), { write: 10, estimatedRows: 1e12 }));
    expect(span.to).toBe(t('2025-02-01'));
    expect(span.staged).toBe(true);
    expect(span.ranges.map((r) => r.to)).toEqual([t('2025-01-11'), t('2025-01-21'), t('2025-01-31'), t('2025-02-01')]);
  });

  it('refuses to plan a span that reads ahead without the estimate readRange asked for', () => {
    expect(() => planSpan(days(null, t('2025-01-01')))).toThrow(/needs the estimate of readRange/);
  });

  it('reaches the open bucket span after span, ranges contiguous, whatever the buckets per transaction', () => {
    for (const write of [1, 7, 31]) {
      let until: string | null = null;
      const closedUntil = t('2026-06-01');
      let spans = 0;
      while (until === null || until < closedUntil) {
        const input = days(until, until ?? t('2024-02-29'), { write });
        const span = planSpan({ ...input, estimatedRows: readRange(input) ? 100 : undefined });
        expectContiguous(span);
        expect(span.ranges.every((r) => r.to <= closedUntil)).toBe(true);
        until = span.to;
        spans += 1;
      }
      expect(until).toBe(closedUntil);
      expect(spans).toBeLessThan(30);
    }
  });
});
