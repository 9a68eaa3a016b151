/**
 * Phase 3: control_baselines, a reference table this toolkit adds; it is not in the design document.
 *
 * Why: every installation needs to know which baselines a control belongs to (NIST SP 800-53B Low,
 * Moderate, High and Privacy; FedRAMP Rev 5 Low, Moderate, High and LI-SaaS), and no column of
 * controls_extended can hold that. A control belongs to several baselines at once, and the
 * document's columns there are about one installation's implementation and assessment of the
 * control, which operators edit; a text[] or JSONB there would mix shared reference data into
 * rows operators own. One row per (control, baseline) answers "which controls are in FedRAMP
 * Moderate" and "which baselines hold AC-2(1)" with one indexed query, and `rasdb seed` can own
 * these rows outright.
 *
 * control_id is controls_extended.id (an INTEGER, like control_evidence.control_id and
 * poams_extended.control_id), so a baseline always names a control of its own framework; deleting
 * a control deletes its memberships. The index on baseline serves the per-baseline counts.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('control_baselines')
    .addColumn('control_id', 'integer', (col) => col.notNull().references('controls_extended.id').onDelete('cascade'))
    .addColumn('baseline', 'varchar(50)', (col) => col.notNull())
    .addColumn('created_at', 'timestamp', (col) => col.defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('control_baselines_pkey', ['control_id', 'baseline'])
    .execute();

  await db.schema
    .createIndex('idx_control_baselines_baseline')
    .on('control_baselines')
    .columns(['baseline', 'control_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('control_baselines').execute();
}
