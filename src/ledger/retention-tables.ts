/**
 * retention's ledger tables: policy changes, summary watermarks, how far each table has been
 * pruned, legal holds, and the record of every retention run with one row per table it touched.
 */
export const RETENTION_TABLES = `CREATE TABLE rasdb.retention_policies (
     policy text PRIMARY KEY,
     keep_detail interval NOT NULL,
     keep_summary interval,
     below_compliance_minimum boolean NOT NULL DEFAULT false,
     changed_at timestamptz NOT NULL DEFAULT now(),
     changed_by text NOT NULL,
     reason text NOT NULL
   );
   CREATE TABLE rasdb.retention_watermarks (
     summary text PRIMARY KEY,
     policy text NOT NULL,
     summarized_until timestamp,
     seen_id bigint NOT NULL DEFAULT 0,
     previous_seen_id bigint NOT NULL DEFAULT 0,
     updated_at timestamptz NOT NULL DEFAULT now()
   );
   CREATE TABLE rasdb.retention_pruned (
     table_name text PRIMARY KEY,
     pruned_before timestamp NOT NULL,
     updated_at timestamptz NOT NULL DEFAULT now()
   );
   CREATE TABLE rasdb.retention_holds (
     id serial PRIMARY KEY,
     table_name text NOT NULL,
     from_time timestamp,
     until_time timestamp,
     row_ids bigint[],
     reason text NOT NULL,
     placed_by text NOT NULL,
     placed_at timestamptz NOT NULL DEFAULT now(),
     released_at timestamptz,
     released_by text,
     release_reason text,
     CHECK ((row_ids IS NULL) <> (from_time IS NULL AND until_time IS NULL))
   );
   CREATE TABLE rasdb.retention_runs (
     id bigserial PRIMARY KEY,
     kind text NOT NULL CHECK (kind IN ('summarize', 'prune', 'policy')),
     policies text[] NOT NULL,
     as_of timestamp NOT NULL,
     started_at timestamptz NOT NULL DEFAULT now(),
     finished_at timestamptz,
     outcome text NOT NULL DEFAULT 'running' CHECK (outcome IN ('running', 'succeeded', 'stopped_early', 'failed', 'interrupted')),
     actor text NOT NULL,
     message text,
     details jsonb
   );
   CREATE TABLE rasdb.retention_run_steps (
     run_id bigint NOT NULL REFERENCES rasdb.retention_runs (id),
     policy text NOT NULL,
     table_name text NOT NULL,
     action text NOT NULL CHECK (action IN ('summarize', 'prune')),
     cutoff timestamp,
     effective_cutoff timestamp,
     rows_summarized bigint NOT NULL DEFAULT 0,
     rows_deleted bigint NOT NULL DEFAULT 0,
     rows_held_back bigint NOT NULL DEFAULT 0,
     held_back jsonb NOT NULL DEFAULT '{}',
     batches integer NOT NULL DEFAULT 0,
     duration_ms integer NOT NULL DEFAULT 0,
     updated_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (run_id, table_name, action)
   );`;

/**
 * Late rows: each prune that moved a detail table's prune boundary (from `after` to `before`),
 * with the highest id the summaries had examined then, and per summary the highest id folded into
 * buckets prune had already thinned. Together they tell which late rows no summary counts yet.
 */
export const RETENTION_THINNED = `CREATE TABLE rasdb.retention_thinned (
     table_name text NOT NULL,
     after timestamp NOT NULL,
     before timestamp NOT NULL,
     examined_up_to bigint NOT NULL,
     at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (table_name, before)
   );
   ALTER TABLE rasdb.retention_watermarks ADD COLUMN merged_up_to bigint NOT NULL DEFAULT 0;
   UPDATE rasdb.retention_watermarks SET merged_up_to = previous_seen_id;`;

// ---------------------------------------------------------------------------------------------
// The data's time zone. The time columns are TIMESTAMP without time zone, filled in the writers'
// session zone: retention must compute in that zone and notice when it changes. Declarations
// (when the writers' zone cannot be read from the server) are kept with who and why; every run
// records the zone it computed in and the zone the server's settings gave, to compare with.
// ---------------------------------------------------------------------------------------------
export const RETENTION_TIME_ZONE = `CREATE TABLE rasdb.retention_time_zones (
     id serial PRIMARY KEY,
     time_zone text NOT NULL,
     declared_at timestamptz NOT NULL DEFAULT now(),
     declared_by text NOT NULL,
     reason text NOT NULL
   );
   ALTER TABLE rasdb.retention_runs ADD COLUMN time_zone text, ADD COLUMN writers_time_zone text`;
