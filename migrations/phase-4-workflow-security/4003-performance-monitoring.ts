/**
 * Phase 4 (workflow & security enhancement, "performance tracking"): performance_metrics,
 * integration_health and alerts, from section 8 of the design document.
 *
 * They record the toolkit's and integrations' performance samples, periodic health checks of
 * each external system (phase 1), and the alerts raised from either. The document lists its
 * indexes apart from the tables, under "Index Recommendations"; the one on performance_metrics
 * is created here, with its table.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('performance_metrics')
    .addColumn('id', 'serial', (col) => col.primaryKey())
    .addColumn('metric_type', 'varchar(100)', (col) => col.notNull())
    .addColumn('component', 'varchar(100)', (col) => col.notNull())
    .addColumn('operation', 'varchar(255)')
    .addColumn('value', 'decimal(15, 4)', (col) => col.notNull())
    .addColumn('unit', 'varchar(50)', (col) => col.notNull())
    .addColumn('tags', 'jsonb')
    .addColumn('recorded_at', 'timestamp', (col) => col.defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('integration_health')
    .addColumn('id', 'serial', (col) => col.primaryKey())
    .addColumn('external_system_id', 'integer', (col) => col.references('external_systems.id'))
    .addColumn('health_check_type', 'varchar(100)', (col) => col.notNull())
    .addColumn('status', 'varchar(50)', (col) => col.notNull())
    .addColumn('response_time_ms', 'integer')
    .addColumn('error_rate', 'decimal(5, 4)')
    .addColumn('last_successful_operation', 'timestamp')
    .addColumn('error_details', 'jsonb')
    .addColumn('checked_at', 'timestamp', (col) => col.defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('alerts')
    .addColumn('id', 'serial', (col) => col.primaryKey())
    .addColumn('alert_id', 'uuid', (col) =>
      col
        .notNull()
        .unique()
        .defaultTo(sql`gen_random_uuid()`),
    )
    .addColumn('alert_type', 'varchar(100)', (col) => col.notNull())
    .addColumn('severity', 'varchar(50)', (col) => col.notNull())
    .addColumn('title', 'varchar(500)', (col) => col.notNull())
    .addColumn('description', 'text')
    .addColumn('source_system', 'varchar(100)')
    .addColumn('entity_type', 'varchar(100)')
    .addColumn('entity_id', 'varchar(255)')
    .addColumn('threshold_value', 'decimal(15, 4)')
    .addColumn('current_value', 'decimal(15, 4)')
    .addColumn('status', 'varchar(50)', (col) => col.defaultTo('active'))
    .addColumn('assigned_to', 'integer', (col) => col.references('users.id'))
    .addColumn('acknowledged_by', 'integer', (col) => col.references('users.id'))
    .addColumn('acknowledged_at', 'timestamp')
    .addColumn('resolved_by', 'integer', (col) => col.references('users.id'))
    .addColumn('resolved_at', 'timestamp')
    .addColumn('resolution_notes', 'text')
    .addColumn('created_at', 'timestamp', (col) => col.defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createIndex('idx_performance_metrics_component')
    .on('performance_metrics')
    .columns(['component', 'metric_type', 'recorded_at'])
    .execute();
}

// Dropping a table drops its indexes and owned sequences with it.
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('alerts').execute();
  await db.schema.dropTable('integration_health').execute();
  await db.schema.dropTable('performance_metrics').execute();
}
