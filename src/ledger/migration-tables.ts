/**
 * migrate's ledger tables: which migrations are applied (with checksum, duration and who), and
 * an append-only history of every apply, failure, revert, baseline and repair. The first
 * upgrade step also creates the schema and `ledger_info`, which every other step builds on.
 */
export const MIGRATION_TABLES = `CREATE SCHEMA IF NOT EXISTS rasdb;
   CREATE TABLE rasdb.ledger_info (
     singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
     version integer NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now()
   );
   INSERT INTO rasdb.ledger_info (version) VALUES (0);
   CREATE TABLE rasdb.migrations (
     name text PRIMARY KEY,
     phase integer NOT NULL,
     checksum text NOT NULL,
     applied_at timestamptz NOT NULL DEFAULT now(),
     duration_ms integer NOT NULL,
     applied_by text NOT NULL,
     rasdb_version text NOT NULL,
     baselined boolean NOT NULL DEFAULT false
   );
   CREATE TABLE rasdb.migration_events (
     id bigserial PRIMARY KEY,
     name text NOT NULL,
     phase integer NOT NULL,
     event text NOT NULL CHECK (event IN ('applied', 'failed', 'reverted', 'baselined', 'repaired')),
     at timestamptz NOT NULL DEFAULT now(),
     actor text NOT NULL,
     duration_ms integer,
     sqlstate text,
     message text,
     statement text,
     old_checksum text,
     new_checksum text
   );`;

/**
 * Which way a history event went: a failed revert is kept as `failed` with direction `down`, and
 * does not count as the last failure of applying that migration.
 */
export const MIGRATION_EVENT_DIRECTION = `ALTER TABLE rasdb.migration_events
     ADD COLUMN direction text NOT NULL DEFAULT 'up' CHECK (direction IN ('up', 'down'))`;

/**
 * The upgrade steps (by the version each produces) left for later: `rasdb migrate` makes its own
 * tables before the first migration and the other capabilities' on a second connection while the
 * migrations run (see ensureLedger). Until they are made the ledger reads as the version before
 * the first of them.
 */
export const LEDGER_DEFERRED = `ALTER TABLE rasdb.ledger_info ADD COLUMN deferred integer[] NOT NULL DEFAULT '{}'`;
