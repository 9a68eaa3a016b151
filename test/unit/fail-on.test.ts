import { describe, expect, it } from 'vitest';
import { ExitCode, RasdbError } from '../../src/errors.js';
import { describeViolation, parseFailRule, violations } from '../../src/plan/fail-on.js';
import type { LockPlan, RelationLock, TargetTable } from '../../src/plan/types.js';
import { lockOn, targetTable } from './support/lock-plan.js';

const lock = (relation: string, mode: RelationLock['mode'], extra: Partial<RelationLock> = {}) =>
  lockOn(relation, mode, 1, extra);
const target = targetTable;

function planOf(locks: RelationLock[], targets: TargetTable[]): LockPlan {
  return {
    direction: 'up',
    targetPhase: 4,
    currentPhase: 1,
    scratch: 'scratch',
    scratchServerVersion: '15.20',
    targetServerVersion: '15.20',
    replayed: [],
    migrations: [
      {
        name: '2001-asset-intelligence',
        phase: 2,
        direction: 'up',
        transactional: true,
        durationMsOnScratch: 1,
        statements: locks.map((l, i) => ({
          index: i + 1,
          sql: 'x',
          short: 'x',
          observedFrom: 'own-backend',
          durationMsOnScratch: 1,
          locks: [l],
        })),
      },
    ],
    tables: targets.map((t) => ({
      relation: t.relation,
      strongest: 'AccessShareLock',
      strongestIn: { migration: 'm', statement: 1 },
      longestHold: {
        migration: 'm',
        statement: 1,
        mode: 'AccessShareLock',
        heldThroughStatements: 1,
        heldMsOnScratch: 1,
      },
      rewrite: false,
      scan: false,
      target: t,
    })),
  };
}

const usage = (text: string): string => {
  try {
    parseFailRule(text);
  } catch (error) {
    expect(error).toBeInstanceOf(RasdbError);
    expect((error as RasdbError).exitCode).toBe(ExitCode.usage);
    return (error as RasdbError).message;
  }
  throw new Error(`${text} was accepted`);
};

describe('parseFailRule', () => {
  it('reads a mode, a size and tables', () => {
    expect(parseFailRule('access-exclusive>100MB')).toEqual({
      text: 'access-exclusive>100MB',
      what: { mode: 'AccessExclusiveLock' },
      largerThanBytes: 100 * 1024 ** 2,
    });
    expect(parseFailRule('share-row-exclusive:users')).toEqual({
      text: 'share-row-exclusive:users',
      what: { mode: 'ShareRowExclusiveLock' },
      tables: ['users'],
    });
    expect(parseFailRule('SHARE_ROW_EXCLUSIVE > 1.5GB:public.users,audit.logs')).toMatchObject({
      what: { mode: 'ShareRowExclusiveLock' },
      largerThanBytes: Math.round(1.5 * 1024 ** 3),
      tables: ['users', 'audit.logs'],
    });
    expect(parseFailRule('rewrite')).toEqual({ text: 'rewrite', what: { effect: 'rewrite' } });
    expect(parseFailRule('scan>8kB')).toMatchObject({ what: { effect: 'scan' }, largerThanBytes: 8192 });
  });

  it('refuses what it cannot read, in one line naming the problem', () => {
    expect(usage('exclusive-ish')).toMatch(/"exclusive-ish" is not a lock mode; use one of access-share, /);
    expect(usage('access-exclusive>100MiB')).toMatch(/"MiB" is not a size unit/);
    expect(usage('access-exclusive>lots')).toMatch(/--fail-on takes <lock mode\|rewrite\|scan>/);
    expect(usage('share:users;drop')).toMatch(/"users;drop" is not a table name/);
    expect(usage('')).toMatch(/--fail-on takes/);
  });
});

describe('violations', () => {
  const plan = planOf(
    [
      lock('ingestion_assets', 'ShareRowExclusiveLock'),
      lock('users', 'AccessExclusiveLock', { rewrite: true }),
      lock('small', 'AccessExclusiveLock', { scan: true }),
      lock('made_earlier', 'AccessExclusiveLock', { origin: 'earlier' }),
    ],
    [target('ingestion_assets', 200 * 1024 ** 2), target('users', 50 * 1024 ** 2), target('small', 8192)],
  );

  it('matches a mode or a stronger one, on existing tables only', () => {
    const found = violations(plan, [parseFailRule('share-row-exclusive')]);
    expect(found.map((v) => v.relation)).toEqual(['ingestion_assets', 'users', 'small']);
    expect(violations(plan, [parseFailRule('exclusive:ingestion_assets')])).toEqual([]);
  });

  it('limits by size and by table, and tells rewrites and scans', () => {
    expect(violations(plan, [parseFailRule('access-share>100MB')]).map((v) => v.relation)).toEqual([
      'ingestion_assets',
    ]);
    expect(violations(plan, [parseFailRule('access-exclusive>10MB')]).map((v) => v.relation)).toEqual(['users']);
    expect(violations(plan, [parseFailRule('rewrite')]).map((v) => v.relation)).toEqual(['users']);
    expect(violations(plan, [parseFailRule('scan')]).map((v) => v.relation)).toEqual(['users', 'small']);
    const [v] = violations(plan, [parseFailRule('share-row-exclusive:ingestion_assets')]);
    expect(describeViolation(v)).toBe(
      '2001-asset-intelligence statement 1 locks ingestion_assets in SHARE ROW EXCLUSIVE (--fail-on share-row-exclusive:ingestion_assets)',
    );
  });
});
