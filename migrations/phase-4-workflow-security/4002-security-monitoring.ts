/**
 * Phase 4 (workflow & security enhancement, "advanced security monitoring", "privacy
 * compliance"): security_events_extended, data_access_logs and data_subject_requests, from
 * section 7 of the design document.
 *
 * They record security events with their investigation, every access to classified data, and
 * privacy requests from data subjects (access, erasure...). The document lists its indexes apart
 * from the tables, under "Index Recommendations"; the three on security_events_extended are
 * created here, with their table.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('security_events_extended')
    .addColumn('id', 'serial', (col) => col.primaryKey())
    .addColumn('event_id', 'uuid', (col) =>
      col
        .notNull()
        .unique()
        .defaultTo(sql`gen_random_uuid()`),
    )
    .addColumn('event_type', 'varchar(100)', (col) => col.notNull())
    .addColumn('severity', 'varchar(50)', (col) => col.notNull())
    .addColumn('source_system', 'varchar(100)')
    .addColumn('user_id', 'integer', (col) => col.references('users.id'))
    .addColumn('asset_uuid', 'uuid', (col) => col.references('ingestion_assets.asset_uuid'))
    .addColumn('event_details', 'jsonb', (col) => col.notNull())
    .addColumn('correlation_id', 'uuid')
    .addColumn('threat_indicators', 'jsonb')
    .addColumn('response_actions', 'jsonb')
    .addColumn('false_positive', 'boolean', (col) => col.defaultTo(false))
    .addColumn('investigated_by', 'integer', (col) => col.references('users.id'))
    .addColumn('investigation_notes', 'text')
    .addColumn('occurred_at', 'timestamp', (col) => col.notNull())
    .addColumn('detected_at', 'timestamp', (col) => col.defaultTo(sql`now()`))
    .addColumn('resolved_at', 'timestamp')
    .execute();

  await db.schema
    .createTable('data_access_logs')
    .addColumn('id', 'serial', (col) => col.primaryKey())
    .addColumn('user_id', 'integer', (col) => col.references('users.id'))
    .addColumn('resource_type', 'varchar(100)', (col) => col.notNull())
    .addColumn('resource_id', 'varchar(255)')
    .addColumn('action', 'varchar(50)', (col) => col.notNull())
    .addColumn('data_classification', 'varchar(50)')
    .addColumn('access_method', 'varchar(50)')
    .addColumn('ip_address', sql`inet`)
    .addColumn('user_agent', 'text')
    .addColumn('session_id', 'varchar(255)')
    .addColumn('purpose', 'varchar(255)')
    .addColumn('data_volume_bytes', 'bigint')
    .addColumn('success', 'boolean', (col) => col.defaultTo(true))
    .addColumn('failure_reason', 'text')
    .addColumn('accessed_at', 'timestamp', (col) => col.defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('data_subject_requests')
    .addColumn('id', 'serial', (col) => col.primaryKey())
    .addColumn('request_id', 'uuid', (col) =>
      col
        .notNull()
        .unique()
        .defaultTo(sql`gen_random_uuid()`),
    )
    .addColumn('request_type', 'varchar(50)', (col) => col.notNull())
    .addColumn('data_subject_id', 'varchar(255)', (col) => col.notNull())
    .addColumn('requestor_email', 'varchar(255)')
    .addColumn('verification_method', 'varchar(100)')
    .addColumn('request_details', 'text')
    .addColumn('legal_basis', 'varchar(100)')
    .addColumn('status', 'varchar(50)', (col) => col.defaultTo('received'))
    .addColumn('due_date', 'date')
    .addColumn('processed_by', 'integer', (col) => col.references('users.id'))
    .addColumn('response_details', 'text')
    .addColumn('response_files', sql`text[]`)
    .addColumn('created_at', 'timestamp', (col) => col.defaultTo(sql`now()`))
    .addColumn('completed_at', 'timestamp')
    .execute();

  await db.schema
    .createIndex('idx_security_events_type_time')
    .on('security_events_extended')
    .columns(['event_type', 'occurred_at'])
    .execute();
  await db.schema
    .createIndex('idx_security_events_user')
    .on('security_events_extended')
    .columns(['user_id', 'occurred_at'])
    .execute();
  await db.schema
    .createIndex('idx_security_events_asset')
    .on('security_events_extended')
    .columns(['asset_uuid', 'occurred_at'])
    .execute();
}

// Dropping a table drops its indexes and owned sequences with it.
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('data_subject_requests').execute();
  await db.schema.dropTable('data_access_logs').execute();
  await db.schema.dropTable('security_events_extended').execute();
}
