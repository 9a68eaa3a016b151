import type pg from 'pg';
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
 * The ledger's version, the zone records, the policy changes and the snapshots of the last
 * `days` days (see ledgerVersion, readZoneRecords, readPolicyOverrides, readSnapshots) in two
 * round trips instead of five: one asks whether every table is there and readable (with `also`,
 * statements of the caller's without parameters, one row each), one reads them all. `ledger` is
 * null when a table is not there: the caller then reads one by one, whose checks name the
 * problem. The caller still checks the version before using the rest.
 *
 * @example
 * const { ledger } = await readReportLedger(client, 90); ledger?.snapshots.length // 12
 */
export async function readReportLedger(
  client: pg.Client,
  days: number,
  also: readonly string[] = [],
): Promise<{ ledger: ReportLedger | null; also: Record<string, any>[] }> {
  const asked = (await client.query(
    [
      `SELECT CASE WHEN to_regnamespace('rasdb') IS NULL OR NOT has_schema_privilege('rasdb', 'USAGE') THEN false
                 ELSE (SELECT bool_and(CASE WHEN to_regclass('rasdb.' || t) IS NULL THEN false
                                          ELSE has_table_privilege('rasdb.' || t, 'SELECT') END)
                         FROM unnest(ARRAY[${READ.map((t) => `'${t}'`).join(', ')}]) AS t) END AS ready`,
      ...also,
    ].join(';\n'),
  )) as unknown as pg.QueryResult | pg.QueryResult[];
  // One statement gives one result, more give a list.
  const [ready, ...rest] = Array.isArray(asked) ? asked : [asked];
  const extra = rest.map((r) => r.rows[0] as Record<string, any>);
  if (!ready.rows[0].ready) return { ledger: null, also: extra };
  // Four statements without parameters in one simple query: one round trip, one snapshot.
  const results = (await client.query(
    [LEDGER_VERSION_SQL, ZONE_RECORDS_SQL, POLICY_OVERRIDES_SQL, snapshotsSql(`${Number(days)}`)].join(';\n'),
  )) as unknown as pg.QueryResult[];
  return {
    ledger: {
      version: versionFrom(results[0].rows as { version: number }[]),
      zones: zoneRecordsFrom(results[1].rows),
      overrides: policyOverridesFrom(results[2].rows as PolicyOverrideRow[]),
      snapshots: snapshotsFrom(results[3].rows as SnapshotRow[]),
    },
    also: extra,
  };
}
