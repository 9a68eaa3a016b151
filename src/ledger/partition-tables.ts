/**
 * partition's ledger tables: one row per table rasdb partitions (its interval, premake and the
 * bound C that splits the adopted heap from the new partitions), and the history of every step
 * `partition enable`, `maintain` and prune's partition drops took, for the auditor and for a
 * rerun that resumes.
 */
export const PARTITION_TABLES = `CREATE TABLE rasdb.partition_tables (
     table_name text PRIMARY KEY,
     time_column text NOT NULL,
     interval_unit text NOT NULL CHECK (interval_unit IN ('day', 'week', 'month')),
     premake integer NOT NULL CHECK (premake > 0),
     bound timestamp,
     state text NOT NULL CHECK (state IN ('adopting', 'partitioned')),
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now()
   );
   CREATE TABLE rasdb.partition_history (
     id bigserial PRIMARY KEY,
     table_name text NOT NULL,
     step text NOT NULL,
     outcome text NOT NULL CHECK (outcome IN ('done', 'failed', 'retried')),
     detail jsonb NOT NULL DEFAULT '{}',
     duration_ms integer,
     run_id integer,
     actor text NOT NULL,
     recorded_at timestamptz NOT NULL DEFAULT now()
   );
   CREATE INDEX partition_history_table ON rasdb.partition_history (table_name, id)`;
