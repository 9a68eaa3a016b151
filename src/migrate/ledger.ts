import { hostname, userInfo } from 'node:os';
import type pg from 'pg';
import { ExitCode, RasdbError } from '../errors.js';

/**
 * rasdb's own bookkeeping lives in the `rasdb` schema, apart from the application's tables:
 * which migrations are applied (with checksum, duration and who), and an append-only history
 * of every apply, failure, revert, baseline and repair.
 */
export const LEDGER_SCHEMA = 'rasdb';

/** Each entry upgrades the ledger by one version; the index + 1 is the version it produces. */
const LEDGER_STEPS: readonly string[] = [
  `CREATE SCHEMA IF NOT EXISTS rasdb;
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
   );`,
  // Retention (issue 6): policy changes, summary watermarks, how far each table has been pruned,
  // legal holds, and the record of every retention run with one row per table it touched.
  `CREATE TABLE rasdb.retention_policies (
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
   );`,
  // Reference data (issue 5): each seed set's checksum and last apply, and the rows a seed created,
  // by natural key, with a hash of the values it wrote: an operator's edit is told from a seed
  // update by comparing the row with that hash.
  `CREATE TABLE rasdb.seed_sets (
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
   );`,
  // Retention, late rows (issue 6): each prune that moved a detail table's prune boundary (from
  // `after` to `before`), with the highest id the summaries had examined then, and per summary the
  // highest id folded into buckets prune had already thinned. Together they tell which late rows
  // no summary counts yet.
  `CREATE TABLE rasdb.retention_thinned (
     table_name text NOT NULL,
     after timestamp NOT NULL,
     before timestamp NOT NULL,
     examined_up_to bigint NOT NULL,
     at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (table_name, before)
   );
   ALTER TABLE rasdb.retention_watermarks ADD COLUMN merged_up_to bigint NOT NULL DEFAULT 0;
   UPDATE rasdb.retention_watermarks SET merged_up_to = previous_seen_id;`,
];

export const LEDGER_VERSION = LEDGER_STEPS.length;

export interface AppliedMigration {
  name: string;
  phase: number;
  checksum: string;
  appliedAt: string;
  durationMs: number;
  appliedBy: string;
  baselined: boolean;
}

export type MigrationEventKind = 'applied' | 'failed' | 'reverted' | 'baselined' | 'repaired';

export interface MigrationEvent {
  name: string;
  phase: number;
  event: MigrationEventKind;
  durationMs?: number;
  sqlstate?: string;
  message?: string;
  statement?: string;
  oldChecksum?: string;
  newChecksum?: string;
}

/** Who is running this: the database role is added by the server, the OS account by us. */
export function actor(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    /* no passwd entry, as in some containers */
  }
  return `${user}@${hostname()}`;
}

/** The ledger's version, or 0 when this database has none yet. Reads only. */
export async function ledgerVersion(client: pg.Client): Promise<number> {
  const { rows: found } = await client.query(
    // Without USAGE on the schema even to_regclass raises, so that is asked first.
    `SELECT current_user AS role,
            to_regnamespace('rasdb') IS NULL OR has_schema_privilege('rasdb', 'USAGE') AS usable,
            CASE WHEN to_regnamespace('rasdb') IS NULL OR NOT has_schema_privilege('rasdb', 'USAGE') THEN false
                 ELSE to_regclass('rasdb.ledger_info') IS NOT NULL END AS present`,
  );
  if (!found[0].usable) {
    throw new RasdbError(ExitCode.check, `role "${found[0].role}" may not read rasdb's ledger (schema rasdb); run as the role that created it, or GRANT USAGE ON SCHEMA rasdb`);
  }
  if (!found[0].present) return 0;
  const { rows } = await client.query(`SELECT version FROM rasdb.ledger_info`);
  return rows.length ? Number(rows[0].version) : 0;
}

/** Refuses a ledger written by a newer rasdb: its rules are not ours to guess. */
export function assertLedgerReadable(version: number): void {
  if (version > LEDGER_VERSION) {
    throw new RasdbError(
      ExitCode.check,
      `this database's rasdb ledger is version ${version}, newer than this rasdb understands (${LEDGER_VERSION}); upgrade rasdb before running it here`,
      { ledgerVersion: version, supported: LEDGER_VERSION },
    );
  }
}

/** Creates or upgrades the ledger. Call it while holding the migration lock. */
export async function ensureLedger(client: pg.Client): Promise<void> {
  const version = await ledgerVersion(client);
  assertLedgerReadable(version);
  if (version === LEDGER_VERSION) return;
  // All pending upgrade steps in one transaction: the ledger moves from one version to the
  // current one whole, or not at all.
  await client.query('BEGIN');
  try {
    await client.query(LEDGER_STEPS.slice(version).join(';\n'));
    await client.query('UPDATE rasdb.ledger_info SET version = $1', [LEDGER_VERSION]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}

/** The applied migrations, oldest first; empty when there is no ledger. */
export async function readApplied(client: pg.Client): Promise<AppliedMigration[]> {
  if ((await ledgerVersion(client)) === 0) return [];
  const { rows } = await client.query(
    `SELECT name, phase, checksum, to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS applied_at,
            duration_ms, applied_by, baselined
       FROM rasdb.migrations ORDER BY phase, name`,
  );
  return rows.map((row) => ({
    name: row.name,
    phase: row.phase,
    checksum: row.checksum,
    appliedAt: row.applied_at,
    durationMs: row.duration_ms,
    appliedBy: row.applied_by,
    baselined: row.baselined,
  }));
}

/** Records an applied (or baselined) migration and its history event in one statement. */
export async function recordApplied(
  client: pg.Client,
  entry: { name: string; phase: number; checksum: string; durationMs: number; baselined?: boolean },
  version: string,
): Promise<void> {
  await client.query(
    `WITH m AS (
       INSERT INTO rasdb.migrations (name, phase, checksum, duration_ms, applied_by, rasdb_version, baselined)
       VALUES ($1, $2, $3, $4, current_user || ' (' || $5 || ')', $6, $7)
       RETURNING name, phase, checksum, duration_ms, applied_by)
     INSERT INTO rasdb.migration_events (name, phase, event, actor, duration_ms, new_checksum)
     SELECT name, phase, CASE WHEN $7 THEN 'baselined' ELSE 'applied' END, applied_by, duration_ms, checksum FROM m`,
    [entry.name, entry.phase, entry.checksum, entry.durationMs, actor(), version, entry.baselined ?? false],
  );
}

export async function removeApplied(client: pg.Client, name: string): Promise<void> {
  await client.query('DELETE FROM rasdb.migrations WHERE name = $1', [name]);
}

export async function recordEvent(client: pg.Client, event: MigrationEvent): Promise<void> {
  await client.query(
    `INSERT INTO rasdb.migration_events
       (name, phase, event, actor, duration_ms, sqlstate, message, statement, old_checksum, new_checksum)
     VALUES ($1, $2, $3, current_user || ' (' || $4 || ')', $5, $6, $7, $8, $9, $10)`,
    [
      event.name,
      event.phase,
      event.event,
      actor(),
      event.durationMs ?? null,
      event.sqlstate ?? null,
      event.message ?? null,
      event.statement ?? null,
      event.oldChecksum ?? null,
      event.newChecksum ?? null,
    ],
  );
}
