import type pg from 'pg';
import { readingLedger } from './first-use.js';
import { isoText } from '../db/time-text.js';

/** A zone an operator declared the data to be written in, with who and why. */
export interface ZoneDeclaration {
  id: number;
  timeZone: string;
  declaredAt: string;
  declaredBy: string;
  reason: string;
}

/** The zones the last retention run that recorded one computed in, and saw in the server's settings. */
export interface RecordedZones {
  runId: number;
  /** The zone its horizons and buckets were computed in. */
  timeZone: string;
  /** The zone the server's settings gave writers then; null when they did not tell. */
  writersTimeZone: string | null;
}

/**
 * Records a declaration; `who` is the OS account (and whoever asked), the role is added by the server.
 *
 * @example
 * await insertZoneDeclaration(client, 'America/New_York', 'ops@bastion', 'OPS-12: the app writes in New York time');
 */
export async function insertZoneDeclaration(
  client: pg.Client,
  timeZone: string,
  who: string,
  reason: string,
): Promise<number> {
  const { rows } = await client.query(
    `INSERT INTO rasdb.retention_time_zones (time_zone, declared_by, reason) VALUES ($1, current_user || ' (' || $2 || ')', $3) RETURNING id`,
    [timeZone, who, reason],
  );
  return Number(rows[0].id);
}

/**
 * The zones of the newest run that recorded any (runs of an older rasdb recorded none).
 *
 * @example
 * (await lastRecordedZones(client))?.timeZone // 'UTC'
 */
export async function lastRecordedZones(client: pg.Client): Promise<RecordedZones | null> {
  const { rows } = await client.query(
    `SELECT id, time_zone, writers_time_zone FROM rasdb.retention_runs WHERE time_zone IS NOT NULL ORDER BY id DESC LIMIT 1`,
  );
  if (!rows.length) return null;
  return { runId: Number(rows[0].id), timeZone: rows[0].time_zone, writersTimeZone: rows[0].writers_time_zone };
}

/**
 * The declaration in force and the zones of the last run that recorded any, in one round trip:
 * every retention run reads both before it starts.
 *
 * @example
 * const { declaration, last } = await readZoneRecords(client);
 */
export async function readZoneRecords(client: pg.Client): Promise<ZoneRecords> {
  const rows = await readingLedger(client, () => client.query(ZONE_RECORDS_SQL));
  return rows.length ? zoneRecordsFrom(rows) : { declaration: null, last: null };
}

export interface ZoneRecords {
  declaration: ZoneDeclaration | null;
  last: RecordedZones | null;
}

/** The statement readZoneRecords runs (no parameters, one row), for a caller that batches reads. */
export const ZONE_RECORDS_SQL = `SELECT d.id AS declaration_id, d.time_zone AS declared_zone, ${isoText('d.declared_at')} AS declared_at, d.declared_by, d.reason,
            r.id AS run_id, r.time_zone, r.writers_time_zone
       FROM (SELECT 1) AS one
       LEFT JOIN (SELECT * FROM rasdb.retention_time_zones ORDER BY id DESC LIMIT 1) AS d ON true
       LEFT JOIN (SELECT id, time_zone, writers_time_zone FROM rasdb.retention_runs WHERE time_zone IS NOT NULL ORDER BY id DESC LIMIT 1) AS r ON true`;

/** The row of ZONE_RECORDS_SQL as records. */
export function zoneRecordsFrom(rows: readonly Record<string, any>[]): ZoneRecords {
  const [r] = rows;
  return {
    declaration:
      r.declaration_id === null
        ? null
        : {
            id: Number(r.declaration_id),
            timeZone: r.declared_zone,
            declaredAt: r.declared_at,
            declaredBy: r.declared_by,
            reason: r.reason,
          },
    last:
      r.run_id === null
        ? null
        : { runId: Number(r.run_id), timeZone: r.time_zone, writersTimeZone: r.writers_time_zone },
  };
}
