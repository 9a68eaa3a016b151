/**
 * Phase 3 (chosen here): report_templates, generated_reports and dashboards, from section 9
 * "Advanced Reporting Tables" of the design document.
 *
 * The document's migration strategy names four phases, and none of them lists these reporting
 * tables. They are placed in phase 3 ("Advanced Compliance & Analytics") because reports and
 * dashboards present the metrics and analytics that phase 3 introduces (metrics_definitions,
 * metrics_values), and they need nothing from phase 4; placing them later would leave phase 3's
 * metrics without a way to be reported. They depend only on users (phase 0).
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('report_templates')
    .addColumn('id', 'serial', (col) => col.primaryKey())
    .addColumn('template_name', 'varchar(255)', (col) => col.notNull().unique())
    .addColumn('template_type', 'varchar(100)', (col) => col.notNull())
    .addColumn('audience', 'varchar(100)')
    .addColumn('report_format', 'varchar(50)')
    .addColumn('template_definition', 'jsonb', (col) => col.notNull())
    .addColumn('data_sources', sql`text[]`)
    .addColumn('parameters', 'jsonb')
    .addColumn('schedule_config', 'jsonb')
    .addColumn('distribution_list', sql`text[]`)
    .addColumn('is_active', 'boolean', (col) => col.defaultTo(true))
    .addColumn('created_by', 'integer', (col) => col.references('users.id'))
    .addColumn('created_at', 'timestamp', (col) => col.defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamp', (col) => col.defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('generated_reports')
    .addColumn('id', 'serial', (col) => col.primaryKey())
    .addColumn('report_id', 'uuid', (col) =>
      col
        .notNull()
        .unique()
        .defaultTo(sql`gen_random_uuid()`),
    )
    .addColumn('template_id', 'integer', (col) => col.references('report_templates.id'))
    .addColumn('report_name', 'varchar(255)', (col) => col.notNull())
    .addColumn('parameters_used', 'jsonb')
    .addColumn('data_period_start', 'timestamp')
    .addColumn('data_period_end', 'timestamp')
    .addColumn('generation_status', 'varchar(50)', (col) => col.defaultTo('generating'))
    .addColumn('file_path', 'varchar(1000)')
    .addColumn('file_size_bytes', 'bigint')
    .addColumn('generated_by', 'integer', (col) => col.references('users.id'))
    .addColumn('generated_at', 'timestamp', (col) => col.defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamp')
    .execute();

  await db.schema
    .createTable('dashboards')
    .addColumn('id', 'serial', (col) => col.primaryKey())
    .addColumn('dashboard_name', 'varchar(255)', (col) => col.notNull())
    .addColumn('dashboard_type', 'varchar(100)')
    .addColumn('owner_id', 'integer', (col) => col.references('users.id'))
    .addColumn('layout_config', 'jsonb', (col) => col.notNull())
    .addColumn('widget_config', 'jsonb', (col) => col.notNull())
    .addColumn('refresh_interval_seconds', 'integer', (col) => col.defaultTo(300))
    .addColumn('access_control', 'jsonb')
    .addColumn('is_public', 'boolean', (col) => col.defaultTo(false))
    .addColumn('is_active', 'boolean', (col) => col.defaultTo(true))
    .addColumn('created_at', 'timestamp', (col) => col.defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamp', (col) => col.defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('dashboards').execute();
  await db.schema.dropTable('generated_reports').execute();
  await db.schema.dropTable('report_templates').execute();
}
