/**
 * Phase 2 (enhanced asset & vulnerability management, "extended asset properties"):
 * assets_extended, asset_configurations and asset_changes, from section 2 of the design document.
 *
 * They add business context (owners, criticality, compliance scope, risk), tracked
 * configurations and a change history to the assets that ingestion_assets (phase 0) receives
 * from Tenable; all three reference `ingestion_assets(asset_uuid)`, and assets_extended holds at
 * most one row per asset (its asset_uuid is UNIQUE).
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('assets_extended')
    .addColumn('id', 'serial', (col) => col.primaryKey())
    .addColumn('asset_uuid', 'uuid', (col) => col.notNull().unique().references('ingestion_assets.asset_uuid'))
    .addColumn('business_criticality', 'varchar(50)')
    .addColumn('business_owner', 'varchar(255)')
    .addColumn('technical_owner', 'varchar(255)')
    .addColumn('cost_center', 'varchar(100)')
    .addColumn('environment', 'varchar(50)')
    .addColumn('compliance_scope', sql`text[]`)
    .addColumn('data_classification', 'varchar(50)')
    .addColumn('geographic_location', 'varchar(255)')
    .addColumn('network_zone', 'varchar(100)')
    .addColumn('asset_tags', 'jsonb')
    .addColumn('dependencies', 'jsonb')
    .addColumn('sla_requirements', 'jsonb')
    .addColumn('maintenance_window', 'jsonb')
    .addColumn('risk_score', 'decimal(5, 2)')
    .addColumn('risk_factors', 'jsonb')
    .addColumn('last_risk_assessment', 'timestamp')
    .addColumn('created_at', 'timestamp', (col) => col.defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamp', (col) => col.defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('asset_configurations')
    .addColumn('id', 'serial', (col) => col.primaryKey())
    .addColumn('asset_uuid', 'uuid', (col) => col.references('ingestion_assets.asset_uuid'))
    .addColumn('configuration_type', 'varchar(100)', (col) => col.notNull())
    .addColumn('configuration_name', 'varchar(255)', (col) => col.notNull())
    .addColumn('configuration_value', 'text')
    .addColumn('configuration_hash', 'varchar(255)')
    .addColumn('is_compliant', 'boolean')
    .addColumn('compliance_rule_id', 'integer')
    .addColumn('discovered_at', 'timestamp', (col) => col.defaultTo(sql`now()`))
    .addColumn('source_system', 'varchar(100)')
    .addColumn('source_scan_id', 'varchar(255)')
    .execute();

  await db.schema
    .createTable('asset_changes')
    .addColumn('id', 'serial', (col) => col.primaryKey())
    .addColumn('asset_uuid', 'uuid', (col) => col.references('ingestion_assets.asset_uuid'))
    .addColumn('change_type', 'varchar(100)', (col) => col.notNull())
    .addColumn('field_name', 'varchar(255)')
    .addColumn('old_value', 'jsonb')
    .addColumn('new_value', 'jsonb')
    .addColumn('change_source', 'varchar(100)')
    .addColumn('change_reason', 'text')
    .addColumn('detected_at', 'timestamp', (col) => col.defaultTo(sql`now()`))
    .addColumn('validated_at', 'timestamp')
    .addColumn('validated_by', 'integer', (col) => col.references('users.id'))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('asset_changes').execute();
  await db.schema.dropTable('asset_configurations').execute();
  await db.schema.dropTable('assets_extended').execute();
}
