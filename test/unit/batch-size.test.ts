import { describe, expect, it } from 'vitest';
import { BatchSizer } from '../../src/retention/batch-size.js';

describe('BatchSizer', () => {
  it('starts at 5000 rows, aiming at 50 ms, between 100 and 50000 rows', () => {
    const sizer = new BatchSizer();
    expect(sizer.next()).toBe(5_000);
    expect(sizer.targetMs).toBe(50);
    expect(sizer.minRows).toBe(100);
    expect(sizer.maxRows).toBe(50_000);
  });

  it('never starts above the maximum, and the minimum never exceeds it', () => {
    expect(new BatchSizer({ maxRows: 1_000 }).next()).toBe(1_000);
    const tiny = new BatchSizer({ maxRows: 50 });
    expect([tiny.next(), tiny.minRows]).toEqual([50, 50]);
    expect(new BatchSizer({ startRows: 200 }).next()).toBe(200);
  });

  it('takes at least one row, and whole rows, whatever maximum it is given', () => {
    const none = new BatchSizer({ maxRows: 0 });
    expect([none.next(), none.minRows, none.maxRows]).toEqual([1, 1, 1]);
    expect(new BatchSizer({ maxRows: 2.7 }).maxRows).toBe(2);
  });

  it('keeps the size of a batch that hit the target', () => {
    const sizer = new BatchSizer();
    sizer.record(5_000, 50);
    expect(sizer.next()).toBe(5_000);
  });

  it('grows a fast batch towards the target, at most doubling', () => {
    const sizer = new BatchSizer();
    sizer.record(5_000, 25); // 0.005 ms a row: 10000 rows would take 50 ms
    expect(sizer.next()).toBe(10_000);
    // Smoothed with the first batch: 0.5 * 0.005 + 0.5 * 0.0001 = 0.00255 ms a row, 19607.8 rows.
    sizer.record(10_000, 1);
    expect(sizer.next()).toBe(19_608);
    const fresh = new BatchSizer();
    fresh.record(5_000, 1); // 250000 rows would take 50 ms, but growth is capped at double
    expect(fresh.next()).toBe(10_000);
  });

  it('shrinks at once, in proportion, after a batch well over target', () => {
    const sizer = new BatchSizer();
    sizer.record(5_000, 200); // 4x the target: a quarter of the rows
    expect(sizer.next()).toBe(1_250);
  });

  it('shrinks in proportion past one and a half times the target, whatever the smoothed cost says', () => {
    const sizer = new BatchSizer();
    sizer.record(5_000, 50); // 0.01 ms a row
    sizer.record(5_000, 80); // 1.6x the target: 5000 * 50 / 80, not 50 / 0.013 = 3846
    expect(sizer.next()).toBe(3_125);
  });

  it('smooths the cost per row over batches when a batch is only a little slow', () => {
    const sizer = new BatchSizer();
    sizer.record(5_000, 50); // 0.01 ms a row
    sizer.record(5_000, 70); // 0.014 alone, 0.012 smoothed: 50 / 0.012 = 4166.7
    expect(sizer.next()).toBe(4_167);
  });

  it('stays within its bounds', () => {
    const slow = new BatchSizer();
    slow.record(5_000, 100_000);
    expect(slow.next()).toBe(100);
    const capped = new BatchSizer({ maxRows: 6_000 });
    capped.record(5_000, 25);
    expect(capped.next()).toBe(6_000);
  });

  it('looks further after a window with nothing it could take, up to the maximum', () => {
    const sizer = new BatchSizer({ maxRows: 12_000 });
    sizer.record(0, 3);
    expect(sizer.next()).toBe(10_000);
    sizer.record(-1, 3);
    expect(sizer.next()).toBe(12_000);
  });

  it('follows its own target', () => {
    const sizer = new BatchSizer({ targetMs: 200 });
    sizer.record(5_000, 100); // 0.02 ms a row: 10000 rows for 200 ms
    expect(sizer.next()).toBe(10_000);
  });
});
