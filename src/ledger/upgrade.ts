import type pg from 'pg';
import { LockKey, withAdvisoryLock } from '../db/advisory-lock.js';
import { oneTripTransaction } from '../db/transaction.js';
import { ExitCode, RasdbError } from '../errors.js';
import { CAPACITY_TABLES } from './capacity-tables.js';
import { LEDGER_DEFERRED, MIGRATION_EVENT_DIRECTION, MIGRATION_TABLES } from './migration-tables.js';
import { RETENTION_TABLES, RETENTION_THINNED, RETENTION_TIME_ZONE } from './retention-tables.js';
import { SEED_TABLES } from './seed-tables.js';
import { PARTITION_TABLES } from './partition-tables.js';

/** rasdb's own bookkeeping lives in this schema, apart from the application's tables. */
export const LEDGER_SCHEMA = 'rasdb';

/** Which capability an upgrade step builds tables for. */
export type LedgerPart = 'migrations' | 'retention' | 'seed' | 'capacity' | 'partition';

/**
 * Each entry upgrades the ledger by one version; the index + 1 is the version it produces. Steps
 * are only ever appended: a database records the version it reached in `rasdb.ledger_info`, and
 * the steps of it still to be made, if any, in `deferred`.
 */
const LEDGER_STEPS: readonly { part: LedgerPart; sql: string }[] = [
  { part: 'migrations', sql: MIGRATION_TABLES },
  { part: 'retention', sql: RETENTION_TABLES },
  { part: 'seed', sql: SEED_TABLES },
  { part: 'retention', sql: RETENTION_THINNED },
  { part: 'migrations', sql: MIGRATION_EVENT_DIRECTION },
  { part: 'retention', sql: RETENTION_TIME_ZONE },
  { part: 'capacity', sql: CAPACITY_TABLES },
  { part: 'partition', sql: PARTITION_TABLES },
  { part: 'migrations', sql: LEDGER_DEFERRED },
];

export const LEDGER_VERSION = LEDGER_STEPS.length;

/**
 * The ledger's version, or 0 when this database has none yet. Reads only.
 *
 * @example
 * await ledgerVersion(client) // 4
 */
export async function ledgerVersion(client: pg.Client): Promise<number> {
  return versionAfterPresence(client, (await client.query<LedgerPresenceRow>(LEDGER_PRESENCE_SQL)).rows[0]);
}

/** Whether the ledger is there and readable (no parameters, one row), for a caller that batches reads. */
export const LEDGER_PRESENCE_SQL =
  // Without USAGE on the schema even to_regclass raises, so that is asked first.
  `SELECT current_user AS role,
            to_regnamespace('rasdb') IS NULL OR has_schema_privilege('rasdb', 'USAGE') AS usable,
            CASE WHEN to_regnamespace('rasdb') IS NULL OR NOT has_schema_privilege('rasdb', 'USAGE') THEN false
                 ELSE to_regclass('rasdb.ledger_info') IS NOT NULL END AS present`;

/** A row of LEDGER_PRESENCE_SQL. */
export interface LedgerPresenceRow {
  role: string;
  usable: boolean;
  present: boolean;
}

/**
 * The ledger's version from a row of LEDGER_PRESENCE_SQL: refuses (exit 4) a ledger this role may
 * not read, 0 when there is none, else read (one more round trip).
 *
 * @example
 * await versionAfterPresence(client, { role: 'dba', usable: true, present: false }) // 0
 */
export async function versionAfterPresence(client: pg.Client, found: LedgerPresenceRow): Promise<number> {
  return versionFrom(await ledgerRows(client, found));
}

/** The rows of LEDGER_VERSION_SQL after a row of LEDGER_PRESENCE_SQL (none without a ledger). */
async function ledgerRows(client: pg.Client, found: LedgerPresenceRow): Promise<LedgerVersionRow[]> {
  if (!found.usable) {
    throw new RasdbError(
      ExitCode.check,
      `role "${found.role}" may not read rasdb's ledger (schema rasdb); run as the role that created it, or GRANT USAGE ON SCHEMA rasdb`,
    );
  }
  if (!found.present) return [];
  return (await client.query<LedgerVersionRow>(LEDGER_VERSION_SQL)).rows;
}

/**
 * The statement that reads the ledger's version, for a caller that batches reads. The steps still
 * to be made come as JSON (`deferred` is not a column of a ledger older than version 9).
 */
export const LEDGER_VERSION_SQL = `SELECT version, to_jsonb(l) -> 'deferred' AS deferred FROM rasdb.ledger_info l`;

/** A row of LEDGER_VERSION_SQL. */
export interface LedgerVersionRow {
  version: number | string;
  deferred?: number[] | null;
}

/**
 * The version in the rows of LEDGER_VERSION_SQL (0 when the table is empty): with steps still to
 * be made, the version before the first of them, so that every check that wants a current ledger
 * asks for `rasdb migrate`, and every upgrade makes them.
 *
 * @example
 * versionFrom([{ version: 9, deferred: [2, 3] }]) // 1
 */
export function versionFrom(rows: readonly LedgerVersionRow[]): number {
  if (!rows.length) return 0;
  const recorded = Number(rows[0].version);
  const deferred = rows[0].deferred ?? [];
  // A newer rasdb's ledger is newer whatever it left to be made: its rules are not ours.
  return deferred.length && recorded <= LEDGER_VERSION ? Math.min(...deferred) - 1 : recorded;
}

/**
 * Refuses a ledger written by a newer rasdb: its rules are not ours to guess.
 *
 * @example
 * assertLedgerReadable(await ledgerVersion(client));
 */
export function assertLedgerReadable(version: number): void {
  if (version > LEDGER_VERSION) {
    throw new RasdbError(
      ExitCode.check,
      `this database's rasdb ledger is version ${version}, newer than this rasdb understands (${LEDGER_VERSION}); upgrade rasdb before running it here`,
      { ledgerVersion: version, supported: LEDGER_VERSION },
    );
  }
}

/**
 * Creates or upgrades the ledger, in one transaction. Call it while holding the migration lock
 * (or for a run that holds it). With `only`, the steps of the other parts are recorded as
 * deferred instead of made: the next ensureLedger makes them. `asynchronousCommit` is for a
 * caller that commits synchronously after it (a server crash before then loses the ledger whole,
 * with everything after it).
 *
 * @example
 * await withAdvisoryLock(client, LockKey.migrate, 60_000, () => ensureLedger(client));
 */
export async function ensureLedger(
  client: pg.Client,
  known?: number,
  options: { only?: readonly LedgerPart[]; asynchronousCommit?: boolean } = {},
): Promise<void> {
  // A caller that read the version under the same lock passes it: 0 and current are not read again.
  const state = known === 0 ? { version: 0, deferred: [] } : await ledgerState(client, known);
  assertLedgerReadable(state.version);
  const pending = [...state.deferred, ...LEDGER_STEPS.map((_, i) => i + 1).filter((v) => v > state.version)].sort(
    (a, b) => a - b,
  );
  if (!pending.length) return;
  const now = pending.filter((v) => !options.only || options.only.includes(LEDGER_STEPS[v - 1].part));
  const later = pending.filter((v) => !now.includes(v));
  // Only steps left for later, and left still: nothing to write.
  if (!now.length && state.version === LEDGER_VERSION) return;
  const asRole = state.version > 0 ? await ownerToActAs(client, state.deferred.length > 0) : undefined;
  // The step that adds `deferred` is in every run that has steps after it to make.
  await oneTripTransaction(client, [
    // For a caller whose later synchronous commit flushes this one with it (WAL is written in order).
    ...(options.asynchronousCommit ? ['SET LOCAL synchronous_commit = off'] : []),
    // Tables made by another role than the one that made the rest would be that role's: later
    // upgrades, run as the owner, could not alter them.
    ...(asRole ? [`SET LOCAL ROLE ${client.escapeIdentifier(asRole)}`] : []),
    ...now.map((v) => LEDGER_STEPS[v - 1].sql),
    // Made after the rest of the ledger, maybe after the owner granted roles on it.
    ...(state.deferred.length ? [CARRY_LEDGER_GRANTS] : []),
    `UPDATE rasdb.ledger_info SET version = ${LEDGER_VERSION}, deferred = '{${later.join(',')}}'`,
  ]);
}

/**
 * Whether a row of LEDGER_VERSION_SQL is a ledger of this rasdb's version with steps a first
 * migrate left to be made (not an older ledger, which `rasdb migrate` upgrades).
 */
export function leftToMake(row: LedgerVersionRow | undefined): boolean {
  return Boolean(row && Number(row.version) === LEDGER_VERSION && row.deferred?.length);
}

/** How long a capability waits for a running migrate before making the ledger tables it left. */
export const COMPLETE_LEDGER_WAIT_MS = 60_000;

/**
 * The ledger's version once the steps a first `rasdb migrate` left to be made (`deferred`: every
 * capability's tables but migrate's own) are made, for a capability about to use them: made under
 * the migration lock, in one transaction, by whichever command first needs them. A ledger an
 * older rasdb wrote is not upgraded here (its version is returned, and the caller asks for
 * `rasdb migrate`), nor is anything made inside the caller's transaction, which it would commit.
 *
 * @example
 * if ((await completedLedgerVersion(client)) < LEDGER_VERSION) throw new RasdbError(4, 'run rasdb migrate first');
 */
export async function completedLedgerVersion(
  client: pg.Client,
  waitMs: number = COMPLETE_LEDGER_WAIT_MS,
): Promise<number> {
  const presence = (await client.query<LedgerPresenceRow>(LEDGER_PRESENCE_SQL)).rows[0];
  const rows = await ledgerRows(client, presence);
  const version = versionFrom(rows);
  if (!leftToMake(rows[0]) || client.getTransactionStatus() !== 'I') return version;
  await withAdvisoryLock(client, LockKey.migrate, waitMs, () => ensureLedger(client));
  return LEDGER_VERSION;
}

/**
 * The role to make the ledger's next steps as: none when this role owns schema rasdb, its owner
 * when this role is a member of it. Refuses (exit 4) any other role: tables made by another role
 * would be that role's, and a later upgrade, run as the owner, could not alter them.
 */
async function ownerToActAs(client: pg.Client, completing: boolean): Promise<string | undefined> {
  const { rows } = await client.query<{ role: string; owner: string | null; member: boolean; own: boolean }>(
    `SELECT current_user AS role, r.rolname AS owner, coalesce(pg_has_role(n.nspowner, 'MEMBER'), false) AS member,
            coalesce(r.rolname = current_user, false) AS own
       FROM (SELECT 1) AS one LEFT JOIN pg_namespace n ON n.nspname = 'rasdb' LEFT JOIN pg_roles r ON r.oid = n.nspowner`,
  );
  const { role, owner, member, own } = rows[0];
  if (own) return undefined;
  if (member && owner) return owner;
  const as = `role "${role}" may not make them as the ledger's owner${owner ? ` (${owner})` : ''}`;
  throw new RasdbError(
    ExitCode.check,
    completing
      ? `rasdb's ledger tables for retention, seed, capacity and partitions are not made yet, and ${as}; run rasdb migrate (it makes them) or this command once as that role`
      : `this database's rasdb ledger is older than this rasdb's (${LEDGER_VERSION}), and ${as}; run rasdb migrate as that role`,
  );
}

/**
 * The privileges granted on the ledger's first tables, given on the tables and sequences this
 * transaction made in schema rasdb: a role granted "all tables in schema rasdb" after a first
 * migrate can still use the tables that were left to be made. Tables take ledger_info's grants,
 * sequences those of migration_events' id; one with privileges of its own already (default
 * privileges) is left as it is.
 */
const CARRY_LEDGER_GRANTS = `DO $carry$
   DECLARE
     made record;
     given record;
   BEGIN
     FOR made IN
       SELECT c.oid::regclass AS rel, c.relkind FROM pg_class c
        WHERE c.relnamespace = 'rasdb'::regnamespace AND c.relkind IN ('r', 'S') AND c.relacl IS NULL
          AND c.xmin = pg_current_xact_id()::xid
     LOOP
       FOR given IN
         SELECT a.privilege_type, a.is_grantable,
                CASE a.grantee WHEN 0 THEN 'PUBLIC' ELSE quote_ident(r.rolname) END AS grantee
           FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a LEFT JOIN pg_roles r ON r.oid = a.grantee
          WHERE c.oid = CASE made.relkind WHEN 'r' THEN 'rasdb.ledger_info'::regclass
                                          ELSE 'rasdb.migration_events_id_seq'::regclass END
            AND a.grantee <> c.relowner
       LOOP
         EXECUTE format('GRANT %s ON %s %s TO %s%s', given.privilege_type,
                        CASE made.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, made.rel, given.grantee,
                        CASE WHEN given.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
       END LOOP;
     END LOOP;
   END
   $carry$`;

/** The recorded version and the steps still to be made (none before version 9). */
async function ledgerState(client: pg.Client, known?: number): Promise<{ version: number; deferred: number[] }> {
  if (known === LEDGER_VERSION) return { version: known, deferred: [] };
  const presence = (await client.query<LedgerPresenceRow>(LEDGER_PRESENCE_SQL)).rows[0];
  const [row] = await ledgerRows(client, presence);
  return { version: Number(row?.version ?? 0), deferred: row?.deferred ?? [] };
}
