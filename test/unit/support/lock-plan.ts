import type { RelationLock, TargetTable } from '../../../src/plan/types.js';

/** A lock on an existing table, held through `held` statements of a transaction; `extra` overrides. */
export function lockOn(
  relation: string,
  mode: RelationLock['mode'],
  held = 1,
  extra: Partial<RelationLock> = {},
): RelationLock {
  return {
    relation,
    kind: 'table',
    mode,
    modes: [mode],
    granted: true,
    origin: 'existing',
    existedBefore: true,
    rewrite: false,
    scan: false,
    heldUntil: 'end of transaction',
    heldThroughStatements: held,
    heldMsOnScratch: held,
    ...extra,
  };
}

/** A table of the target of `totalBytes`, all heap, with nobody holding a lock on it. */
export function targetTable(relation: string, totalBytes = 8192): TargetTable {
  return {
    relation,
    kind: 'table',
    heapBytes: totalBytes,
    indexBytes: 0,
    toastBytes: 0,
    totalBytes,
    rowEstimate: null,
    sessions: { total: 0, writing: 0, pids: [], oldestTransactionStart: null },
  };
}
