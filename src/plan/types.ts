import type { LockMode } from './lock-modes.js';

/**
 * Where a locked relation stands, as the target database sees it:
 * - `existing`: it exists on the target now (the ones that matter: the application uses them);
 * - `earlier`: made by an earlier migration of this same run (empty when this one runs);
 * - `new`: made by this migration.
 */
export type RelationOrigin = 'existing' | 'earlier' | 'new';

export type RelationKind =
  | 'table'
  | 'partitioned table'
  | 'view'
  | 'materialized view'
  | 'foreign table'
  | 'index'
  | 'partitioned index'
  | 'sequence'
  | 'other';

/** One relation a statement locked, in the strongest mode it newly took on it. */
export interface RelationLock {
  /** `name` in public, `schema.name` elsewhere. */
  readonly relation: string;
  readonly kind: RelationKind;
  /** For an index: the table it belongs to. */
  readonly table?: string;
  readonly mode: LockMode;
  /** Every mode this statement newly took on the relation, weakest first. */
  readonly modes: readonly LockMode[];
  /** False when the statement was seen waiting for it (observed from a second connection). */
  readonly granted: boolean;
  readonly origin: RelationOrigin;
  /** It existed on the scratch database before this migration began. */
  readonly existedBefore: boolean;
  /** The statement gave it a new relfilenode: a rewrite of the whole table (or a TRUNCATE). */
  readonly rewrite: boolean;
  /**
   * The statement read the whole table (a sequential scan counted by the server within the
   * transaction: a NOT NULL or CHECK checked row by row, a foreign key validated, an index
   * built); `null` where it cannot be counted (a statement outside a transaction).
   */
  readonly scan: boolean | null;
  /** Until the end of the migration's transaction, or of the statement itself outside one. */
  readonly heldUntil: 'end of transaction' | 'end of statement';
  /** Statements that run while it is held, this one included. */
  readonly heldThroughStatements: number;
  /** How long it was held on the scratch database (empty tables: a lower bound). */
  readonly heldMsOnScratch: number;
}

export interface StatementLocks {
  /** 1-based, within its migration. */
  readonly index: number;
  readonly sql: string;
  /** The SQL cut to one short line. */
  readonly short: string;
  /** `transaction`: read from pg_locks of its own backend; `second-connection`: watched from another. */
  readonly observedFrom: 'own-backend' | 'second-connection';
  readonly durationMsOnScratch: number;
  readonly locks: readonly RelationLock[];
}

export interface MigrationLocks {
  readonly name: string;
  readonly phase: number;
  readonly direction: 'up' | 'down';
  readonly transactional: boolean;
  readonly durationMsOnScratch: number;
  readonly statements: readonly StatementLocks[];
}

/** Who holds locks on a table of the target right now (other sessions only). */
export interface SessionsNow {
  /** Sessions holding any lock on it (or on one of its partitions). */
  readonly total: number;
  /** Those holding ROW EXCLUSIVE or stronger: they have written to it in their open transaction. */
  readonly writing: number;
  readonly pids: readonly number[];
  /** When the oldest of their transactions began (the server's text), if any. */
  readonly oldestTransactionStart: string | null;
}

/** An existing table as the target database has it now. */
export interface TargetTable {
  readonly relation: string;
  readonly kind: RelationKind;
  /** The main fork with its free-space and visibility maps, summed over partitions. */
  readonly heapBytes: number;
  readonly indexBytes: number;
  readonly toastBytes: number;
  readonly totalBytes: number;
  /** pg_class.reltuples summed over partitions; null when never analyzed. */
  readonly rowEstimate: number | null;
  readonly sessions: SessionsNow;
}

/** Per existing table, over the whole run. */
export interface TableSummary {
  readonly relation: string;
  readonly strongest: LockMode;
  /** Where the strongest lock is first taken. */
  readonly strongestIn: { readonly migration: string; readonly statement: number };
  /** The longest hold of any of its locks in the run. */
  readonly longestHold: {
    readonly migration: string;
    readonly statement: number;
    readonly mode: LockMode;
    readonly heldThroughStatements: number;
    readonly heldMsOnScratch: number;
  };
  readonly rewrite: boolean;
  readonly scan: boolean;
  readonly target: TargetTable;
}

/** What `rasdb plan` (and `rollback --dry-run`) report. */
export interface LockPlan {
  readonly direction: 'up' | 'down';
  readonly targetPhase: number;
  readonly currentPhase: number;
  /** Where the migrations were observed, and on which server version. */
  readonly scratch: string;
  readonly scratchServerVersion: string;
  readonly targetServerVersion: string;
  readonly replayed: readonly string[];
  readonly migrations: readonly MigrationLocks[];
  /** The existing tables the run locks, with their sizes and sessions on the target. */
  readonly tables: readonly TableSummary[];
}
