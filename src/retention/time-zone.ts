import type pg from 'pg';
import { ExitCode, isPgServerError, option, RasdbError, usageError } from '../errors.js';
import { utcText } from '../db/time-text.js';
import { LockKey, withAdvisoryLock } from '../db/advisory-lock.js';
import { withTransaction } from '../db/transaction.js';
import { actor } from '../ledger/actor.js';
import { finishRun, startRun } from '../ledger/retention-runs.js';
import {
  insertZoneDeclaration,
  lastRecordedZones,
  readZoneRecords,
  type ZoneDeclaration,
  type ZoneRecords,
} from '../ledger/retention-time-zone.js';
import { POLICIES } from './policies.js';
import { assertRetentionTables } from './run-context.js';
import { canonicalZone, decideZone, zoneChange, type DataZone, type ZoneFacts } from './time-zone-plan.js';

/**
 * The zone the data is written in (see decideZone), refusing (exit 4) when rasdb cannot tell or
 * when it changed since the last run that recorded one. Reads only.
 *
 * @example
 * const zone = await resolveDataZone(client); zone.timeZone // 'America/New_York'
 */
export async function resolveDataZone(
  client: pg.Client,
  options: { allowChange?: boolean; records?: ZoneRecords; settings?: ZoneSettingsRow } = {},
): Promise<DataZone> {
  // What the caller read already (in a batch of its reads) is not read again.
  const { declaration, last } = options.records ?? (await readZoneRecords(client));
  const decided = decideZone(await readZoneFacts(client, declaration, options.settings));
  if ('refusal' in decided) throw new RasdbError(ExitCode.check, decided.refusal);
  if (!options.allowChange) {
    const changed = zoneChange(decided, last);
    if (changed) throw new RasdbError(ExitCode.check, changed, { timeZone: decided.timeZone });
  }
  return decided;
}

/**
 * Declares the zone the data is written in, for when the server's settings do not tell it (an
 * application that sets its own session zone, roles with different zones) or after the zone
 * changed. Recorded with who and why, and as a `policy` run carrying the zone.
 *
 * @example
 * await declareZone(client, { timeZone: 'america/new_york', reason: 'OPS-12' }) // { timeZone: 'America/New_York', before: 'UTC', runId: 9 }
 */
export async function declareZone(
  client: pg.Client,
  input: { timeZone: string; reason: string; by?: string; lockWaitMs?: number },
): Promise<{ timeZone: string; before: string | null; runId: number }> {
  if (!input.reason.trim()) throw usageError(`a time zone declaration needs a ${option('reason')}`);
  const timeZone = await checkedZone(client, input.timeZone);
  await assertRetentionTables(client, input.lockWaitMs);
  const who = `${input.by ? `${input.by} via ` : ''}${actor()}`;
  // Under the retention lock: a run between a declaration and its record, or two declarations
  // interleaved, would leave the last run's zone other than the last declared one (exit 4 after).
  return withAdvisoryLock(client, LockKey.retention, input.lockWaitMs ?? 0, () =>
    record(client, timeZone, who, input.reason),
  );
}

async function record(
  client: pg.Client,
  timeZone: string,
  who: string,
  reason: string,
): Promise<{ timeZone: string; before: string | null; runId: number }> {
  const before = (await lastRecordedZones(client))?.timeZone ?? null;
  return withTransaction(client, async () => {
    await insertZoneDeclaration(client, timeZone, who, reason.trim());
    const zone = await resolveDataZone(client, { allowChange: true });
    const { rows } = await client.query(`SELECT ${utcText('now() AT TIME ZONE $1')} AS t`, [timeZone]);
    const details = { reason: reason.trim(), timeZone: { before, after: timeZone } };
    const runId = await startRun(
      client,
      'policy',
      POLICIES.map((p) => p.name),
      rows[0].t,
      details,
      zone,
    );
    await finishRun(
      client,
      runId,
      'succeeded',
      `time zone of the data declared: ${before ?? 'none recorded'} -> ${timeZone}`,
    );
    return { timeZone, before, runId };
  });
}

const POSIX_OFFSET = /^\s*([+-]?)(\d{1,2}(?::?\d{2}){0,2})\s*$/;

/** PostgreSQL's spelling of a zone name, or exit 2 when it knows no such zone. */
async function checkedZone(client: pg.Client, name: string): Promise<string> {
  const offset = POSIX_OFFSET.exec(name);
  if (offset) {
    // PostgreSQL reads a bare offset as POSIX, west of UTC positive: "+05:30" would compute in
    // UTC-05:30, eleven hours from what an operator writing ISO 8601 means.
    const west = `${offset[1] === '-' ? '+' : '-'}${offset[2]}`;
    throw usageError(
      `"${name}" is an offset, which PostgreSQL reads the POSIX way (UTC${west}, not UTC${offset[1] || '+'}${offset[2]}); ` +
        'declare a zone name such as Asia/Kolkata or Etc/GMT-5 (see pg_timezone_names)',
    );
  }
  try {
    await client.query(`SELECT now() AT TIME ZONE $1`, [name.trim()]);
  } catch (error) {
    if (isPgServerError(error) && error.code === '22023') {
      throw usageError(
        `"${name}" is not a time zone PostgreSQL knows; give a name such as America/New_York or UTC (see pg_timezone_names)`,
      );
    }
    throw error;
  }
  const { rows } = await client.query<{ listed: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE lower(name) = lower($1)) AS listed`,
    [name.trim()],
  );
  if (!rows[0].listed) {
    // PostgreSQL also takes a POSIX rule (UTC-3, GMT+5, ABC3DEF), with west of UTC positive:
    // "UTC-3" computes three hours east of UTC, six hours from what an operator means by it.
    throw usageError(
      `"${name}" is not a zone name PostgreSQL lists; it would read it as a POSIX rule, west of UTC positive (UTC-3 is three hours east of UTC); declare a name such as America/Sao_Paulo (see pg_timezone_names)`,
    );
  }
  return (await canonicalNames(client, [name]))[0];
}

/** A row of ZONE_SETTINGS_SQL: the zone settings of roles and this database, and whether the server's file settings are readable. */
export interface ZoneSettingsRow {
  role: string;
  readable: boolean;
  settings: { role: string | null; zone: string }[];
}

/**
 * The first statement resolveDataZone runs of the server's settings (no parameters, one row), for
 * a caller that batches reads. A role's setting in this database overrides its setting in all
 * databases: the first per role counts.
 */
export const ZONE_SETTINGS_SQL = `SELECT current_user AS role,
            has_table_privilege('pg_catalog.pg_file_settings', 'SELECT')
              AND has_function_privilege('pg_catalog.pg_show_all_file_settings()', 'EXECUTE') AS readable,
            coalesce((SELECT json_agg(json_build_object('role', t.role, 'zone', t.zone)) FROM (
              -- The role's name by the function, not by joining the pg_roles view: less to plan.
              SELECT DISTINCT ON (s.setrole) CASE WHEN s.setrole = 0 THEN NULL ELSE pg_get_userbyid(s.setrole) END AS role,
                     substr(c, strpos(c, '=') + 1) AS zone
                FROM pg_db_role_setting s CROSS JOIN LATERAL unnest(s.setconfig) AS c
               WHERE s.setdatabase IN (0, (SELECT oid FROM pg_database WHERE datname = current_database()))
                 AND lower(split_part(c, '=', 1)) = 'timezone'
               ORDER BY s.setrole, s.setdatabase DESC) AS t), '[]') AS settings`;

async function readZoneFacts(
  client: pg.Client,
  declared: ZoneDeclaration | null,
  read?: ZoneSettingsRow,
): Promise<ZoneFacts> {
  const { role, readable, settings } = read ?? (await client.query<ZoneSettingsRow>(ZONE_SETTINGS_SQL)).rows[0];
  const hasDatabaseSetting = settings.some((s) => s.role === null);
  let server: string | undefined;
  // The server's setting only counts where the database has none of its own.
  if (readable && !hasDatabaseSetting) {
    // Entries of postgresql.conf and postgresql.auto.conf; without one the server runs on its built-in GMT.
    const { rows: file } = await client.query<{ setting: string }>(
      `SELECT setting FROM pg_file_settings WHERE lower(name) = 'timezone' AND applied AND error IS NULL ORDER BY seqno DESC LIMIT 1`,
    );
    server = file[0]?.setting ?? 'GMT';
  }
  const database = settings.find((s) => s.role === null)?.zone;
  // Spelled as the settings spell them (only UTC's aliases made one): a lookup in
  // pg_timezone_names would cost every run more than a day's summarize.
  return {
    database: database === undefined ? null : canonicalZone(database),
    roles: settings
      .filter((s) => s.role !== null)
      .map((s) => ({ role: s.role as string, zone: canonicalZone(s.zone) })),
    server: server === undefined ? undefined : canonicalZone(server),
    currentRole: role,
    declared,
  };
}

/** PostgreSQL's own spelling of zone names where it lists them (case-insensitively), UTC for its aliases. */
async function canonicalNames(client: pg.Client, names: readonly string[]): Promise<string[]> {
  const { rows } = await client.query<{ given: string; spelled: string | null }>(
    `SELECT g AS given, (SELECT min(name) FROM pg_timezone_names WHERE lower(name) = lower(g)) AS spelled FROM unnest($1::text[]) AS g`,
    [names.map((n) => n.trim())],
  );
  return rows.map((r) => canonicalZone(r.given, r.spelled));
}
