import type pg from 'pg';
import { ExitCode, RasdbError } from '../errors.js';
import { SERVER_VERSION_COLUMNS, checkServerVersion, versionOfRow } from '../db/server-version.js';

/** The platform's own tables: their presence without a ledger means a live database to adopt. */
export const PLATFORM_TABLES = [
  'users',
  'audit_logs',
  'ingestion_batches',
  'ingestion_systems',
  'ingestion_assets',
  'ingestion_vulnerabilities',
] as const;

/**
 * Checks, before anything is written, that this session can do what a migration run needs:
 * a server new enough (PostgreSQL 15 or newer), a writable primary, and the right to create the
 * ledger schema and tables in `public`.
 * Each failure is one line naming the fix; nothing has been changed when it is thrown.
 */
export async function assertCanMigrate(
  client: pg.Client,
  options: { ledgerExists: boolean; refuseUnadopted?: boolean },
): Promise<void> {
  checkCanMigrate((await client.query<CanMigrateRow>(CAN_MIGRATE_SQL)).rows[0], options);
}

/** The platform tables that exist in `public`, for the "needs a baseline" check (names are constants). */
const EXISTING_PLATFORM_TABLES_SQL = `SELECT c.relname FROM pg_class c
      WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
        AND c.relname = ANY(ARRAY[${PLATFORM_TABLES.map((t) => `'${t}'`).join(', ')}]) ORDER BY 1`;

/** The statement assertCanMigrate runs (no parameters, one row), for a caller that batches reads. */
export const CAN_MIGRATE_SQL = `SELECT pg_is_in_recovery() AS standby,
            current_setting('transaction_read_only') = 'on' AS read_only,
            current_user AS role, current_database() AS database,
            has_database_privilege(current_database(), 'CREATE') AS can_create_schema,
            has_schema_privilege('public', 'CREATE') AS can_create_tables,
            -- Without USAGE on the schema to_regclass raises (ledgerVersion words that); CASE guards it.
            CASE WHEN to_regnamespace('rasdb') IS NULL OR NOT has_schema_privilege('rasdb', 'USAGE') THEN true
                 ELSE CASE WHEN to_regclass('rasdb.migrations') IS NULL THEN true
                           ELSE has_table_privilege('rasdb.migrations', 'INSERT') END END AS can_write_ledger,
            ARRAY(${EXISTING_PLATFORM_TABLES_SQL})::text[] AS unadopted,
            ${SERVER_VERSION_COLUMNS}`;

/** A row of CAN_MIGRATE_SQL. */
export interface CanMigrateRow {
  standby: boolean;
  read_only: boolean;
  role: string;
  database: string;
  can_create_schema: boolean;
  can_create_tables: boolean;
  can_write_ledger: boolean;
  unadopted: string[];
  server_version_num: number;
  server_version: string;
}

/**
 * assertCanMigrate on a row of CAN_MIGRATE_SQL; `refuseUnadopted` also refuses the platform's
 * tables in a database without a ledger (see assertNoUnadoptedTables).
 */
export function checkCanMigrate(
  facts: CanMigrateRow,
  options: { ledgerExists: boolean; refuseUnadopted?: boolean },
): void {
  // Library callers have no CLI session to check for them; the newer-major warning is the CLI's.
  checkServerVersion(versionOfRow(facts));
  checkWritable(facts);
  if (!options.ledgerExists && !facts.can_create_schema) {
    throw new RasdbError(
      ExitCode.check,
      `role "${facts.role}" may not create schemas in database ${facts.database}; GRANT CREATE ON DATABASE ${facts.database} TO "${facts.role}", or run as its owner`,
    );
  }
  if (!facts.can_create_tables) {
    throw new RasdbError(
      ExitCode.check,
      `role "${facts.role}" may not create tables in schema public of ${facts.database}; GRANT CREATE ON SCHEMA public TO "${facts.role}", or run as its owner`,
    );
  }
  if (!facts.can_write_ledger) {
    throw new RasdbError(
      ExitCode.check,
      `role "${facts.role}" may not write rasdb's ledger (rasdb.migrations); run as the role that created it`,
    );
  }
  if (options.refuseUnadopted) refuseUnadoptedTables(facts.unadopted);
}

/**
 * Exit 3 on a standby or a session that is read-only, before a rollback or repair writes: one
 * line naming the fix instead of the server's refusal of the first statement.
 *
 * @example
 * await assertWritable(client);
 */
export async function assertWritable(client: pg.Client): Promise<void> {
  const { rows } = await client.query<Pick<CanMigrateRow, 'standby' | 'read_only' | 'database'>>(
    `SELECT pg_is_in_recovery() AS standby, current_setting('transaction_read_only') = 'on' AS read_only,
            current_database() AS database`,
  );
  checkWritable(rows[0]);
}

function checkWritable(facts: Pick<CanMigrateRow, 'standby' | 'read_only' | 'database'>): void {
  if (facts.standby) {
    throw new RasdbError(
      ExitCode.connect,
      `${facts.database} is on a read-only standby (in recovery); point rasdb at the primary server`,
    );
  }
  if (facts.read_only) {
    throw new RasdbError(
      ExitCode.connect,
      `${facts.database} is read-only for this session (default_transaction_read_only is on); point rasdb at a writable primary`,
    );
  }
}

/** A live RAS DASH database without a ledger must be adopted with `rasdb baseline` before `migrate`. */
export async function assertNoUnadoptedTables(client: pg.Client): Promise<void> {
  const { rows } = await client.query<{ relname: string }>(EXISTING_PLATFORM_TABLES_SQL);
  refuseUnadoptedTables(rows.map((r) => r.relname));
}

function refuseUnadoptedTables(found: readonly string[]): void {
  if (found.length) {
    throw new RasdbError(
      ExitCode.check,
      `this database already holds RAS DASH tables (${found.join(', ')}) but no rasdb ledger; run rasdb baseline to check and adopt them, then rasdb migrate`,
      { tables: found },
    );
  }
}
