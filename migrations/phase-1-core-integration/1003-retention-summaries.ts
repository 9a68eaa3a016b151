/**
 * Phase 1, retention: the summaries that outlive the detail rows of phase 1, and the
 * indexes that pruning needs.
 *
 * The design document keeps API call logs 90 days in detail and 1 year summarized, and integration
 * operations 1 year in detail and 3 years summarized ("Retention Policies Recommended"), but
 * defines no summary tables. `rasdb retention summarize` fills these two, recomputing whole closed
 * buckets and upserting them, so each has a unique key over its bucket and grouping columns. The
 * grouping columns may be NULL in the source (a call with no external system), hence
 * NULLS NOT DISTINCT (PostgreSQL 15+): two NULLs are the same group, and ON CONFLICT finds it.
 * The summaries carry no foreign keys: they are kept longer than the rows they would point at.
 *
 * Indexes the document does not have, added here and named `idx_retention_*` so a reviewer (and
 * the schema snapshot test) can tell them from the document's:
 * - api_call_logs(called_at): the document's index leads with external_system_id, so it cannot
 *   serve a range on called_at alone, which pruning and the daily summary both read;
 * - integration_operations(started_at): pruning and the monthly summary read by start time;
 * - integration_operations(parent_operation_id) and sync_conflicts(operation_id): deleting an
 *   operation checks that no child operation or conflict still points at it, and PostgreSQL's own
 *   foreign-key check does the same; without these both are a sequential scan per deleted row.
 * They are created IF NOT EXISTS: on a database that already holds years of rows, build them first
 * with CREATE INDEX CONCURRENTLY under these names, and this migration then skips them.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('api_call_daily_summary')
    .addColumn('day', 'date', (col) => col.notNull())
    .addColumn('external_system_id', 'integer')
    .addColumn('method', 'varchar(10)', (col) => col.notNull())
    .addColumn('endpoint', 'varchar(500)', (col) => col.notNull())
    .addColumn('status_class', 'varchar(4)', (col) => col.notNull())
    .addColumn('calls', 'bigint', (col) => col.notNull())
    .addColumn('errors', 'bigint', (col) => col.notNull())
    .addColumn('avg_response_ms', 'double precision')
    .addColumn('p95_response_ms', 'double precision')
    .addColumn('max_response_ms', 'integer')
    .addColumn('summarized_at', 'timestamp', (col) => col.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint(
      'api_call_daily_summary_key',
      ['day', 'external_system_id', 'method', 'endpoint', 'status_class'],
      (c) => c.nullsNotDistinct(),
    )
    .execute();

  await db.schema
    .createTable('integration_operations_monthly_summary')
    .addColumn('month', 'date', (col) => col.notNull())
    .addColumn('external_system_id', 'integer')
    .addColumn('operation_type', 'varchar(50)', (col) => col.notNull())
    .addColumn('entity_type', 'varchar(100)', (col) => col.notNull())
    .addColumn('direction', 'varchar(20)', (col) => col.notNull())
    .addColumn('status', 'varchar(50)', (col) => col.notNull())
    .addColumn('operations', 'bigint', (col) => col.notNull())
    .addColumn('retries', 'bigint', (col) => col.notNull())
    .addColumn('avg_duration_ms', 'double precision')
    .addColumn('summarized_at', 'timestamp', (col) => col.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint(
      'integration_operations_monthly_summary_key',
      ['month', 'external_system_id', 'operation_type', 'entity_type', 'direction', 'status'],
      (c) => c.nullsNotDistinct(),
    )
    .execute();

  await db.schema
    .createIndex('idx_retention_api_call_logs_called_at')
    .ifNotExists()
    .on('api_call_logs')
    .column('called_at')
    .execute();
  await db.schema
    .createIndex('idx_retention_integration_operations_started_at')
    .ifNotExists()
    .on('integration_operations')
    .column('started_at')
    .execute();
  await db.schema
    .createIndex('idx_retention_integration_operations_parent')
    .ifNotExists()
    .on('integration_operations')
    .column('parent_operation_id')
    .execute();
  await db.schema
    .createIndex('idx_retention_sync_conflicts_operation')
    .ifNotExists()
    .on('sync_conflicts')
    .column('operation_id')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('idx_retention_sync_conflicts_operation').ifExists().execute();
  await db.schema.dropIndex('idx_retention_integration_operations_parent').ifExists().execute();
  await db.schema.dropIndex('idx_retention_integration_operations_started_at').ifExists().execute();
  await db.schema.dropIndex('idx_retention_api_call_logs_called_at').ifExists().execute();
  await db.schema.dropTable('integration_operations_monthly_summary').execute();
  await db.schema.dropTable('api_call_daily_summary').execute();
}
