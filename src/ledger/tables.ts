import type pg from 'pg';
import type { ColumnType, Generated, Kysely } from 'kysely';
import { kyselyOn } from '../db/single-client-pool.js';

/**
 * The ledger's tables as Kysely sees them, for reads and writes where the typed builder says it
 * more plainly than SQL text. Times are `timestamptz`/`timestamp` read back as text (rasdb's
 * sessions parse no dates), and `bigint` columns arrive as strings.
 */
type Stamp = ColumnType<string, string | undefined, string>;
type BigInt = ColumnType<string, number | string, number | string>;

export interface LedgerInfoRow {
  singleton: Generated<boolean>;
  version: number;
  created_at: Stamp;
  deferred: Generated<number[]>;
}

export interface MigrationRow {
  name: string;
  phase: number;
  checksum: string;
  applied_at: Stamp;
  duration_ms: number;
  applied_by: string;
  rasdb_version: string;
  baselined: Generated<boolean>;
}

export type MigrationEventKind = 'applied' | 'failed' | 'reverted' | 'baselined' | 'repaired';

export interface MigrationEventRow {
  id: Generated<BigInt>;
  name: string;
  phase: number;
  event: MigrationEventKind;
  direction: Generated<'up' | 'down'>;
  at: Stamp;
  actor: string;
  duration_ms: number | null;
  sqlstate: string | null;
  message: string | null;
  statement: string | null;
  old_checksum: string | null;
  new_checksum: string | null;
}

export interface SeedSetRow {
  set_name: string;
  checksum: string;
  applied_at: Stamp;
  applied_by: string;
  rasdb_version: string;
  duration_ms: number;
  counts: ColumnType<unknown, string, string>;
}

export interface SeedRowRow {
  table_name: string;
  natural_key: string;
  set_name: string;
  row_hash: string;
}

export interface RetentionPolicyRow {
  policy: string;
  keep_detail: string;
  keep_summary: string | null;
  below_compliance_minimum: Generated<boolean>;
  changed_at: Stamp;
  changed_by: string;
  reason: string;
}

export interface RetentionWatermarkRow {
  summary: string;
  policy: string;
  summarized_until: string | null;
  seen_id: BigInt;
  previous_seen_id: BigInt;
  merged_up_to: BigInt;
  updated_at: Stamp;
}

export interface RetentionPrunedRow {
  table_name: string;
  pruned_before: string;
  updated_at: Stamp;
}

export interface RetentionThinnedRow {
  table_name: string;
  after: string;
  before: string;
  examined_up_to: BigInt;
  at: Stamp;
}

export interface RetentionHoldRow {
  id: Generated<number>;
  table_name: string;
  from_time: string | null;
  until_time: string | null;
  row_ids: string[] | null;
  reason: string;
  placed_by: string;
  placed_at: Stamp;
  released_at: string | null;
  released_by: string | null;
  release_reason: string | null;
}

export type RunKind = 'summarize' | 'prune' | 'policy';
export type RunOutcome = 'running' | 'succeeded' | 'stopped_early' | 'failed' | 'interrupted';
export type StepAction = 'summarize' | 'prune';

export interface RetentionRunRow {
  id: Generated<BigInt>;
  kind: RunKind;
  policies: string[];
  as_of: string;
  started_at: Stamp;
  finished_at: string | null;
  outcome: Generated<RunOutcome>;
  actor: string;
  message: string | null;
  details: unknown;
}

export interface RetentionRunStepRow {
  run_id: BigInt;
  policy: string;
  table_name: string;
  action: StepAction;
  cutoff: string | null;
  effective_cutoff: string | null;
  rows_summarized: Generated<BigInt>;
  rows_deleted: Generated<BigInt>;
  rows_held_back: Generated<BigInt>;
  held_back: Generated<unknown>;
  batches: Generated<number>;
  duration_ms: Generated<number>;
  updated_at: Stamp;
}

/** Every `rasdb.*` table, by its qualified name. */
export interface LedgerTables {
  'rasdb.ledger_info': LedgerInfoRow;
  'rasdb.migrations': MigrationRow;
  'rasdb.migration_events': MigrationEventRow;
  'rasdb.seed_sets': SeedSetRow;
  'rasdb.seed_rows': SeedRowRow;
  'rasdb.retention_policies': RetentionPolicyRow;
  'rasdb.retention_watermarks': RetentionWatermarkRow;
  'rasdb.retention_pruned': RetentionPrunedRow;
  'rasdb.retention_thinned': RetentionThinnedRow;
  'rasdb.retention_holds': RetentionHoldRow;
  'rasdb.retention_runs': RetentionRunRow;
  'rasdb.retention_run_steps': RetentionRunStepRow;
}

/**
 * A typed Kysely over `client`, for the ledger's tables: queries run on that very connection,
 * inside whatever transaction it has open.
 *
 * @example
 * await ledgerDb(client).deleteFrom('rasdb.migrations').where('name', '=', name).execute();
 */
export function ledgerDb(client: pg.Client): Kysely<LedgerTables> {
  return kyselyOn<LedgerTables>(client);
}
