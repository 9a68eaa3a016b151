import type pg from 'pg';
import { actor } from './actor.js';

export type PartitionInterval = 'day' | 'week' | 'month';
export type PartitionState = 'adopting' | 'partitioned';

/** A table rasdb partitions, as the ledger has it. */
export interface PartitionTableRecord {
  table: string;
  timeColumn: string;
  interval: PartitionInterval;
  premake: number;
  /** C: rows before it stay in the adopted heap; null until the bound is chosen. */
  bound: string | null;
  state: PartitionState;
}

/** One step of `partition enable`/`maintain` or one partition prune dropped. */
export interface PartitionStepRecord {
  table: string;
  step: string;
  outcome: 'done' | 'failed' | 'retried';
  detail?: Record<string, unknown>;
  durationMs?: number;
  runId?: number | null;
}

const TIME = `'YYYY-MM-DD HH24:MI:SS'`;

/**
 * Every partitioned (or being partitioned) table the ledger knows; an empty list before the
 * ledger has the partition tables.
 *
 * @example
 * (await readPartitionTables(client))[0] // { table: 'api_call_logs', interval: 'month', ... }
 */
export async function readPartitionTables(client: pg.Client): Promise<PartitionTableRecord[]> {
  const { rows: present } = await client.query(`SELECT to_regclass('rasdb.partition_tables') IS NOT NULL AS ok`);
  if (!present[0].ok) return [];
  const { rows } = await client.query(
    `SELECT table_name, time_column, interval_unit, premake, to_char(bound, ${TIME}) AS bound, state
       FROM rasdb.partition_tables ORDER BY table_name`,
  );
  return rows.map((r) => ({
    table: r.table_name,
    timeColumn: r.time_column,
    interval: r.interval_unit,
    premake: Number(r.premake),
    bound: r.bound,
    state: r.state,
  }));
}

/**
 * Records (or updates) a table's partitioning: its interval, premake, bound and state.
 *
 * @example
 * await savePartitionTable(client, { table: 'api_call_logs', timeColumn: 'called_at', interval: 'month', premake: 4, bound: '2027-01-01 00:00:00', state: 'adopting' });
 */
export async function savePartitionTable(client: pg.Client, record: PartitionTableRecord): Promise<void> {
  await client.query(
    `INSERT INTO rasdb.partition_tables (table_name, time_column, interval_unit, premake, bound, state)
     VALUES ($1, $2, $3, $4, $5::timestamp, $6)
     ON CONFLICT (table_name) DO UPDATE SET time_column = EXCLUDED.time_column, interval_unit = EXCLUDED.interval_unit,
       premake = EXCLUDED.premake, bound = EXCLUDED.bound, state = EXCLUDED.state, updated_at = now()`,
    [record.table, record.timeColumn, record.interval, record.premake, record.bound, record.state],
  );
}

/**
 * Forgets the partitioning of tables a rollback drops (a partitioned table goes whole, with its
 * partitions); their history stays.
 *
 * @example
 * await forgetPartitionTables(client, ['api_call_logs']);
 */
export async function forgetPartitionTables(client: pg.Client, tables: readonly string[]): Promise<void> {
  if (!tables.length) return;
  const { rows } = await client.query(`SELECT to_regclass('rasdb.partition_tables') IS NOT NULL AS ok`);
  if (!rows[0].ok) return;
  await client.query(`DELETE FROM rasdb.partition_tables WHERE table_name = ANY($1::text[])`, [tables]);
}

/**
 * Appends one step to the partition history, with who ran it.
 *
 * @example
 * await recordPartitionStep(client, { table: 'api_call_logs', step: 'swap', outcome: 'done', durationMs: 31 });
 */
export async function recordPartitionStep(client: pg.Client, record: PartitionStepRecord): Promise<void> {
  await client.query(
    `INSERT INTO rasdb.partition_history (table_name, step, outcome, detail, duration_ms, run_id, actor)
     VALUES ($1, $2, $3, $4, $5, $6, current_user || ' (' || $7 || ')')`,
    [
      record.table,
      record.step,
      record.outcome,
      JSON.stringify(record.detail ?? {}),
      record.durationMs === undefined ? null : Math.round(record.durationMs),
      record.runId ?? null,
      actor(),
    ],
  );
}

/** A step as the history keeps it. */
export interface PartitionHistoryRow extends PartitionStepRecord {
  id: number;
  actor: string;
  recordedAt: string;
}

/**
 * The history of one table's partitioning (or of all), oldest first.
 *
 * @example
 * (await partitionHistory(client, 'api_call_logs')).map((h) => h.step) // ['unique-index', 'bound-check', 'validate', 'swap', 'premake']
 */
export async function partitionHistory(client: pg.Client, table?: string): Promise<PartitionHistoryRow[]> {
  const { rows: present } = await client.query(`SELECT to_regclass('rasdb.partition_history') IS NOT NULL AS ok`);
  if (!present[0].ok) return [];
  const { rows } = await client.query(
    `SELECT id, table_name, step, outcome, detail, duration_ms, run_id, actor,
            to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS recorded_at
       FROM rasdb.partition_history WHERE $1::text IS NULL OR table_name = $1 ORDER BY id`,
    [table ?? null],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    table: r.table_name,
    step: r.step,
    outcome: r.outcome,
    detail: r.detail,
    durationMs: r.duration_ms ?? undefined,
    runId: r.run_id,
    actor: r.actor,
    recordedAt: r.recorded_at,
  }));
}
