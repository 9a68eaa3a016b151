import type pg from 'pg';
import { queryBatch } from '../db/batch.js';
import { snapshotsFrom, snapshotsSql, type Snapshot, type SnapshotRow } from './capacity-snapshots.js';
import {
  POLICY_OVERRIDES_SQL,
  policyOverridesFrom,
  type PolicyOverride,
  type PolicyOverrideRow,
} from './retention-policies.js';
import { ZONE_RECORDS_SQL, zoneRecordsFrom, type ZoneRecords } from './retention-time-zone.js';
import { LEDGER_VERSION_SQL, versionFrom } from './upgrade.js';

/** What the capacity report reads of the ledger. */
export interface ReportLedger {
  readonly version: number;
  readonly zones: ZoneRecords;
  readonly overrides: Map<string, PolicyOverride>;
  readonly snapshots: Snapshot[];
}

/** The ledger tables those reads touch. */
const READ = [
  'ledger_info',
  'retention_time_zones',
  'retention_runs',
  'retention_policies',
  'capacity_snapshots',
  'capacity_snapshot_tables',
];

/**
 * What a statement that names a ledger table (or column) the database lacks, or one this role may
 * not read, fails with: the reads then go again one by one, and their checks name the problem.
 */
const ABSENT_OR_HIDDEN = new Set(['42P01', '3F000', '42703', '42501']);

/**
 * The ledger's version, the zone records, the policy changes and the snapshots of the last
 * `days` days (see ledgerVersion, readZoneRecords, readPolicyOverrides, readSnapshots), with
 * `also` (statements of the caller's without parameters; each gives its rows) in one round trip
 * instead of five. Outside a transaction the reads are sent at once; where a ledger table is not
 * there, or inside a transaction (which a failed statement would abort), a first trip asks whether
 * every table is there and readable. `ledger` is null when one is not: the caller then reads one by
 * one, whose checks name the problem. The caller still checks the version before using the rest.
 *
 * @example
 * const { ledger } = await readReportLedger(client, 90); ledger?.snapshots.length // 12
 */
export async function readReportLedger(
  client: pg.Client,
  days: number,
  also: readonly string[] = [],
): Promise<{ ledger: ReportLedger | null; also: Record<string, any>[][] }> {
  const reads = [LEDGER_VERSION_SQL, ZONE_RECORDS_SQL, POLICY_OVERRIDES_SQL, snapshotsSql(`${Number(days)}`)];
  if (client.getTransactionStatus() === 'I') {
    try {
      const results = await queryBatch(client, [...also, ...reads]);
      return { ledger: ledgerFrom(results.slice(also.length)), also: results.slice(0, also.length).map((r) => r.rows) };
    } catch (error) {
      if (!ABSENT_OR_HIDDEN.has((error as { code?: string }).code ?? '')) throw error;
    }
  }
  const asked = await queryBatch(client, [
    `SELECT CASE WHEN to_regnamespace('rasdb') IS NULL OR NOT has_schema_privilege('rasdb', 'USAGE') THEN false
               ELSE (SELECT bool_and(CASE WHEN to_regclass('rasdb.' || t) IS NULL THEN false
                                        ELSE has_table_privilege('rasdb.' || t, 'SELECT') END)
                       FROM unnest(ARRAY[${READ.map((t) => `'${t}'`).join(', ')}]) AS t) END AS ready`,
    ...also,
  ]);
  const extra = asked.slice(1).map((r) => r.rows);
  if (!asked[0].rows[0].ready) return { ledger: null, also: extra };
  return { ledger: ledgerFrom(await queryBatch(client, reads)), also: extra };
}

function ledgerFrom(results: readonly pg.QueryResult[]): ReportLedger {
  return {
    version: versionFrom(results[0].rows as { version: number }[]),
    zones: zoneRecordsFrom(results[1].rows),
    overrides: policyOverridesFrom(results[2].rows as PolicyOverrideRow[]),
    snapshots: snapshotsFrom(results[3].rows as SnapshotRow[]),
  };
}
