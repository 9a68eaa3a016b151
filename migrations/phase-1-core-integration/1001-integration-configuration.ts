/**
 * Phase 1 (core integration infrastructure): external_systems, integration_operations and
 * api_call_logs, from section 1 "Integration Configuration & Management" of the design document.
 *
 * These are the registry of external systems (Tenable, Xacta...), the log of every integration
 * operation, and the log of every API call, which the later phases (sync policies, integration
 * health) build on. The document lists its indexes apart from the tables, under "Index
 * Recommendations"; the five that belong to these tables are created here, with their tables.
 * `integration_operations.parent_operation_id` references the table's own `operation_id`.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('external_systems')
    .addColumn('id', 'serial', (col) => col.primaryKey())
    .addColumn('system_name', 'varchar(100)', (col) => col.notNull().unique())
    .addColumn('system_type', 'varchar(50)', (col) => col.notNull())
    .addColumn('api_base_url', 'varchar(500)', (col) => col.notNull())
    .addColumn('api_version', 'varchar(20)')
    .addColumn('authentication_method', 'varchar(50)', (col) => col.notNull())
    .addColumn('connection_config', 'jsonb', (col) => col.notNull())
    .addColumn('sync_enabled', 'boolean', (col) => col.defaultTo(true))
    .addColumn('sync_frequency_minutes', 'integer', (col) => col.defaultTo(60))
    .addColumn('last_sync_time', 'timestamp')
    .addColumn('last_sync_status', 'varchar(50)')
    .addColumn('rate_limit_config', 'jsonb')
    .addColumn('retry_config', 'jsonb')
    .addColumn('webhook_config', 'jsonb')
    .addColumn('created_at', 'timestamp', (col) => col.defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamp', (col) => col.defaultTo(sql`now()`))
    .addColumn('created_by', 'integer', (col) => col.references('users.id'))
    .addColumn('is_active', 'boolean', (col) => col.defaultTo(true))
    .execute();

  await db.schema
    .createTable('integration_operations')
    .addColumn('id', 'serial', (col) => col.primaryKey())
    .addColumn('operation_id', 'uuid', (col) =>
      col
        .notNull()
        .unique()
        .defaultTo(sql`gen_random_uuid()`),
    )
    .addColumn('external_system_id', 'integer', (col) => col.references('external_systems.id'))
    .addColumn('operation_type', 'varchar(50)', (col) => col.notNull())
    .addColumn('entity_type', 'varchar(100)', (col) => col.notNull())
    .addColumn('entity_id', 'varchar(255)')
    .addColumn('external_entity_id', 'varchar(255)')
    .addColumn('direction', 'varchar(20)', (col) => col.notNull())
    .addColumn('status', 'varchar(50)', (col) => col.notNull().defaultTo('pending'))
    .addColumn('request_payload', 'jsonb')
    .addColumn('response_payload', 'jsonb')
    .addColumn('error_details', 'jsonb')
    .addColumn('retry_count', 'integer', (col) => col.defaultTo(0))
    .addColumn('started_at', 'timestamp', (col) => col.defaultTo(sql`now()`))
    .addColumn('completed_at', 'timestamp')
    .addColumn('correlation_id', 'uuid')
    .addColumn('parent_operation_id', 'uuid', (col) => col.references('integration_operations.operation_id'))
    .addColumn('priority', 'integer', (col) => col.defaultTo(5))
    .execute();

  await db.schema
    .createTable('api_call_logs')
    .addColumn('id', 'serial', (col) => col.primaryKey())
    .addColumn('external_system_id', 'integer', (col) => col.references('external_systems.id'))
    .addColumn('operation_id', 'uuid', (col) => col.references('integration_operations.operation_id'))
    .addColumn('method', 'varchar(10)', (col) => col.notNull())
    .addColumn('endpoint', 'varchar(500)', (col) => col.notNull())
    .addColumn('request_headers', 'jsonb')
    .addColumn('request_body', 'jsonb')
    .addColumn('response_status', 'integer')
    .addColumn('response_headers', 'jsonb')
    .addColumn('response_body', 'jsonb')
    .addColumn('response_time_ms', 'integer')
    .addColumn('error_message', 'text')
    .addColumn('called_at', 'timestamp', (col) => col.defaultTo(sql`now()`))
    .addColumn('ip_address', sql`inet`)
    .addColumn('user_agent', 'text')
    .execute();

  await db.schema
    .createIndex('idx_integration_operations_status')
    .on('integration_operations')
    .columns(['status', 'external_system_id'])
    .execute();
  await db.schema
    .createIndex('idx_integration_operations_correlation')
    .on('integration_operations')
    .column('correlation_id')
    .execute();
  await db.schema
    .createIndex('idx_integration_operations_entity')
    .on('integration_operations')
    .columns(['entity_type', 'entity_id'])
    .execute();
  await db.schema
    .createIndex('idx_api_call_logs_system_time')
    .on('api_call_logs')
    .columns(['external_system_id', 'called_at'])
    .execute();
  await db.schema.createIndex('idx_api_call_logs_operation').on('api_call_logs').column('operation_id').execute();
}

// Dropping a table drops its indexes and owned sequences with it.
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('api_call_logs').execute();
  await db.schema.dropTable('integration_operations').execute();
  await db.schema.dropTable('external_systems').execute();
}
