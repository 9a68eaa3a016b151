import { describe, expect, it } from 'vitest';
import { ExitCode, RasdbError } from '../../src/errors.js';
import type { Hold } from '../../src/ledger/retention-holds.js';
import { refuseHeld, refuseRows } from '../../src/migrate/rollback-refusals.js';

function hold(id: number, table: string, reason: string): Hold {
  return {
    id,
    table,
    from: '2025-01-01 00:00:00',
    until: null,
    ids: null,
    reason,
    placedBy: 'legal',
    placedAt: '2026-01-01 00:00:00',
    releasedAt: null,
    releasedBy: null,
    releaseReason: null,
  };
}

function refusal(check: () => void): RasdbError {
  try {
    check();
  } catch (error) {
    if (error instanceof RasdbError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('refuseRows', () => {
  it('lets empty tables go, and tables with rows under force', () => {
    expect(() => refuseRows([{ table: 'alerts', rows: 0 }], false)).not.toThrow();
    expect(() => refuseRows([{ table: 'alerts', rows: 3 }], true)).not.toThrow();
  });

  it('names every table that holds rows, with its count, and exits 4', () => {
    const error = refusal(() =>
      refuseRows(
        [
          { table: 'alerts', rows: 1 },
          { table: 'empty', rows: 0 },
          { table: 'audit', rows: 2 },
        ],
        false,
      ),
    );
    expect(error.exitCode).toBe(ExitCode.check);
    expect(error.message).toMatch(
      /^rollback would drop tables that hold rows: alerts \(1 row\), audit \(2 rows\); back them up/,
    );
  });

  it('says where it stopped when rows arrived after the first count', () => {
    const error = refusal(() => refuseRows([{ table: 'alerts', rows: 1 }], undefined, '4003-performance-monitoring'));
    expect(error.message).toMatch(
      /^rollback stopped before 4003-performance-monitoring: rows were committed after rollback counted them/,
    );
  });
});

describe('refuseHeld', () => {
  it('lets a rollback through without active holds', () => {
    expect(() => refuseHeld([])).not.toThrow();
  });

  it('names each hold by id, table and reason (quoted), and how to release it', () => {
    const error = refusal(() =>
      refuseHeld([hold(3, 'api_call_logs', 'case "17"'), hold(5, 'integration_operations', 'audit')]),
    );
    expect(error.exitCode).toBe(ExitCode.check);
    expect(error.message).toContain(
      'hold 3 on api_call_logs ("case \\"17\\""), hold 5 on integration_operations ("audit")',
    );
    expect(error.message).toContain('rasdb retention hold release 3');
  });
});
