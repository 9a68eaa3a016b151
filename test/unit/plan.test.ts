import { describe, expect, it } from 'vitest';
import { ExitCode, RasdbError } from '../../src/errors.js';
import type { MigrationFile } from '../../src/migrate/migration-files.js';
import { parsePhase } from '../../src/cli/options.js';
import { currentPhase } from '../../src/migrate/plan.js';

function file(name: string, phase: number): MigrationFile {
  return {
    name,
    phase,
    folder: `phase-${phase}-test`,
    path: `/nowhere/phase-${phase}-test/${name}.js`,
    load: () => Promise.reject(new Error('a unit test must not load migrations')),
  };
}

const files = [file('0001-a', 0), file('0002-b', 0), file('1001-c', 1), file('2001-d', 2), file('4001-e', 4)];

describe('currentPhase', () => {
  it('is -1 while any migration of phase 0 is pending', () => {
    expect(currentPhase(files, new Set())).toBe(-1);
    expect(currentPhase(files, new Set(['0001-a']))).toBe(-1);
  });

  it('is the highest phase that is complete together with every phase below it', () => {
    expect(currentPhase(files, new Set(['0001-a', '0002-b']))).toBe(0);
    expect(currentPhase(files, new Set(['0001-a', '0002-b', '1001-c']))).toBe(1);
    expect(currentPhase(files, new Set(['0001-a', '0002-b', '1001-c', '2001-d']))).toBe(2);
  });

  it('does not count a later phase whose earlier phase is incomplete', () => {
    expect(currentPhase(files, new Set(['0001-a', '0002-b', '2001-d', '4001-e']))).toBe(0);
  });

  it('stops at a phase that has no migrations at all', () => {
    // Phase 3 has no files: phase 4, though applied, is not reached.
    expect(currentPhase(files, new Set(files.map((f) => f.name)))).toBe(2);
    expect(currentPhase([file('1001-c', 1)], new Set(['1001-c']))).toBe(-1);
  });

  it('reaches the last phase when every phase has migrations and all are applied', () => {
    const all = [0, 1, 2, 3, 4].map((phase) => file(`${phase}001-x`, phase));
    expect(currentPhase(all, new Set(all.map((f) => f.name)))).toBe(4);
  });

  it('ignores applied names that are not among the files', () => {
    expect(currentPhase(files, new Set(['0001-a', 'zz-unknown']))).toBe(-1);
    expect(currentPhase([], new Set(['0001-a']))).toBe(-1);
  });
});

describe('parsePhase', () => {
  function refusal(value: string, min?: number): RasdbError {
    try {
      parsePhase(value, '--phase', min);
    } catch (error) {
      if (error instanceof RasdbError) return error;
      throw error;
    }
    throw new Error(`parsePhase accepted "${value}"`);
  }

  it('gives undefined when no phase is asked for', () => {
    expect(parsePhase(undefined, '--phase')).toBeUndefined();
  });

  it('reads whole numbers from the minimum to 4', () => {
    expect([0, 1, 2, 3, 4].map((n) => parsePhase(String(n), '--phase'))).toEqual([0, 1, 2, 3, 4]);
    expect(parsePhase(' 3 ', '--phase')).toBe(3);
    expect(parsePhase('1', '--phase', 1)).toBe(1);
  });

  it('refuses phases out of range, naming the range', () => {
    expect(refusal('5').message).toBe('--phase must be a whole number from 0 to 4, got "5"');
    expect(refusal('-1').message).toBe('--phase must be a whole number from 0 to 4, got "-1"');
    expect(refusal('0', 1).message).toBe('--phase must be a whole number from 1 to 4, got "0"');
  });

  it('refuses anything but a whole number, with the usage exit code', () => {
    for (const value of ['1.5', 'two', '', ' ', '1e0', '0x1', '+1', '1 2']) {
      expect(refusal(value).exitCode, value).toBe(ExitCode.usage);
    }
  });
});
