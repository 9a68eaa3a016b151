/**
 * Phase 0: users and audit_logs.
 *
 * The design document's new tables reference `users(id)` but the platform never published how
 * `users` and `audit_logs` look. On a fresh database this migration creates a minimal version of
 * both (see existing-tables.md): `users` with an INTEGER (SERIAL) primary key, a unique username
 * and email, a role, an active flag and timestamps; `audit_logs` with the acting user, action,
 * resource, JSONB detail and client address. A live RAS DASH database already has these tables
 * and is adopted by a baseline instead, which checks only that `users.id` is an INTEGER key.
 * Column lengths and the role default are this toolkit's choice, not the platform's.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'serial', (col) => col.primaryKey())
    .addColumn('username', 'varchar(100)', (col) => col.notNull().unique())
    .addColumn('email', 'varchar(255)', (col) => col.notNull().unique())
    .addColumn('role', 'varchar(50)', (col) => col.notNull().defaultTo('user'))
    .addColumn('is_active', 'boolean', (col) => col.defaultTo(true))
    .addColumn('created_at', 'timestamp', (col) => col.defaultTo(sql`CURRENT_TIMESTAMP`))
    .addColumn('updated_at', 'timestamp', (col) => col.defaultTo(sql`CURRENT_TIMESTAMP`))
    .execute();

  await db.schema
    .createTable('audit_logs')
    .addColumn('id', 'serial', (col) => col.primaryKey())
    .addColumn('user_id', 'integer', (col) => col.references('users.id'))
    .addColumn('action', 'varchar(100)', (col) => col.notNull())
    .addColumn('resource_type', 'varchar(100)')
    .addColumn('resource_id', 'varchar(255)')
    .addColumn('details', 'jsonb')
    .addColumn('ip_address', sql`inet`)
    .addColumn('created_at', 'timestamp', (col) => col.defaultTo(sql`CURRENT_TIMESTAMP`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('audit_logs').execute();
  await db.schema.dropTable('users').execute();
}
