import type pg from 'pg';
import { queryBatch } from '../db/batch.js';
import { ExitCode, option, RasdbError, usageError } from '../errors.js';
import { newestSnapshotSince, readSnapshots, recordSnapshot } from '../ledger/capacity-snapshots.js';
import { readReportLedger } from '../ledger/report-reads.js';
import { readPolicyOverrides } from '../ledger/retention-policies.js';
import { utcText } from '../db/time-text.js';
import { assertLedgerReadable, completedLedgerVersion, LEDGER_VERSION, ledgerVersion } from '../ledger/upgrade.js';
import { keepsInForce, type PolicyInForce } from '../retention/policies.js';
import { resolveAsOf } from '../retention/time.js';
import { resolveDataZone, ZONE_SETTINGS_SQL, type ZoneSettingsRow } from '../retention/time-zone.js';
import { DOCUMENT_TABLES, mapCategories } from './categories.js';
import { flowFactsSql, measureFlows, type TableFlow } from './flow.js';
import { assembleReport, type CategoryReport, type TableReport } from './report.js';
import { readSizes, relationsFrom, sizesFrom, sizesSql, type SizeRow } from './sizes.js';

export interface CapacityOptions {
  /** Days of the time-column window (default 30). */
  readonly windowDays?: number;
  /** `table=category` overrides of the document's mapping (see mapCategories). */
  readonly categories?: readonly string[];
  /** The data's "now", for tests and replays (see resolveAsOf): only the past. */
  readonly now?: string;
  /** Passed to measureFlows: when to count exactly rather than estimate. */
  readonly exactRowLimit?: number;
  readonly smallTableBytes?: number;
}

export interface CapacityReport {
  /** A reading of the data's clock, in `timeZone`. */
  readonly asOf: string;
  readonly timeZone: string;
  readonly timeZoneSource: string;
  readonly windowDays: number;
  readonly snapshots: { count: number; first: string | null; last: string | null };
  readonly policies: { table: string; keepDetail: string; keepDays: number; changed: boolean }[];
  readonly tables: TableReport[];
  readonly categories: CategoryReport[];
}

export const DEFAULT_WINDOW_DAYS = 30;
/** The trend is fitted over the snapshots of this many days: recent growth, and a bounded read. */
export const TREND_DAYS = 90;

/**
 * The capacity report: every document table's size (summed over partitions), its flow in rows
 * and bytes per day from its time column over a window and from the recorded snapshots, each
 * category's yearly flow against the design document's estimate, and the stock projected at
 * 1, 3 and 7 years under the retention policies in force. Reads only; no full scan.
 *
 * @example
 * const report = await capacityReport(client, { windowDays: 30 });
 * report.categories.find((c) => c.name === 'integration')?.ratio // 0.31
 */
export async function capacityReport(client: pg.Client, options: CapacityOptions = {}): Promise<CapacityReport> {
  const mapping = mapCategories(options.categories);
  // The ledger's reads, the server's zone settings and every table's size in one round trip where
  // the ledger is all there; one by one (naming what is not) otherwise.
  const reads = [
    ZONE_SETTINGS_SQL,
    sizesSql(
      client,
      mapping.map((m) => m.table),
    ),
    STATISTICS_READABLE_SQL,
  ];
  let read = await readReportLedger(client, TREND_DAYS, reads);
  if (!read.ledger) {
    // The ledger tables a first migrate left to be made are made now, and the reads go again.
    const version = await completedLedgerVersion(client);
    if (version === LEDGER_VERSION) read = await readReportLedger(client, TREND_DAYS, reads);
  }
  const ledger = read.ledger;
  assertCurrent(ledger ? ledger.version : await ledgerVersion(client));
  const zone = await resolveDataZone(client, {
    allowChange: true,
    records: ledger?.zones,
    settings: read.also[0][0] as ZoneSettingsRow,
  });
  // A given "now" is checked against the server's clock first; the server's own "now" is read
  // with the flows' facts, in their round trip.
  const given = options.now === undefined || options.now.trim() === '' ? null : options.now;
  const replayed = given === null ? null : await resolveAsOf(client, zone.timeZone, given);
  const windowDays = options.windowDays ?? DEFAULT_WINDOW_DAYS;
  const tables = mapping.map((m) => m.table);
  const sizeRows = read.also[1] as SizeRow[];
  const sizes = sizesFrom(tables, sizeRows);
  const relations = relationsFrom(tables, sizeRows);
  const subjects = mapping.flatMap((m, i) => {
    const { present, totalBytes, heapBytes, rows } = sizes[i];
    const { oid, leaves } = relations[i];
    if (!present || oid === null) return [];
    return [{ table: m.table, timeColumn: m.timeColumn, totalBytes, heapBytes, rows, oid, leaves }];
  });
  const keeps = keepsInForce(ledger?.overrides ?? (await readPolicyOverrides(client)));
  const clock =
    replayed === null
      ? `now() AT TIME ZONE ${client.escapeLiteral(zone.timeZone)}`
      : `${client.escapeLiteral(replayed)}::timestamp`;
  const flowSettings = {
    windowDays,
    exactRowLimit: options.exactRowLimit,
    smallTableBytes: options.smallTableBytes,
    statisticsReadable: Boolean(read.also[2][0].readable),
  };
  const facts = flowFactsSql(client, subjects, flowSettings);
  const results = await queryBatch(client, [...facts, clockAndKeepsSql(client, clock, keeps)]);
  const timing = results.at(-1)?.rows[0] as { as_of: string; keep_days: number[] };
  const asOf = timing.as_of;
  const measured = await measureFlows(
    client,
    subjects,
    { asOf, ...flowSettings },
    results.slice(0, facts.length).map((r) => r.rows),
  );
  const flows = mapping.map(
    (m) => measured.find((f) => f.table === m.table) ?? absentFlow(m.table, m.timeColumn, asOf),
  );
  const policies = keeps.map((k, i) => ({
    table: k.definition.table,
    keepDetail: k.keepDetail,
    keepDays: timing.keep_days[i],
    changed: Boolean(k.row),
  }));
  const snapshots = ledger?.snapshots ?? (await readSnapshots(client, TREND_DAYS));
  const assembled = assembleReport({
    mapping,
    sizes,
    flows,
    keeps: new Map(
      policies.map((p) => [p.table, { days: p.keepDays, source: `the ${p.table} policy: ${p.keepDetail}` }]),
    ),
    snapshots,
  });
  return {
    asOf,
    timeZone: zone.timeZone,
    timeZoneSource: zone.source,
    windowDays,
    snapshots: {
      count: snapshots.length,
      first: snapshots[0]?.takenAt ?? null,
      last: snapshots.at(-1)?.takenAt ?? null,
    },
    policies,
    ...assembled,
  };
}

/** Whether this role may read pg_statistic itself (see FlowSettings.statisticsReadable). */
const STATISTICS_READABLE_SQL = `SELECT has_table_privilege('pg_catalog.pg_statistic', 'SELECT') AS readable`;

/**
 * The data's "now" (`clock`, SQL) in the house spelling, and each policy's detail kept as days
 * from it, by PostgreSQL's calendar (a year back from a date after February 29 is 366 days).
 */
function clockAndKeepsSql(client: pg.Client, clock: string, keeps: readonly PolicyInForce[]): string {
  const details = `ARRAY[${keeps.map((k) => client.escapeLiteral(k.keepDetail)).join(', ')}]::interval[]`;
  return `SELECT ${utcText('c.t')} AS as_of,
            (SELECT coalesce(json_agg(extract(epoch FROM c.t - (c.t - p.detail)) / 86400 ORDER BY p.ord), '[]')
               FROM unnest(${details}) WITH ORDINALITY AS p(detail, ord)) AS keep_days
       FROM (SELECT ${clock} AS t) AS c`;
}

/**
 * Records every document table's size now (or at `now`, a past time, for tests and back-fills),
 * for the report's trend. Meant for cron: one row per table, a few milliseconds.
 *
 * @example
 * await takeSnapshot(client) // { id: 12, takenAt: '2026-06-01T04:00:00.000Z', tables: 31 }
 */
export async function takeSnapshot(
  client: pg.Client,
  options: { now?: string } = {},
): Promise<{ id: number; takenAt: string; tables: number }> {
  await assertLedgerCurrent(client);
  let takenAt: string | null = null;
  if (options.now !== undefined) {
    const zone = await resolveDataZone(client, { allowChange: true });
    const asOf = await resolveAsOf(client, zone.timeZone, options.now);
    const { rows } = await client.query(`SELECT ($1::timestamp AT TIME ZONE $2::text)::text AS t`, [
      asOf,
      zone.timeZone,
    ]);
    takenAt = rows[0].t;
    // A snapshot holds the sizes measured now: stamped before one already taken, it would put
    // today's sizes into the past and bend the trend (`--now 1900-01-01`).
    const newer = await newestSnapshotSince(client, rows[0].t);
    if (newer !== null) {
      throw usageError(
        `${option('now')} ${options.now} is not after the newest snapshot (taken ${newer}); a snapshot records the sizes measured now, so it goes after those already taken`,
      );
    }
  }
  const sizes = (
    await readSizes(
      client,
      DOCUMENT_TABLES.map((d) => d.table),
    )
  ).filter((s) => s.present);
  const recorded = await recordSnapshot(client, takenAt, sizes);
  return { ...recorded, tables: sizes.length };
}

/** Refuses (exit 4) a database whose ledger is missing or older than this rasdb's. */
async function assertLedgerCurrent(client: pg.Client): Promise<void> {
  assertCurrent(await completedLedgerVersion(client));
}

function assertCurrent(version: number): void {
  assertLedgerReadable(version);
  if (version < LEDGER_VERSION) {
    throw new RasdbError(
      ExitCode.check,
      version === 0
        ? 'this database has no rasdb ledger; run rasdb migrate first'
        : `this database's rasdb ledger is version ${version}, older than this rasdb's (${LEDGER_VERSION}); run rasdb migrate first`,
    );
  }
}

function absentFlow(table: string, timeColumn: string, asOf: string): TableFlow {
  return {
    table,
    timeColumn,
    method: 'empty',
    from: null,
    until: asOf,
    windowDays: 0,
    rowsInWindow: 0,
    rowsPerDay: 0,
    bytesPerRow: null,
    bytesPerDay: 0,
    countedRows: null,
    indexed: false,
  };
}
