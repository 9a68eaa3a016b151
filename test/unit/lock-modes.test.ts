import { describe, expect, it } from 'vitest';
import {
  LOCK_MODES,
  blocksInWords,
  blocksOf,
  conflicts,
  lockRank,
  modeName,
  modeSlug,
  stronger,
} from '../../src/plan/lock-modes.js';

describe('lock modes', () => {
  it('ranks the eight modes as PostgreSQL numbers them', () => {
    expect(LOCK_MODES.map(lockRank)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(stronger('ShareLock', 'AccessShareLock')).toBe('ShareLock');
    expect(stronger(undefined, 'RowShareLock')).toBe('RowShareLock');
  });

  it('follows the documented conflict table, which is symmetric', () => {
    // Rows of "Conflicting Lock Modes" (explicit-locking.html): how many modes each conflicts with.
    expect(LOCK_MODES.map((held) => LOCK_MODES.filter((other) => conflicts(held, other)).length)).toEqual([
      1, 2, 4, 5, 5, 6, 7, 8,
    ]);
    for (const a of LOCK_MODES) for (const b of LOCK_MODES) expect(conflicts(a, b)).toBe(conflicts(b, a));
    expect(conflicts('ShareLock', 'ShareLock')).toBe(false);
    expect(conflicts('ShareUpdateExclusiveLock', 'ShareUpdateExclusiveLock')).toBe(true);
  });

  it('says what each mode blocks: reads, writes, DDL and VACUUM', () => {
    const table = Object.fromEntries(LOCK_MODES.map((m) => [m, blocksOf(m)]));
    expect(table.AccessShareLock).toEqual({ reads: false, writes: false, ddl: false, lockingReads: false });
    expect(table.RowExclusiveLock).toEqual({ reads: false, writes: false, ddl: false, lockingReads: false });
    expect(table.ShareUpdateExclusiveLock).toEqual({ reads: false, writes: false, ddl: true, lockingReads: false });
    expect(table.ShareLock).toEqual({ reads: false, writes: true, ddl: true, lockingReads: false });
    expect(table.ShareRowExclusiveLock).toEqual({ reads: false, writes: true, ddl: true, lockingReads: false });
    expect(table.ExclusiveLock).toEqual({ reads: false, writes: true, ddl: true, lockingReads: true });
    expect(table.AccessExclusiveLock).toEqual({ reads: true, writes: true, ddl: true, lockingReads: true });
    expect(blocksInWords('ShareRowExclusiveLock')).toBe('blocks writes, VACUUM and DDL; reads go on');
    expect(blocksInWords('AccessExclusiveLock')).toBe('blocks everything: reads, writes, VACUUM and DDL');
    expect(blocksInWords('RowExclusiveLock')).toBe(
      'blocks DDL that takes SHARE or stronger; reads, writes and VACUUM go on',
    );
    expect(blocksInWords('AccessShareLock')).toBe(
      'blocks only DDL that takes ACCESS EXCLUSIVE; reads, writes and VACUUM go on',
    );
  });

  it('names modes as the documentation and --fail-on write them', () => {
    expect(modeName('ShareRowExclusiveLock')).toBe('SHARE ROW EXCLUSIVE');
    expect(modeSlug('AccessExclusiveLock')).toBe('access-exclusive');
  });
});
