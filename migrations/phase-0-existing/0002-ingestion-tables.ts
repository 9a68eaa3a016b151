/**
 * Phase 0: the platform's ingestion tables (batches, systems, assets, vulnerabilities).
 *
 * The design document references `ingestion_assets(asset_uuid)` and `ingestion_vulnerabilities(id)`
 * without defining them. On a fresh database this migration creates them with the columns, types
 * and defaults of the platform's published ingestion schema (existing-tables.md), so that seeds and
 * metric queries written here also run against a real RAS DASH database, which is adopted by a
 * baseline instead. `ingestion_batches` has no `updated_at`, as in production. The production
 * indexes are created here too. `ingestion_batch_id` columns carry no foreign key because the
 * published schema declares none. The further production ingestion tables (network, tags, CVEs,
 * controls, POA&Ms...) are not referenced by the document and are not created.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('ingestion_batches')
    .addColumn('id', 'serial', (col) => col.primaryKey())
    .addColumn('batch_id', 'uuid', (col) =>
      col
        .unique()
        .notNull()
        .defaultTo(sql`gen_random_uuid()`),
    )
    .addColumn('source_system', 'varchar(50)', (col) => col.notNull())
    .addColumn('batch_type', 'varchar(50)', (col) => col.notNull())
    .addColumn('file_name', 'varchar(255)')
    .addColumn('total_records', 'integer')
    .addColumn('successful_records', 'integer', (col) => col.defaultTo(0))
    .addColumn('failed_records', 'integer', (col) => col.defaultTo(0))
    .addColumn('status', 'varchar(50)', (col) => col.defaultTo('in_progress'))
    .addColumn('started_at', 'timestamp', (col) => col.defaultTo(sql`CURRENT_TIMESTAMP`))
    .addColumn('completed_at', 'timestamp')
    .addColumn('error_details', 'text')
    .addColumn('created_by', 'integer')
    .addColumn('metadata', 'jsonb')
    .addColumn('created_at', 'timestamp', (col) => col.defaultTo(sql`CURRENT_TIMESTAMP`))
    .execute();

  await db.schema
    .createTable('ingestion_systems')
    .addColumn('id', 'serial', (col) => col.primaryKey())
    .addColumn('system_id', 'varchar(50)', (col) => col.unique().notNull())
    .addColumn('name', 'varchar(255)', (col) => col.notNull())
    .addColumn('uuid', 'uuid', (col) => col.unique())
    .addColumn('status', 'varchar(50)')
    .addColumn('authorization_boundary', 'text')
    .addColumn('system_type', 'varchar(100)')
    .addColumn('responsible_organization', 'varchar(255)')
    .addColumn('system_owner', 'varchar(255)')
    .addColumn('information_system_security_officer', 'varchar(255)')
    .addColumn('authorizing_official', 'varchar(255)')
    .addColumn('last_assessment_date', 'timestamp')
    .addColumn('authorization_date', 'timestamp')
    .addColumn('authorization_termination_date', 'timestamp')
    .addColumn('ingestion_source', 'varchar(50)', (col) => col.defaultTo('xacta'))
    .addColumn('ingestion_batch_id', 'uuid')
    .addColumn('raw_json', 'jsonb')
    .addColumn('created_at', 'timestamp', (col) => col.defaultTo(sql`CURRENT_TIMESTAMP`))
    .addColumn('updated_at', 'timestamp', (col) => col.defaultTo(sql`CURRENT_TIMESTAMP`))
    .execute();

  await db.schema
    .createTable('ingestion_assets')
    .addColumn('id', 'serial', (col) => col.primaryKey())
    .addColumn('asset_uuid', 'uuid', (col) => col.unique().notNull())
    .addColumn('hostname', 'varchar(255)')
    .addColumn('netbios_name', 'varchar(100)')
    .addColumn('has_agent', 'boolean', (col) => col.defaultTo(false))
    .addColumn('has_plugin_results', 'boolean', (col) => col.defaultTo(false))
    .addColumn('first_seen', 'timestamp')
    .addColumn('last_seen', 'timestamp')
    .addColumn('exposure_score', 'integer')
    .addColumn('acr_score', 'decimal(3, 1)')
    .addColumn('criticality_rating', 'varchar(20)')
    .addColumn('ingestion_source', 'varchar(50)', (col) => col.defaultTo('tenable'))
    .addColumn('ingestion_batch_id', 'uuid')
    .addColumn('raw_json', 'jsonb')
    .addColumn('created_at', 'timestamp', (col) => col.defaultTo(sql`CURRENT_TIMESTAMP`))
    .addColumn('updated_at', 'timestamp', (col) => col.defaultTo(sql`CURRENT_TIMESTAMP`))
    .execute();

  await db.schema
    .createTable('ingestion_vulnerabilities')
    .addColumn('id', 'serial', (col) => col.primaryKey())
    .addColumn('asset_uuid', 'uuid', (col) => col.references('ingestion_assets.asset_uuid').onDelete('cascade'))
    .addColumn('plugin_id', 'integer', (col) => col.notNull())
    .addColumn('plugin_name', 'text', (col) => col.notNull())
    .addColumn('plugin_family', 'varchar(255)')
    .addColumn('severity', 'integer')
    .addColumn('severity_name', 'varchar(20)')
    .addColumn('cvss_base_score', 'decimal(3, 1)')
    .addColumn('cvss3_base_score', 'decimal(3, 1)')
    .addColumn('description', 'text')
    .addColumn('solution', 'text')
    .addColumn('risk_factor', 'varchar(20)')
    .addColumn('first_found', 'timestamp')
    .addColumn('last_found', 'timestamp')
    .addColumn('state', 'varchar(20)', (col) => col.defaultTo('Open'))
    .addColumn('ingestion_source', 'varchar(50)', (col) => col.defaultTo('tenable'))
    .addColumn('ingestion_batch_id', 'uuid')
    .addColumn('raw_json', 'jsonb')
    .addColumn('created_at', 'timestamp', (col) => col.defaultTo(sql`CURRENT_TIMESTAMP`))
    .addColumn('updated_at', 'timestamp', (col) => col.defaultTo(sql`CURRENT_TIMESTAMP`))
    .execute();

  await db.schema.createIndex('idx_ingestion_assets_hostname').on('ingestion_assets').column('hostname').execute();
  await db.schema
    .createIndex('idx_ingestion_assets_criticality')
    .on('ingestion_assets')
    .column('criticality_rating')
    .execute();
  await db.schema
    .createIndex('idx_ingestion_vulnerabilities_asset_uuid')
    .on('ingestion_vulnerabilities')
    .column('asset_uuid')
    .execute();
  await db.schema
    .createIndex('idx_ingestion_vulnerabilities_severity')
    .on('ingestion_vulnerabilities')
    .column('severity')
    .execute();
  await db.schema
    .createIndex('idx_ingestion_vulnerabilities_state')
    .on('ingestion_vulnerabilities')
    .column('state')
    .execute();
  await db.schema.createIndex('idx_ingestion_systems_status').on('ingestion_systems').column('status').execute();
}

// Dropping a table drops its indexes and owned sequences with it.
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('ingestion_vulnerabilities').execute();
  await db.schema.dropTable('ingestion_assets').execute();
  await db.schema.dropTable('ingestion_systems').execute();
  await db.schema.dropTable('ingestion_batches').execute();
}
