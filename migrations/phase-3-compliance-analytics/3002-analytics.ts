/**
 * Phase 3 (advanced compliance & analytics, "metrics infrastructure", "ML model support"):
 * metrics_definitions, metrics_values, ml_models and ml_predictions, from section 5 of the
 * design document.
 *
 * They hold the definitions of metrics and KPIs with their calculated values over time, and the
 * predictive models with their predictions. The document lists its indexes apart from the
 * tables, under "Index Recommendations"; the two on metrics_values are created here, with their
 * table. Timestamps are TIMESTAMP without time zone, as in the document.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('metrics_definitions')
    .addColumn('id', 'serial', (col) => col.primaryKey())
    .addColumn('metric_name', 'varchar(255)', (col) => col.notNull().unique())
    .addColumn('metric_category', 'varchar(100)', (col) => col.notNull())
    .addColumn('display_name', 'varchar(255)', (col) => col.notNull())
    .addColumn('description', 'text')
    .addColumn('calculation_method', 'text', (col) => col.notNull())
    .addColumn('sql_query', 'text')
    .addColumn('data_sources', sql`text[]`)
    .addColumn('aggregation_level', 'varchar(50)')
    .addColumn('target_value', 'decimal(15, 4)')
    .addColumn('threshold_warning', 'decimal(15, 4)')
    .addColumn('threshold_critical', 'decimal(15, 4)')
    .addColumn('unit_of_measure', 'varchar(50)')
    .addColumn('chart_type', 'varchar(50)')
    .addColumn('is_kpi', 'boolean', (col) => col.defaultTo(false))
    .addColumn('audience', 'varchar(100)')
    .addColumn('created_at', 'timestamp', (col) => col.defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamp', (col) => col.defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('metrics_values')
    .addColumn('id', 'serial', (col) => col.primaryKey())
    .addColumn('metric_id', 'integer', (col) => col.references('metrics_definitions.id'))
    .addColumn('calculated_at', 'timestamp', (col) => col.notNull())
    .addColumn('period_start', 'timestamp')
    .addColumn('period_end', 'timestamp')
    .addColumn('value', 'decimal(15, 4)', (col) => col.notNull())
    .addColumn('value_text', 'text')
    .addColumn('additional_data', 'jsonb')
    .addColumn('data_quality_score', 'decimal(3, 2)')
    .addColumn('calculation_duration_ms', 'integer')
    .addColumn('created_at', 'timestamp', (col) => col.defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('ml_models')
    .addColumn('id', 'serial', (col) => col.primaryKey())
    .addColumn('model_name', 'varchar(255)', (col) => col.notNull().unique())
    .addColumn('model_type', 'varchar(100)', (col) => col.notNull())
    .addColumn('target_variable', 'varchar(255)')
    .addColumn('features', sql`text[]`)
    .addColumn('algorithm', 'varchar(100)')
    .addColumn('model_parameters', 'jsonb')
    .addColumn('training_data_period', sql`interval`)
    .addColumn('accuracy_score', 'decimal(5, 4)')
    .addColumn('precision_score', 'decimal(5, 4)')
    .addColumn('recall_score', 'decimal(5, 4)')
    .addColumn('f1_score', 'decimal(5, 4)')
    .addColumn('last_trained', 'timestamp')
    .addColumn('training_frequency', sql`interval`)
    .addColumn('model_artifact_path', 'varchar(1000)')
    .addColumn('is_active', 'boolean', (col) => col.defaultTo(true))
    .addColumn('created_at', 'timestamp', (col) => col.defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamp', (col) => col.defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('ml_predictions')
    .addColumn('id', 'serial', (col) => col.primaryKey())
    .addColumn('model_id', 'integer', (col) => col.references('ml_models.id'))
    .addColumn('entity_type', 'varchar(100)', (col) => col.notNull())
    .addColumn('entity_id', 'varchar(255)', (col) => col.notNull())
    .addColumn('prediction_value', 'decimal(15, 4)')
    .addColumn('confidence_score', 'decimal(5, 4)')
    .addColumn('prediction_metadata', 'jsonb')
    .addColumn('prediction_date', 'timestamp', (col) => col.defaultTo(sql`now()`))
    .addColumn('actual_value', 'decimal(15, 4)')
    .addColumn('actual_date', 'timestamp')
    .execute();

  await db.schema
    .createIndex('idx_metrics_values_metric_time')
    .on('metrics_values')
    .columns(['metric_id', 'calculated_at'])
    .execute();
  await db.schema
    .createIndex('idx_metrics_values_period')
    .on('metrics_values')
    .columns(['period_start', 'period_end'])
    .execute();
}

// Dropping a table drops its indexes and owned sequences with it.
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('ml_predictions').execute();
  await db.schema.dropTable('ml_models').execute();
  await db.schema.dropTable('metrics_values').execute();
  await db.schema.dropTable('metrics_definitions').execute();
}
