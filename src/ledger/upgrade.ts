import type pg from 'pg';
import { withTransaction } from '../db/transaction.js';
import { ExitCode, RasdbError } from '../errors.js';
import { CAPACITY_TABLES } from './capacity-tables.js';
import { MIGRATION_EVENT_DIRECTION, MIGRATION_TABLES } from './migration-tables.js';
import { RETENTION_TABLES, RETENTION_THINNED, RETENTION_TIME_ZONE } from './retention-tables.js';
import { SEED_TABLES } from './seed-tables.js';
import { PARTITION_TABLES } from './partition-tables.js';

/** rasdb's own bookkeeping lives in this schema, apart from the application's tables. */
export const LEDGER_SCHEMA = 'rasdb';

/**
 * Each entry upgrades the ledger by one version; the index + 1 is the version it produces. Steps
 * are only ever appended: a database records the version it reached in `rasdb.ledger_info`.
 */
const LEDGER_STEPS: readonly string[] = [
  MIGRATION_TABLES,
  RETENTION_TABLES,
  SEED_TABLES,
  RETENTION_THINNED,
  MIGRATION_EVENT_DIRECTION,
  RETENTION_TIME_ZONE,
  CAPACITY_TABLES,
  PARTITION_TABLES,
];

export const LEDGER_VERSION = LEDGER_STEPS.length;

/**
 * The ledger's version, or 0 when this database has none yet. Reads only.
 *
 * @example
 * await ledgerVersion(client) // 4
 */
export async function ledgerVersion(client: pg.Client): Promise<number> {
  const { rows: found } = await client.query<{ role: string; usable: boolean; present: boolean }>(
    // Without USAGE on the schema even to_regclass raises, so that is asked first.
    `SELECT current_user AS role,
            to_regnamespace('rasdb') IS NULL OR has_schema_privilege('rasdb', 'USAGE') AS usable,
            CASE WHEN to_regnamespace('rasdb') IS NULL OR NOT has_schema_privilege('rasdb', 'USAGE') THEN false
                 ELSE to_regclass('rasdb.ledger_info') IS NOT NULL END AS present`,
  );
  if (!found[0].usable) {
    throw new RasdbError(
      ExitCode.check,
      `role "${found[0].role}" may not read rasdb's ledger (schema rasdb); run as the role that created it, or GRANT USAGE ON SCHEMA rasdb`,
    );
  }
  if (!found[0].present) return 0;
  return versionFrom((await client.query<{ version: number }>(LEDGER_VERSION_SQL)).rows);
}

/** The statement that reads the ledger's version, for a caller that batches reads. */
export const LEDGER_VERSION_SQL = `SELECT version FROM rasdb.ledger_info`;

/** The version in the rows of LEDGER_VERSION_SQL (0 when the table is empty). */
export function versionFrom(rows: readonly { version: number | string }[]): number {
  return rows.length ? Number(rows[0].version) : 0;
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
 * Creates or upgrades the ledger. Call it while holding the migration lock.
 *
 * @example
 * await withAdvisoryLock(client, LockKey.migrate, 60_000, () => ensureLedger(client));
 */
export async function ensureLedger(client: pg.Client): Promise<void> {
  const version = await ledgerVersion(client);
  assertLedgerReadable(version);
  if (version === LEDGER_VERSION) return;
  // All pending upgrade steps in one transaction: the ledger moves from one version to the
  // current one whole, or not at all.
  await withTransaction(client, async () => {
    await client.query(LEDGER_STEPS.slice(version).join(';\n'));
    await client.query('UPDATE rasdb.ledger_info SET version = $1', [LEDGER_VERSION]);
  });
}
