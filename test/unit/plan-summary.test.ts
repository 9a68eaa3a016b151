import { describe, expect, it } from 'vitest';
import { summarizeTables } from '../../src/plan/summary.js';
import type { MigrationLocks, RelationLock } from '../../src/plan/types.js';
import { lockOn, targetTable } from './support/lock-plan.js';

const target = (relation: string) => targetTable(relation);
const lock = lockOn;

const migration = (name: string, statements: RelationLock[][]): MigrationLocks => ({
  name,
  phase: 2,
  direction: 'up',
  transactional: true,
  durationMsOnScratch: 1,
  statements: statements.map((locks, i) => ({
    index: i + 1,
    sql: 's',
    short: 's',
    observedFrom: 'own-backend',
    durationMsOnScratch: 1,
    locks,
  })),
});

describe('summarizeTables', () => {
  it('keeps per existing table the strongest lock, where it is first taken, and the longest hold', () => {
    const summaries = summarizeTables(
      [
        migration('2001-a', [
          [lock('users', 'ShareRowExclusiveLock', 3)],
          [lock('users_pkey', 'AccessShareLock', 2, { kind: 'index' })],
        ]),
        migration('2002-b', [
          [lock('users', 'ShareRowExclusiveLock', 5), lock('made_here', 'AccessExclusiveLock', 5, { origin: 'new' })],
          [lock('users', 'AccessExclusiveLock', 1, { scan: true })],
        ]),
      ],
      [target('users')],
    );
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toMatchObject({
      relation: 'users',
      strongest: 'AccessExclusiveLock',
      strongestIn: { migration: '2002-b', statement: 2 },
      longestHold: { migration: '2002-b', statement: 1, mode: 'ShareRowExclusiveLock', heldThroughStatements: 5 },
      rewrite: false,
      scan: true,
    });
  });

  it('leaves out what the target does not have', () => {
    expect(summarizeTables([migration('2001-a', [[lock('gone', 'AccessExclusiveLock', 1)]])], [])).toEqual([]);
  });
});
