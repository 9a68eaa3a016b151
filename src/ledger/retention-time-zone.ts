import type pg from 'pg';
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
 * The zone declaration in force (the latest), or null when none was ever made.
 *
 * @example
 * (await readZoneDeclaration(client))?.timeZone // 'America/New_York'
 */
export async function readZoneDeclaration(client: pg.Client): Promise<ZoneDeclaration | null> {
  const { rows } = await client.query(
    `SELECT id, time_zone, ${isoText('declared_at')} AS declared_at, declared_by, reason
       FROM rasdb.retention_time_zones ORDER BY id DESC LIMIT 1`,
  );
  if (!rows.length) return null;
  const r = rows[0];
  return { id: Number(r.id), timeZone: r.time_zone, declaredAt: r.declared_at, declaredBy: r.declared_by, reason: r.reason };
}

/**
 * Records a declaration; `who` is the OS account (and whoever asked), the role is added by the server.
 *
 * @example
 * await insertZoneDeclaration(client, 'America/New_York', 'ops@bastion', 'OPS-12: the app writes in New York time');
 */
export async function insertZoneDeclaration(client: pg.Client, timeZone: string, who: string, reason: string): Promise<number> {
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
 * Records on a run the zones it computed in.
 *
 * @example
 * await recordRunZones(client, runId, { timeZone: 'America/New_York', writersTimeZone: 'America/New_York' });
 */
export async function recordRunZones(client: pg.Client, runId: number, zones: { timeZone: string; writersTimeZone: string | null }): Promise<void> {
  await client.query(`UPDATE rasdb.retention_runs SET time_zone = $2, writers_time_zone = $3 WHERE id = $1`, [runId, zones.timeZone, zones.writersTimeZone]);
}
