import { describe, expect, it } from 'vitest';
import { RasdbError } from '../../src/errors.js';
import { parseOperatorTime, zonedSql } from '../../src/retention/operator-time.js';

/** The message as the command line words it (options by their library names here). */
function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(RasdbError);
    expect((error as RasdbError).exitCode).toBe(2);
    return (error as RasdbError).worded((name) => `--${name}`);
  }
  throw new Error('expected a usage error');
}

describe('parseOperatorTime', () => {
  it('keeps the offset an operator gives, so that it is honoured', () => {
    expect(parseOperatorTime('until', '2026-05-02T00:00:00-05:00')).toEqual({
      wall: '2026-05-02 00:00:00',
      offset: '-05:00',
      given: '2026-05-02T00:00:00-05:00',
    });
    expect(parseOperatorTime('until', '2026-05-02 13:45Z').offset).toBe('+00:00');
    expect(parseOperatorTime('until', '2026-05-02T13:45:00+0530').offset).toBe('+05:30');
    expect(parseOperatorTime('until', '2026-05-02T13:45:00+02').offset).toBe('+02:00');
  });

  it('reads a time without an offset as a clock reading, and a date as its midnight', () => {
    expect(parseOperatorTime('from', '2026-05-02')).toEqual({
      wall: '2026-05-02 00:00:00',
      offset: null,
      given: '2026-05-02',
    });
    expect(parseOperatorTime('from', '2026-05-02T13:45').wall).toBe('2026-05-02 13:45:00');
    expect(parseOperatorTime('from', '2026-05-02 13:45:10.500').wall).toBe('2026-05-02 13:45:10.5');
    expect(parseOperatorTime('from', '2026-05-02 13:45:10.000').wall).toBe('2026-05-02 13:45:10');
    expect(parseOperatorTime('from', '2024-02-29').wall).toBe('2024-02-29 00:00:00');
  });

  it('refuses impossible dates and times, naming the flag', () => {
    expect(refusal(() => parseOperatorTime('until', '2026-02-30'))).toBe(
      '--until: 2026-02-30 is not a date (February 2026 has 28 days)',
    );
    expect(refusal(() => parseOperatorTime('until', '2025-02-29'))).toMatch(/February 2025 has 28 days/);
    expect(refusal(() => parseOperatorTime('until', '2026-04-31'))).toMatch(/April 2026 has 30 days/);
    expect(refusal(() => parseOperatorTime('from', '2026-13-01'))).toMatch(/^--from: 2026-13-01 is not a date/);
    expect(refusal(() => parseOperatorTime('from', '2026-00-10'))).toMatch(/not a date/);
    expect(refusal(() => parseOperatorTime('from', '2026-01-01T24:00:00'))).toMatch(/not a time of day/);
    expect(refusal(() => parseOperatorTime('from', '2026-01-01T12:60'))).toMatch(/not a time of day/);
  });

  it('refuses years no retention or hold is about', () => {
    expect(refusal(() => parseOperatorTime('now', '1899-12-31'))).toMatch(/^--now: the year must be from 1900 to 9999/);
    expect(refusal(() => parseOperatorTime('now', '0226-01-01'))).toMatch(/year must be from 1900/);
    expect(refusal(() => parseOperatorTime('now', '20266-01-01'))).toMatch(/^--now takes a time such as/);
  });

  it('refuses offsets no zone has, and text that is not a time', () => {
    expect(refusal(() => parseOperatorTime('until', '2026-05-02T00:00:00+15:00'))).toMatch(
      /offset must be from -12:00 to \+14:00/,
    );
    expect(refusal(() => parseOperatorTime('until', '2026-05-02T00:00:00+05:75'))).toMatch(/offset/);
    // West of UTC, no zone goes past -12:00; east, +14:00 (Kiribati) is real.
    for (const west of ['-13:00', '-14:00', '-1201']) {
      expect(
        refusal(() => parseOperatorTime('until', `2026-05-02T00:00:00${west}`)),
        west,
      ).toMatch(/offset must be from -12:00 to \+14:00/);
    }
    expect(parseOperatorTime('until', '2026-05-02T00:00:00-12:00').offset).toBe('-12:00');
    expect(parseOperatorTime('until', '2026-05-02T00:00:00+14:00').offset).toBe('+14:00');
  });

  it('refuses a time whose offset carries it outside the accepted years in some zone', () => {
    for (const edge of ['9999-12-31T23:59:59-12:00', '9999-12-31T00:00Z', '1900-01-01T05:00+14:00', '1900-01-01Z']) {
      expect(
        refusal(() => parseOperatorTime('until', edge)),
        edge,
      ).toBe(
        `--until: "${edge}" falls outside the years 1900 to 9999 in some time zones; ` +
          'with a UTC offset, give a time from 1900-01-02 to 9999-12-30',
      );
    }
    expect(parseOperatorTime('until', '9999-12-30T23:59:59Z').wall).toBe('9999-12-30 23:59:59');
    expect(parseOperatorTime('until', '9999-12-31T23:59:59').offset).toBeNull(); // a reading of the data's zone
    for (const bad of ['tomorrow', '2026-5-2', '2026/05/02', '05/02/2026', '2026-05-02T', '2026-05-02 EST', '']) {
      expect(
        refusal(() => parseOperatorTime('until', bad)),
        bad,
      ).toMatch(/^--until takes a time such as/);
    }
  });

  it('takes only a date where a day is meant', () => {
    expect(parseOperatorTime('asOf', '2026-11-29', { dateOnly: true }).wall).toBe('2026-11-29 00:00:00');
    expect(refusal(() => parseOperatorTime('asOf', '2026-11-29T10:00', { dateOnly: true }))).toMatch(
      /^--asOf takes a date such as/,
    );
    expect(refusal(() => parseOperatorTime('asOf', '2026-11-29Z', { dateOnly: true }))).toMatch(/takes a date/);
    expect(refusal(() => parseOperatorTime('asOf', '2026-02-30', { dateOnly: true }))).toMatch(/not a date/);
  });
});

describe('zonedSql', () => {
  it('converts a time with an offset into the zone, and takes one without as a reading of it', () => {
    expect(zonedSql(parseOperatorTime('until', '2026-05-02T00:00:00-05:00'), 2, 1)).toEqual([
      '($2::text::timestamptz AT TIME ZONE $1::text)',
      '2026-05-02 00:00:00-05:00',
    ]);
    expect(zonedSql(parseOperatorTime('until', '2026-05-02'), 3, 1)).toEqual([
      '$3::text::timestamp',
      '2026-05-02 00:00:00',
    ]);
  });
});
