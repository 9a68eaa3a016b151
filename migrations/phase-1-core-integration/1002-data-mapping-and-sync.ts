/**
 * Phase 1 (core integration infrastructure, "basic sync policies"): data_field_mappings,
 * sync_policies and sync_conflicts, from section 1 "Data Mapping & Transformation".
 *
 * They describe how an external system's fields map onto internal ones, which direction and
 * conflict strategy each entity type syncs with, and the conflicts a sync run records. They
 * depend on external_systems and integration_operations (1001), so they come second.
 * The document's table-level UNIQUE(external_system_id, entity_type, external_field_name) gets
 * PostgreSQL's default name, which PostgreSQL truncates to 63 characters
 * (`data_field_mappings_external_system_id_entity_type_external_key`); it is spelled out here so
 * a migrated database and one built from the document's SQL are identical.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('data_field_mappings')
    .addColumn('id', 'serial', (col) => col.primaryKey())
    .addColumn('external_system_id', 'integer', (col) => col.references('external_systems.id'))
    .addColumn('entity_type', 'varchar(100)', (col) => col.notNull())
    .addColumn('external_field_name', 'varchar(255)', (col) => col.notNull())
    .addColumn('internal_field_name', 'varchar(255)', (col) => col.notNull())
    .addColumn('transformation_rule', 'jsonb')
    .addColumn('validation_rules', 'jsonb')
    .addColumn('is_required', 'boolean', (col) => col.defaultTo(false))
    .addColumn('default_value', 'text')
    .addColumn('created_at', 'timestamp', (col) => col.defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamp', (col) => col.defaultTo(sql`now()`))
    .addUniqueConstraint('data_field_mappings_external_system_id_entity_type_external_key', [
      'external_system_id',
      'entity_type',
      'external_field_name',
    ])
    .execute();

  await db.schema
    .createTable('sync_policies')
    .addColumn('id', 'serial', (col) => col.primaryKey())
    .addColumn('external_system_id', 'integer', (col) => col.references('external_systems.id'))
    .addColumn('entity_type', 'varchar(100)', (col) => col.notNull())
    .addColumn('sync_direction', 'varchar(20)', (col) => col.notNull())
    .addColumn('conflict_resolution_strategy', 'varchar(50)', (col) => col.notNull())
    .addColumn('field_level_policies', 'jsonb')
    .addColumn('filters', 'jsonb')
    .addColumn('batch_size', 'integer', (col) => col.defaultTo(100))
    .addColumn('is_active', 'boolean', (col) => col.defaultTo(true))
    .addColumn('created_at', 'timestamp', (col) => col.defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamp', (col) => col.defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('sync_conflicts')
    .addColumn('id', 'serial', (col) => col.primaryKey())
    .addColumn('operation_id', 'uuid', (col) => col.references('integration_operations.operation_id'))
    .addColumn('entity_type', 'varchar(100)', (col) => col.notNull())
    .addColumn('entity_id', 'varchar(255)', (col) => col.notNull())
    .addColumn('external_entity_id', 'varchar(255)')
    .addColumn('conflict_type', 'varchar(50)', (col) => col.notNull())
    .addColumn('field_name', 'varchar(255)')
    .addColumn('internal_value', 'jsonb')
    .addColumn('external_value', 'jsonb')
    .addColumn('resolution_status', 'varchar(50)', (col) => col.defaultTo('pending'))
    .addColumn('resolution_action', 'varchar(100)')
    .addColumn('resolved_by', 'integer', (col) => col.references('users.id'))
    .addColumn('resolved_at', 'timestamp')
    .addColumn('auto_resolved', 'boolean', (col) => col.defaultTo(false))
    .addColumn('created_at', 'timestamp', (col) => col.defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('sync_conflicts').execute();
  await db.schema.dropTable('sync_policies').execute();
  await db.schema.dropTable('data_field_mappings').execute();
}
