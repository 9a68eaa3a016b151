import type pg from 'pg';
import { isoText } from '../db/time-text.js';
import { withTransaction } from '../db/transaction.js';
import { actor } from './actor.js';
import type { MigrationEventKind } from './tables.js';
import { ledgerVersion } from './upgrade.js';

export type { MigrationEventKind } from './tables.js';

/** A row of `rasdb.migrations`, as the library passes it around. */
export interface AppliedMigration {
  name: string;
  phase: number;
  checksum: string;
  appliedAt: string;
  durationMs: number;
  appliedBy: string;
  baselined: boolean;
}

/** One entry of the append-only history, `rasdb.migration_events`. */
export interface MigrationEvent {
  name: string;
  phase: number;
  event: MigrationEventKind;
  /** `down` for a revert; `up` (the default) for everything else. */
  direction?: 'up' | 'down';
  durationMs?: number;
  sqlstate?: string;
  message?: string;
  statement?: string;
  oldChecksum?: string;
  newChecksum?: string;
}

/** A migration's last failure, as `status` shows it until a later run applies it. */
export interface FailureRecord {
  at: string;
  sqlstate: string | null;
  message: string | null;
  statement: string | null;
}

/**
 * The applied migrations, oldest first; empty when there is no ledger.
 *
 * @example
 * (await readApplied(client)).map((m) => m.name) // ['0001-users-and-audit-logs', ...]
 */
export async function readApplied(client: pg.Client): Promise<AppliedMigration[]> {
  if ((await ledgerVersion(client)) === 0) return [];
  // SQL text rather than the typed builder: migrate reads this at every start, and needs no Kysely.
  const { rows } = await client.query<{
    name: string;
    phase: number;
    checksum: string;
    duration_ms: number;
    applied_by: string;
    baselined: boolean;
    applied_at: string;
  }>(
    `SELECT name, phase, checksum, duration_ms, applied_by, baselined, ${isoText('applied_at')} AS applied_at
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

/** What recordApplied records. */
export interface AppliedEntry {
  name: string;
  phase: number;
  checksum: string;
  durationMs: number;
  baselined?: boolean;
}

/**
 * Records an applied (or baselined) migration and its history event in one statement.
 *
 * @example
 * await recordApplied(client, { name, phase, checksum, durationMs: 12 }, rasdbVersion());
 */
export async function recordApplied(client: pg.Client, entry: AppliedEntry, version: string): Promise<void> {
  await client.query(appliedRecordSql(client, entry, version));
}

/**
 * The statement recordApplied sends, as text with its values quoted by the driver, so a caller
 * can send it in one round trip with other statements (the executor sends it with COMMIT).
 *
 * @example
 * await client.query(`${appliedRecordSql(client, entry, rasdbVersion())}; COMMIT`);
 */
export function appliedRecordSql(
  client: pg.Client,
  entry: AppliedEntry | (Omit<AppliedEntry, 'durationMs'> & { durationMs: 'since the query began' }),
  version: string,
): string {
  const text = (value: string) => client.escapeLiteral(value);
  const whole = (value: number) => String(Math.trunc(value));
  const baselined = entry.baselined ? 'true' : 'false';
  // Sent in the same simple query as the migration, the row measures it on the server's clock:
  // statement_timestamp() is when that query arrived, for every statement of it.
  const duration =
    entry.durationMs === 'since the query began'
      ? `round(extract(epoch FROM clock_timestamp() - statement_timestamp()) * 1000)::int`
      : whole(entry.durationMs);
  return `WITH m AS (
       INSERT INTO rasdb.migrations (name, phase, checksum, duration_ms, applied_by, rasdb_version, baselined)
       VALUES (${text(entry.name)}, ${whole(entry.phase)}, ${text(entry.checksum)}, ${duration},
               current_user || ' (' || ${text(actor())} || ')', ${text(version)}, ${baselined})
       RETURNING name, phase, checksum, duration_ms, applied_by)
     INSERT INTO rasdb.migration_events (name, phase, event, actor, duration_ms, new_checksum)
     SELECT name, phase, ${entry.baselined ? "'baselined'" : "'applied'"}, applied_by, duration_ms, checksum FROM m`;
}

/**
 * Removes a reverted migration from the applied list and records the revert, in one statement.
 *
 * @example
 * await recordReverted(client, { name: '4001-workflow-engine', phase: 4, durationMs: 9 });
 */
export async function recordReverted(
  client: pg.Client,
  entry: { name: string; phase: number; durationMs: number },
): Promise<void> {
  const { ledgerDb } = await import('./tables.js');
  await ledgerDb(client).deleteFrom('rasdb.migrations').where('name', '=', entry.name).execute();
  await recordEvent(client, { name: entry.name, phase: entry.phase, event: 'reverted', durationMs: entry.durationMs });
}

/**
 * Appends one event to the history; the actor is the database role and the OS account.
 *
 * @example
 * await recordEvent(client, { name, phase, event: 'failed', sqlstate: '55P03', message: 'lock timeout' });
 */
export async function recordEvent(client: pg.Client, event: MigrationEvent): Promise<void> {
  await client.query(
    `INSERT INTO rasdb.migration_events
       (name, phase, event, direction, actor, duration_ms, sqlstate, message, statement, old_checksum, new_checksum)
     VALUES ($1, $2, $3, $11, current_user || ' (' || $4 || ')', $5, $6, $7, $8, $9, $10)`,
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
      event.direction ?? (event.event === 'reverted' ? 'down' : 'up'),
    ],
  );
}

/**
 * Records that an applied migration's file changed on purpose: the ledger takes the file's new
 * checksum, and the history keeps who, when, the old and the new checksum.
 *
 * @example
 * await acceptChecksum(client, applied, await currentChecksum(file));
 */
export async function acceptChecksum(client: pg.Client, entry: AppliedMigration, current: string): Promise<void> {
  const { ledgerDb } = await import('./tables.js');
  await withTransaction(client, async () => {
    await ledgerDb(client)
      .updateTable('rasdb.migrations')
      .set({ checksum: current })
      .where('name', '=', entry.name)
      .execute();
    await recordEvent(client, {
      name: entry.name,
      phase: entry.phase,
      event: 'repaired',
      oldChecksum: entry.checksum,
      newChecksum: current,
    });
  });
}

/**
 * For each migration, its most recent failure to apply that no later apply or revert has superseded.
 *
 * @example
 * (await lastFailures(client)).get('2001-asset-management')?.sqlstate // '42P07'
 */
export async function lastFailures(client: pg.Client): Promise<Map<string, FailureRecord>> {
  const { rows } = await client.query<{ name: string; event: MigrationEventKind } & FailureRecord>(
    `SELECT DISTINCT ON (name) name, event, sqlstate, message, statement, ${isoText('at')} AS at
       FROM rasdb.migration_events
      WHERE direction = 'up' AND event IN ('failed', 'applied', 'baselined') OR event = 'reverted'
      ORDER BY name, id DESC`,
  );
  const failures = new Map<string, FailureRecord>();
  for (const row of rows) {
    if (row.event === 'failed')
      failures.set(row.name, { at: row.at, sqlstate: row.sqlstate, message: row.message, statement: row.statement });
  }
  return failures;
}
