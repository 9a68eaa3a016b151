// ---------------------------------------------------------------------------------------------
// Capacity snapshots: `rasdb capacity snapshot` (from cron) records every document table's size
// at one moment, so the capacity report can fit a growth trend over time. One row per snapshot,
// one row per table in it; sizes are summed over partitions.
// ---------------------------------------------------------------------------------------------
export const CAPACITY_TABLES = `CREATE TABLE rasdb.capacity_snapshots (
     id bigserial PRIMARY KEY,
     taken_at timestamptz NOT NULL,
     taken_by text NOT NULL
   );
   CREATE INDEX capacity_snapshots_taken_at ON rasdb.capacity_snapshots (taken_at);
   CREATE TABLE rasdb.capacity_snapshot_tables (
     snapshot_id bigint NOT NULL REFERENCES rasdb.capacity_snapshots (id) ON DELETE CASCADE,
     table_name text NOT NULL,
     heap_bytes bigint NOT NULL,
     toast_bytes bigint NOT NULL,
     index_bytes bigint NOT NULL,
     total_bytes bigint NOT NULL,
     row_count bigint,
     dead_rows bigint NOT NULL,
     PRIMARY KEY (snapshot_id, table_name)
   )`;
