/**
 * seed's ledger tables: each seed set's checksum and last apply, and the rows a seed created, by
 * natural key, with a hash of the values it wrote: an operator's edit is told from a seed update
 * by comparing the row with that hash.
 */
export const SEED_TABLES = `CREATE TABLE rasdb.seed_sets (
     set_name text PRIMARY KEY,
     checksum text NOT NULL,
     applied_at timestamptz NOT NULL DEFAULT now(),
     applied_by text NOT NULL,
     rasdb_version text NOT NULL,
     duration_ms integer NOT NULL,
     counts jsonb NOT NULL
   );
   CREATE TABLE rasdb.seed_rows (
     table_name text NOT NULL,
     natural_key text NOT NULL,
     set_name text NOT NULL,
     row_hash text NOT NULL,
     PRIMARY KEY (table_name, natural_key)
   );`;
