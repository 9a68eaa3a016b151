/**
 * Phase 4, retention: hourly and daily rollups of performance_metrics, and the time
 * indexes that pruning phase 4's tables needs.
 *
 * The design document keeps performance metrics 30 days "real-time" and 2 years "aggregated", and
 * security events 7 years, but defines no aggregate tables. `rasdb retention summarize` fills these
 * two by recomputing whole closed buckets and upserting them: one row per bucket, metric type,
 * component, operation and unit, with count, min, max, average and 95th percentile. The daily
 * rollup is computed from the raw rows, not from the hourly one, because percentiles do not add
 * up across buckets. `operation` may be NULL, hence NULLS NOT DISTINCT in the key (PostgreSQL 15+).
 *
 * Indexes the document does not have, named `idx_retention_*`:
 * - performance_metrics(recorded_at): the document's index leads with component and metric_type;
 * - security_events_extended(occurred_at): the document's three indexes lead with event type,
 *   user and asset; pruning at the 7-year horizon reads by occurred_at alone.
 * Created IF NOT EXISTS, so an operator can build them CONCURRENTLY beforehand on a large table.
 */
import { sql } from 'kysely';
import type { CreateTableBuilder, Kysely } from 'kysely';

function rollup(db: Kysely<any>, table: string, bucket: 'hour' | 'day'): CreateTableBuilder<string, string> {
  return db.schema
    .createTable(table)
    .addColumn(bucket, bucket === 'hour' ? 'timestamp' : 'date', (col) => col.notNull())
    .addColumn('metric_type', 'varchar(100)', (col) => col.notNull())
    .addColumn('component', 'varchar(100)', (col) => col.notNull())
    .addColumn('operation', 'varchar(255)')
    .addColumn('unit', 'varchar(50)', (col) => col.notNull())
    .addColumn('samples', 'bigint', (col) => col.notNull())
    .addColumn('min_value', 'decimal(15, 4)', (col) => col.notNull())
    .addColumn('max_value', 'decimal(15, 4)', (col) => col.notNull())
    .addColumn('avg_value', 'double precision', (col) => col.notNull())
    .addColumn('p95_value', 'double precision', (col) => col.notNull())
    .addColumn('summarized_at', 'timestamp', (col) => col.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint(`${table}_key`, [bucket, 'metric_type', 'component', 'operation', 'unit'], (c) =>
      c.nullsNotDistinct(),
    );
}

export async function up(db: Kysely<any>): Promise<void> {
  await rollup(db, 'performance_metrics_hourly', 'hour').execute();
  await rollup(db, 'performance_metrics_daily', 'day').execute();
  await db.schema
    .createIndex('idx_retention_performance_metrics_recorded_at')
    .ifNotExists()
    .on('performance_metrics')
    .column('recorded_at')
    .execute();
  await db.schema
    .createIndex('idx_retention_security_events_occurred_at')
    .ifNotExists()
    .on('security_events_extended')
    .column('occurred_at')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('idx_retention_security_events_occurred_at').ifExists().execute();
  await db.schema.dropIndex('idx_retention_performance_metrics_recorded_at').ifExists().execute();
  await db.schema.dropTable('performance_metrics_daily').execute();
  await db.schema.dropTable('performance_metrics_hourly').execute();
}
