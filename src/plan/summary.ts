import { lockRank } from './lock-modes.js';
import { TABLE_KINDS } from './relations.js';
import type { MigrationLocks, TableSummary, TargetTable } from './types.js';

/**
 * Per existing table the run locks (one the target has), the strongest lock and where it is
 * first taken, the longest any of its locks is held (statements, then time on the scratch
 * database), and whether anything rewrites or scans it; in the order the run first locks them.
 *
 * @example
 * summarizeTables(migrations, targets)[0] // { relation: 'ingestion_assets', strongest: 'ShareRowExclusiveLock', ... }
 */
export function summarizeTables(
  migrations: readonly MigrationLocks[],
  targets: readonly TargetTable[],
): TableSummary[] {
  const byName = new Map(targets.map((t) => [t.relation, t]));
  const summaries = new Map<string, TableSummary>();
  for (const migration of migrations) {
    for (const statement of migration.statements) {
      for (const lock of statement.locks) {
        const target = byName.get(lock.relation);
        if (lock.origin !== 'existing' || !target || !TABLE_KINDS.includes(lock.kind)) continue;
        const here = { migration: migration.name, statement: statement.index };
        const hold = {
          ...here,
          mode: lock.mode,
          heldThroughStatements: lock.heldThroughStatements,
          heldMsOnScratch: lock.heldMsOnScratch,
        };
        const was = summaries.get(lock.relation);
        if (!was) {
          summaries.set(lock.relation, {
            relation: lock.relation,
            strongest: lock.mode,
            strongestIn: here,
            longestHold: hold,
            rewrite: lock.rewrite,
            scan: lock.rewrite || lock.scan === true,
            target,
          });
          continue;
        }
        const longer =
          hold.heldThroughStatements > was.longestHold.heldThroughStatements ||
          (hold.heldThroughStatements === was.longestHold.heldThroughStatements &&
            hold.heldMsOnScratch > was.longestHold.heldMsOnScratch);
        const strongerLock = lockRank(lock.mode) > lockRank(was.strongest);
        summaries.set(lock.relation, {
          ...was,
          strongest: strongerLock ? lock.mode : was.strongest,
          strongestIn: strongerLock ? here : was.strongestIn,
          longestHold: longer ? hold : was.longestHold,
          rewrite: was.rewrite || lock.rewrite,
          scan: was.scan || lock.rewrite || lock.scan === true,
        });
      }
    }
  }
  return [...summaries.values()];
}
