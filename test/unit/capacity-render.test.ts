import { describe, expect, it } from 'vitest';
import { bytes, ratioBar, ratioText } from '../../src/cli/capacity-render.js';

describe('the capacity table', () => {
  it('says sizes as pg_size_pretty does, in powers of 1024', () => {
    expect(bytes(0)).toBe('0 B');
    expect(bytes(1023)).toBe('1023 B');
    expect(bytes(1536)).toBe('1.5 KiB');
    expect(bytes(50 * 2 ** 30)).toBe('50.0 GiB');
    expect(bytes(3 * 2 ** 40)).toBe('3.0 TiB');
  });

  it('draws the ratio as a bar with the estimate marked, and an arrow past 2x', () => {
    expect(ratioBar(0)).toBe(`${' '.repeat(12)}|${' '.repeat(12)} `);
    expect(ratioBar(0.5)).toBe(`${'█'.repeat(6)}${' '.repeat(6)}|${' '.repeat(12)} `);
    expect(ratioBar(1)).toBe(`${'█'.repeat(12)}|${' '.repeat(12)} `);
    expect(ratioBar(2)).toBe(`${'█'.repeat(12)}|${'█'.repeat(12)} `);
    expect(ratioBar(5)).toBe(`${'█'.repeat(12)}|${'█'.repeat(12)}>`);
  });

  it('keeps small ratios readable', () => {
    expect(ratioText(1.234)).toBe('1.23x');
    expect(ratioText(0.00314)).toBe('0.0031x');
    expect(ratioText(0)).toBe('0.00x');
  });
});
