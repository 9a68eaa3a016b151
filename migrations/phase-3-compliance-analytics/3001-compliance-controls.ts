/**
 * Phase 3 (advanced compliance & analytics, "enhanced controls management", "POAM tracking"):
 * controls_extended, control_evidence and poams_extended, from section 4 of the design document.
 *
 * They track how each control of a framework (NIST 800-53, FedRAMP...) is implemented and
 * assessed, the evidence collected for it, and the POA&Ms raised against it. controls_extended
 * is unique per (control_id, framework); control_evidence.control_id and
 * poams_extended.control_id are INTEGER references to controls_extended.id, not control
 * identifiers such as 'AC-2'.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('controls_extended')
    .addColumn('id', 'serial', (col) => col.primaryKey())
    .addColumn('control_id', 'varchar(50)', (col) => col.notNull())
    .addColumn('framework', 'varchar(50)', (col) => col.notNull())
    .addColumn('implementation_status', 'varchar(50)')
    .addColumn('assessment_status', 'varchar(50)')
    .addColumn('automation_level', 'varchar(50)')
    .addColumn('responsible_role', 'varchar(255)')
    .addColumn('implementation_guidance', 'text')
    .addColumn('testing_procedures', 'text')
    .addColumn('evidence_required', sql`text[]`)
    .addColumn('last_assessment_date', 'date')
    .addColumn('next_assessment_date', 'date')
    .addColumn('assessment_frequency_months', 'integer')
    .addColumn('continuous_monitoring', 'boolean', (col) => col.defaultTo(false))
    .addColumn('external_system_mapping', 'jsonb')
    .addColumn('created_at', 'timestamp', (col) => col.defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamp', (col) => col.defaultTo(sql`now()`))
    .addUniqueConstraint('controls_extended_control_id_framework_key', ['control_id', 'framework'])
    .execute();

  await db.schema
    .createTable('control_evidence')
    .addColumn('id', 'serial', (col) => col.primaryKey())
    .addColumn('control_id', 'integer', (col) => col.references('controls_extended.id'))
    .addColumn('evidence_type', 'varchar(100)', (col) => col.notNull())
    .addColumn('evidence_title', 'varchar(500)', (col) => col.notNull())
    .addColumn('evidence_description', 'text')
    .addColumn('file_path', 'varchar(1000)')
    .addColumn('file_hash', 'varchar(255)')
    .addColumn('file_size_bytes', 'bigint')
    .addColumn('mime_type', 'varchar(100)')
    .addColumn('collection_method', 'varchar(100)')
    .addColumn('collection_frequency', 'varchar(50)')
    .addColumn('validity_period_days', 'integer')
    .addColumn('is_current', 'boolean', (col) => col.defaultTo(true))
    .addColumn('collected_by', 'integer', (col) => col.references('users.id'))
    .addColumn('collected_at', 'timestamp', (col) => col.defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamp')
    .addColumn('external_reference', 'varchar(500)')
    .execute();

  await db.schema
    .createTable('poams_extended')
    .addColumn('id', 'serial', (col) => col.primaryKey())
    .addColumn('poam_id', 'varchar(100)', (col) => col.notNull().unique())
    .addColumn('control_id', 'integer', (col) => col.references('controls_extended.id'))
    .addColumn('weakness_description', 'text', (col) => col.notNull())
    .addColumn('weakness_type', 'varchar(100)')
    .addColumn('affected_assets', sql`text[]`)
    .addColumn('business_impact', 'text')
    .addColumn('likelihood', 'varchar(50)')
    .addColumn('impact_level', 'varchar(50)')
    .addColumn('risk_level', 'varchar(50)')
    .addColumn('remediation_plan', 'text')
    .addColumn('milestone_schedule', 'jsonb')
    .addColumn('resource_requirements', 'text')
    .addColumn('cost_estimate', 'decimal(12, 2)')
    .addColumn('responsible_individual', 'varchar(255)')
    .addColumn('scheduled_completion_date', 'date')
    .addColumn('actual_completion_date', 'date')
    .addColumn('status', 'varchar(50)', (col) => col.defaultTo('open'))
    .addColumn('deviation_rationale', 'text')
    .addColumn('risk_acceptance_date', 'date')
    .addColumn('external_poam_id', 'varchar(255)')
    .addColumn('created_at', 'timestamp', (col) => col.defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamp', (col) => col.defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('poams_extended').execute();
  await db.schema.dropTable('control_evidence').execute();
  await db.schema.dropTable('controls_extended').execute();
}
