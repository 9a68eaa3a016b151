import { describe, expect, it } from 'vitest';
import { parseCount, parseDuration } from '../../src/cli/duration.js';
import { ExitCode, RasdbError } from '../../src/errors.js';

const DAY = 86_400_000;
const parse = (value: string, limits: { minMs?: number; maxMs: number } = { maxMs: DAY }) =>
  parseDuration('--max-runtime', value, limits);

/** The usage error a bad value gets, so a test can check both the exit code and the message. */
function refusal(run: () => unknown): RasdbError {
  try {
    run();
  } catch (error) {
    if (error instanceof RasdbError) return error;
    throw error;
  }
  throw new Error('expected a RasdbError, but the call returned');
}

describe('parseDuration', () => {
  it('reads every unit', () => {
    expect(parse('500ms')).toBe(500);
    expect(parse('5s')).toBe(5_000);
    expect(parse('5sec')).toBe(5_000);
    expect(parse('2m')).toBe(120_000);
    expect(parse('15min')).toBe(900_000);
    expect(parse('1h')).toBe(3_600_000);
  });

  it('takes a bare number as seconds', () => {
    expect(parse('90')).toBe(90_000);
  });

  it('takes decimals and rounds to whole milliseconds', () => {
    expect(parse('1.5s')).toBe(1_500);
    expect(parse('0.25h')).toBe(900_000);
    expect(parse('1.0004s')).toBe(1_000);
    expect(parse('1.0006s')).toBe(1_001);
  });

  it('allows white space around the value and between number and unit', () => {
    expect(parse('  30 s ')).toBe(30_000);
    expect(parse('\t10min\n')).toBe(600_000);
  });

  it('accepts zero only when the minimum allows it', () => {
    expect(parse('0')).toBe(0);
    const error = refusal(() => parse('0s', { minMs: 1, maxMs: DAY }));
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.message).toBe('--max-runtime must be between 1ms and 24h, got "0s"');
  });

  it('accepts both limits themselves and refuses just past them', () => {
    expect(parse('100ms', { minMs: 100, maxMs: 1_000 })).toBe(100);
    expect(parse('1s', { minMs: 100, maxMs: 1_000 })).toBe(1_000);
    expect(refusal(() => parse('99ms', { minMs: 100, maxMs: 1_000 })).message).toContain('between 100ms and 1s');
    expect(refusal(() => parse('1001ms', { minMs: 100, maxMs: 1_000 })).message).toContain('got "1001ms"');
  });

  it('names the limits in the largest unit that divides them', () => {
    expect(refusal(() => parse('2h', { maxMs: 3_600_000 })).message).toContain('between 0s and 1h');
    expect(refusal(() => parse('2h', { maxMs: 90 * 60_000 })).message).toContain('between 0s and 90min');
    expect(refusal(() => parse('2h', { maxMs: 1_500 })).message).toContain('between 0s and 1500ms');
    expect(refusal(() => parse('2h', { minMs: 2_000, maxMs: 60_000 })).message).toContain('between 2s and 1min');
  });

  it('refuses negatives, garbage, unknown units and empty values with the usage exit code', () => {
    for (const value of ['-5s', '-1', 'abc', '5 days', '5d', '1.s', '.5s', '1e3', '', '   ', '5s5', '5 s s', '0x10']) {
      const error = refusal(() => parse(value));
      expect(error.exitCode, value).toBe(ExitCode.usage);
      const expected = `--max-runtime takes a duration such as 500ms, 30s, 15min or 1h, got "${value}"`;
      expect(error.message, value).toBe(expected);
    }
  });

  it('is case sensitive about units, as documented', () => {
    expect(refusal(() => parse('5S')).exitCode).toBe(ExitCode.usage);
    expect(refusal(() => parse('1H')).exitCode).toBe(ExitCode.usage);
  });
});

describe('parseCount', () => {
  const count = (value: string, min = 0, max = 10) => parseCount('--lock-retries', value, min, max);

  it('reads whole numbers within the bounds, the bounds included', () => {
    expect(count('0')).toBe(0);
    expect(count('10')).toBe(10);
    expect(count('7')).toBe(7);
    expect(count(' 3 ')).toBe(3);
    expect(count('007')).toBe(7);
  });

  it('refuses values outside the bounds', () => {
    expect(refusal(() => count('11')).message).toBe('--lock-retries must be a whole number from 0 to 10, got "11"');
    expect(refusal(() => count('0', 1)).message).toBe('--lock-retries must be a whole number from 1 to 10, got "0"');
  });

  it('refuses negatives, decimals, units and garbage', () => {
    for (const value of ['-1', '1.5', '1e2', '5x', 'five', '', ' ', '+3']) {
      expect(refusal(() => count(value)).exitCode, value).toBe(ExitCode.usage);
    }
  });
});
