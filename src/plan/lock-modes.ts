/**
 * PostgreSQL's eight table lock modes, as pg_locks names them, weakest first: the order of
 * PostgreSQL's own numbering (lockdefs.h), which is the order "strongest lock" means here.
 */
export const LOCK_MODES = [
  'AccessShareLock',
  'RowShareLock',
  'RowExclusiveLock',
  'ShareUpdateExclusiveLock',
  'ShareLock',
  'ShareRowExclusiveLock',
  'ExclusiveLock',
  'AccessExclusiveLock',
] as const;

export type LockMode = (typeof LOCK_MODES)[number];

/**
 * Which modes each mode conflicts with: the table "Conflicting Lock Modes" of PostgreSQL's
 * documentation (explicit-locking.html), row by row.
 */
const CONFLICTS: Record<LockMode, readonly LockMode[]> = {
  AccessShareLock: ['AccessExclusiveLock'],
  RowShareLock: ['ExclusiveLock', 'AccessExclusiveLock'],
  RowExclusiveLock: ['ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'],
  ShareUpdateExclusiveLock: [
    'ShareUpdateExclusiveLock',
    'ShareLock',
    'ShareRowExclusiveLock',
    'ExclusiveLock',
    'AccessExclusiveLock',
  ],
  ShareLock: [
    'RowExclusiveLock',
    'ShareUpdateExclusiveLock',
    'ShareRowExclusiveLock',
    'ExclusiveLock',
    'AccessExclusiveLock',
  ],
  ShareRowExclusiveLock: [
    'RowExclusiveLock',
    'ShareUpdateExclusiveLock',
    'ShareLock',
    'ShareRowExclusiveLock',
    'ExclusiveLock',
    'AccessExclusiveLock',
  ],
  ExclusiveLock: [
    'RowShareLock',
    'RowExclusiveLock',
    'ShareUpdateExclusiveLock',
    'ShareLock',
    'ShareRowExclusiveLock',
    'ExclusiveLock',
    'AccessExclusiveLock',
  ],
  AccessExclusiveLock: LOCK_MODES,
};

/**
 * Whether `mode` is one of the eight table lock modes.
 *
 * @example
 * isLockMode('ShareLock') // true; isLockMode('ExclusiveLock') // true; isLockMode('SIReadLock') // false
 */
export function isLockMode(mode: string): mode is LockMode {
  return (LOCK_MODES as readonly string[]).includes(mode);
}

/**
 * The rank of a mode, 1 (ACCESS SHARE) to 8 (ACCESS EXCLUSIVE).
 *
 * @example
 * lockRank('ShareRowExclusiveLock') // 6
 */
export function lockRank(mode: LockMode): number {
  return LOCK_MODES.indexOf(mode) + 1;
}

/**
 * The stronger of two modes; `undefined` counts as no lock.
 *
 * @example
 * stronger('ShareLock', 'AccessShareLock') // 'ShareLock'
 */
export function stronger(a: LockMode | undefined, b: LockMode): LockMode {
  return a === undefined || lockRank(b) > lockRank(a) ? b : a;
}

/**
 * Whether a session holding `held` makes a request for `requested` wait (and the other way round:
 * the table is symmetric).
 *
 * @example
 * conflicts('RowExclusiveLock', 'ShareRowExclusiveLock') // true: a writer blocks a new foreign key
 */
export function conflicts(held: LockMode, requested: LockMode): boolean {
  return CONFLICTS[held].includes(requested);
}

/**
 * A mode as the documentation writes it: `ShareRowExclusiveLock` is `SHARE ROW EXCLUSIVE`.
 *
 * @example
 * modeName('AccessExclusiveLock') // 'ACCESS EXCLUSIVE'
 */
export function modeName(mode: LockMode): string {
  return mode
    .replace(/Lock$/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toUpperCase();
}

/**
 * A mode as `--fail-on` spells it: `share-row-exclusive`.
 *
 * @example
 * modeSlug('ShareRowExclusiveLock') // 'share-row-exclusive'
 */
export function modeSlug(mode: LockMode): string {
  return modeName(mode).toLowerCase().replace(/ /g, '-');
}

/** What a lock held on a table makes wait, by the three kinds of work an operator cares about. */
export interface Blocks {
  /** Plain SELECT (ACCESS SHARE). */
  readonly reads: boolean;
  /** INSERT, UPDATE, DELETE (ROW EXCLUSIVE). */
  readonly writes: boolean;
  /** VACUUM, ANALYZE, CREATE INDEX CONCURRENTLY and other DDL (SHARE UPDATE EXCLUSIVE and up). */
  readonly ddl: boolean;
  /** SELECT ... FOR UPDATE / FOR SHARE (ROW SHARE). */
  readonly lockingReads: boolean;
}

/**
 * What a lock of `mode` blocks, read off the conflict table.
 *
 * @example
 * blocksOf('ShareRowExclusiveLock') // { reads: false, writes: true, ddl: true, lockingReads: false }
 */
export function blocksOf(mode: LockMode): Blocks {
  return {
    reads: conflicts(mode, 'AccessShareLock'),
    writes: conflicts(mode, 'RowExclusiveLock'),
    ddl: conflicts(mode, 'ShareUpdateExclusiveLock'),
    lockingReads: conflicts(mode, 'RowShareLock'),
  };
}

/**
 * What a lock of `mode` blocks, in words.
 *
 * @example
 * blocksInWords('ShareLock') // 'blocks writes, VACUUM and DDL; reads go on'
 * blocksInWords('AccessShareLock') // 'blocks only DDL that takes ACCESS EXCLUSIVE; reads, writes and VACUUM go on'
 */
export function blocksInWords(mode: LockMode): string {
  const blocks = blocksOf(mode);
  if (blocks.reads) return 'blocks everything: reads, writes, VACUUM and DDL';
  if (blocks.writes && blocks.lockingReads)
    return 'blocks writes, SELECT FOR UPDATE, VACUUM and DDL; plain reads go on';
  if (blocks.writes) return 'blocks writes, VACUUM and DDL; reads go on';
  if (blocks.ddl) return 'blocks VACUUM and DDL; reads and writes go on';
  // The weakest mode it makes wait: what it blocks is DDL taking that mode or a stronger one.
  const weakest = LOCK_MODES.find((other) => conflicts(mode, other)) as LockMode;
  const only =
    weakest === 'AccessExclusiveLock'
      ? 'only DDL that takes ACCESS EXCLUSIVE'
      : `DDL that takes ${modeName(weakest)} or stronger`;
  return `blocks ${only}; reads, writes and VACUUM go on`;
}
