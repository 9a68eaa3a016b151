/**
 * Phase 4 (workflow & security enhancement, "workflow automation"): workflows,
 * workflow_executions and approvals, from section 6 of the design document.
 *
 * They hold workflow definitions (triggers and steps as JSONB), each run of a workflow, and the
 * approvals a run may wait for (risk acceptance, remediation plans, POA&M closure).
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('workflows')
    .addColumn('id', 'serial', (col) => col.primaryKey())
    .addColumn('workflow_name', 'varchar(255)', (col) => col.notNull().unique())
    .addColumn('workflow_type', 'varchar(100)', (col) => col.notNull())
    .addColumn('trigger_conditions', 'jsonb', (col) => col.notNull())
    .addColumn('workflow_steps', 'jsonb', (col) => col.notNull())
    .addColumn('approval_required', 'boolean', (col) => col.defaultTo(false))
    .addColumn('approval_roles', sql`text[]`)
    .addColumn('timeout_minutes', 'integer')
    .addColumn('retry_policy', 'jsonb')
    .addColumn('is_active', 'boolean', (col) => col.defaultTo(true))
    .addColumn('created_by', 'integer', (col) => col.references('users.id'))
    .addColumn('created_at', 'timestamp', (col) => col.defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamp', (col) => col.defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('workflow_executions')
    .addColumn('id', 'serial', (col) => col.primaryKey())
    .addColumn('execution_id', 'uuid', (col) =>
      col
        .notNull()
        .unique()
        .defaultTo(sql`gen_random_uuid()`),
    )
    .addColumn('workflow_id', 'integer', (col) => col.references('workflows.id'))
    .addColumn('trigger_entity_type', 'varchar(100)')
    .addColumn('trigger_entity_id', 'varchar(255)')
    .addColumn('status', 'varchar(50)', (col) => col.defaultTo('pending'))
    .addColumn('current_step', 'integer', (col) => col.defaultTo(1))
    .addColumn('step_outputs', 'jsonb')
    .addColumn('error_details', 'jsonb')
    .addColumn('started_at', 'timestamp', (col) => col.defaultTo(sql`now()`))
    .addColumn('completed_at', 'timestamp')
    .addColumn('started_by', 'integer', (col) => col.references('users.id'))
    .execute();

  await db.schema
    .createTable('approvals')
    .addColumn('id', 'serial', (col) => col.primaryKey())
    .addColumn('approval_id', 'uuid', (col) =>
      col
        .notNull()
        .unique()
        .defaultTo(sql`gen_random_uuid()`),
    )
    .addColumn('workflow_execution_id', 'integer', (col) => col.references('workflow_executions.id'))
    .addColumn('approval_type', 'varchar(100)', (col) => col.notNull())
    .addColumn('requested_action', 'text', (col) => col.notNull())
    .addColumn('business_justification', 'text')
    .addColumn('risk_assessment', 'text')
    .addColumn('requested_by', 'integer', (col) => col.references('users.id'))
    .addColumn('approver_role', 'varchar(100)')
    .addColumn('assigned_approver', 'integer', (col) => col.references('users.id'))
    .addColumn('status', 'varchar(50)', (col) => col.defaultTo('pending'))
    .addColumn('approval_decision', 'text')
    .addColumn('approved_at', 'timestamp')
    .addColumn('expires_at', 'timestamp')
    .addColumn('created_at', 'timestamp', (col) => col.defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('approvals').execute();
  await db.schema.dropTable('workflow_executions').execute();
  await db.schema.dropTable('workflows').execute();
}
