import type pg from 'pg';
import { resolveDataZone } from './time-zone.js';

/** A reading of a clock without a zone, as retention keeps its times: `2026-03-01 00:00:00.5`. */
const READING = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?$/;

type Json = unknown;

/**
 * Retention works in readings of the data's zone (TIMESTAMP without time zone, as the writers
 * wrote it). A `--json` document gives every such time as the instant it names, ISO 8601 in UTC
 * (`2026-03-01T06:00:00Z` for 00:00 in America/Chicago): a reading converts with the zone of the
 * nearest object around it that has a `timeZone` field (a past run's own zone), else with `zone`
 * (the data's zone; looked up when not given). The server converts, as it does every other time,
 * in one query. A reading whose zone cannot be told is left as it is; retention refuses to run then.
 *
 * @example
 * await withInstants(client, { asOf: '2026-03-01 00:00:00' }, 'America/Chicago') // { asOf: '2026-03-01T06:00:00Z' }
 */
export async function withInstants<T extends Record<string, unknown>>(
  client: pg.Client,
  document: T,
  zone?: string | null,
): Promise<T> {
  const dataZone = zone === undefined ? await knownZone(client) : zone;
  const found = new Map<string, { value: string; zone: string }>();
  const key = (value: string, z: string): string => `${z}\u0000${value}`;
  walk(document, dataZone, (value, z) => found.set(key(value, z), { value, zone: z }));
  if (found.size === 0) return document;
  const pairs = [...found.values()];
  const { rows } = await client.query<{ v: string; z: string; t: string }>(
    `SELECT v, z, rtrim(rtrim(to_char((v::timestamp AT TIME ZONE z) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'), '0'), '.') || 'Z' AS t
       FROM unnest($1::text[], $2::text[]) AS u(v, z)`,
    [pairs.map((p) => p.value), pairs.map((p) => p.zone)],
  );
  const instants = new Map(rows.map((r) => [key(r.v, r.z), r.t]));
  return rebuild(document, dataZone, (value, z) => instants.get(key(value, z)) ?? value) as T;
}

async function knownZone(client: pg.Client): Promise<string | null> {
  try {
    return (await resolveDataZone(client, { allowChange: true })).timeZone;
  } catch {
    return null;
  }
}

function zoneOf(value: Record<string, Json>, around: string | null): string | null {
  return typeof value.timeZone === 'string' && value.timeZone ? value.timeZone : around;
}

function walk(value: Json, zone: string | null, seen: (reading: string, zone: string) => void): void {
  if (typeof value === 'string') {
    if (zone && READING.test(value)) seen(value, zone);
  } else if (Array.isArray(value)) {
    for (const item of value) walk(item, zone, seen);
  } else if (value && typeof value === 'object') {
    const z = zoneOf(value as Record<string, Json>, zone);
    for (const item of Object.values(value)) walk(item, z, seen);
  }
}

function rebuild(value: Json, zone: string | null, convert: (reading: string, zone: string) => string): Json {
  if (typeof value === 'string') return zone && READING.test(value) ? convert(value, zone) : value;
  if (Array.isArray(value)) return value.map((item) => rebuild(item, zone, convert));
  if (value && typeof value === 'object') {
    const z = zoneOf(value as Record<string, Json>, zone);
    return Object.fromEntries(Object.entries(value).map(([k, item]) => [k, rebuild(item, z, convert)]));
  }
  return value;
}
