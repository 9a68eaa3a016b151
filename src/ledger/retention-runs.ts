import type pg from 'pg';
import { actor } from './actor.js';
import { utcText } from '../db/time-text.js';

export type RunKind = 'summarize' | 'prune' | 'policy';
export type RunOutcome = 'running' | 'succeeded' | 'stopped_early' | 'failed' | 'interrupted';
export type StepAction = 'summarize' | 'prune';

/** What one run did to one table: the auditor's unit of account. */
export interface StepRecord {
  policy: string;
  table: string;
  action: StepAction;
  cutoff: string | null;
  effectiveCutoff: string | null;
  rowsSummarized: number;
  rowsDeleted: number;
  rowsHeldBack: number;
  heldBack: Record<string, number>;
  batches: number;
  durationMs: number;
}

export interface RunRecord {
  id: number;
  kind: RunKind;
  policies: string[];
  /** A reading of the data's clock in `timeZone` (null for runs of a rasdb that did not record it). */
  asOf: string;
  timeZone: string | null;
  startedAt: string;
  finishedAt: string | null;
  outcome: RunOutcome;
  actor: string;
  message: string | null;
  steps: StepRecord[];
}

const UTC = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/**
 * Opens a run record (outcome `running`) and returns its id. A run that is killed keeps this
 * row; the next run, holding the retention lock, marks it `interrupted` (see markInterrupted).
 *
 * @example
 * const runId = await startRun(client, 'prune', ['api_call_logs'], '2026-01-01 00:00:00');
 */
export async function startRun(
  client: pg.Client,
  kind: RunKind,
  policies: readonly string[],
  asOf: string,
  details?: unknown,
  zones?: { timeZone: string; writersTimeZone: string | null },
): Promise<number> {
  // `zones`: the zone the run computes in and the one the server's settings give writers.
  const { rows } = await client.query(
    `INSERT INTO rasdb.retention_runs (kind, policies, as_of, actor, details, time_zone, writers_time_zone)
     VALUES ($1, $2, $3, current_user || ' (' || $4 || ')', $5, $6, $7) RETURNING id`,
    [
      kind,
      policies,
      asOf,
      actor(),
      details === undefined ? null : JSON.stringify(details),
      zones?.timeZone ?? null,
      zones?.writersTimeZone ?? null,
    ],
  );
  return Number(rows[0].id);
}

/**
 * Records a run's outcome and end time.
 *
 * @example
 * await finishRun(client, runId, 'stopped_early', 'stopped at --max-runtime');
 */
export async function finishRun(
  client: pg.Client,
  runId: number,
  outcome: Exclude<RunOutcome, 'running'>,
  message?: string,
): Promise<void> {
  await client.query(`UPDATE rasdb.retention_runs SET outcome = $2, finished_at = now(), message = $3 WHERE id = $1`, [
    runId,
    outcome,
    message ?? null,
  ]);
}

/**
 * Runs still `running` while we hold the retention lock were killed: say so in their record.
 * Their steps keep what they committed, batch by batch, so the record shows what they deleted.
 *
 * @example
 * await markInterrupted(client) // 1 after a kill -9
 */
export async function markInterrupted(client: pg.Client): Promise<number> {
  const { rowCount } = await client.query(
    `UPDATE rasdb.retention_runs
        SET outcome = 'interrupted',
            message = 'the process ended without recording an outcome (killed, or lost its connection); found by a later run'
      WHERE outcome = 'running'`,
  );
  return rowCount ?? 0;
}

/**
 * Creates or replaces a step's fixed facts (cutoffs); counters start at zero.
 *
 * @example
 * await openStep(client, runId, { policy: 'api_call_logs', table: 'api_call_logs', action: 'prune', cutoff, effectiveCutoff });
 */
export async function openStep(
  client: pg.Client,
  runId: number,
  step: Pick<StepRecord, 'policy' | 'table' | 'action' | 'cutoff' | 'effectiveCutoff'>,
): Promise<void> {
  await client.query(
    `INSERT INTO rasdb.retention_run_steps (run_id, policy, table_name, action, cutoff, effective_cutoff)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (run_id, table_name, action) DO UPDATE SET cutoff = excluded.cutoff, effective_cutoff = excluded.effective_cutoff`,
    [runId, step.policy, step.table, step.action, step.cutoff, step.effectiveCutoff],
  );
}

/**
 * Adds one batch's work to its step. Called inside the batch's transaction, so the record and
 * the rows it describes commit (or vanish) together.
 *
 * @example
 * await addToStep(client, runId, 'api_call_logs', 'prune', { deleted: 5000, batches: 1, durationMs: 41 });
 */
export async function addToStep(
  client: pg.Client,
  runId: number,
  table: string,
  action: StepAction,
  delta: { summarized?: number; deleted?: number; batches?: number; durationMs?: number },
): Promise<void> {
  await client.query(
    `UPDATE rasdb.retention_run_steps
        SET rows_summarized = rows_summarized + $4, rows_deleted = rows_deleted + $5, batches = batches + $6,
            duration_ms = duration_ms + $7, updated_at = now()
      WHERE run_id = $1 AND table_name = $2 AND action = $3`,
    [
      runId,
      table,
      action,
      delta.summarized ?? 0,
      delta.deleted ?? 0,
      delta.batches ?? 0,
      Math.round(delta.durationMs ?? 0),
    ],
  );
}

/**
 * Records the rows a prune step held back, by reason.
 *
 * @example
 * await setHeldBack(client, runId, 'integration_operations', { legal_hold: 2, referenced_by_sync_conflicts: 10 });
 */
export async function setHeldBack(
  client: pg.Client,
  runId: number,
  table: string,
  heldBack: Record<string, number>,
): Promise<void> {
  const total = Object.values(heldBack).reduce((sum, n) => sum + n, 0);
  await client.query(
    `UPDATE rasdb.retention_run_steps SET rows_held_back = $3, held_back = $4 WHERE run_id = $1 AND table_name = $2 AND action = 'prune'`,
    [runId, table, total, JSON.stringify(heldBack)],
  );
}

/**
 * The last `limit` runs, newest first, each with its steps.
 *
 * @example
 * const [last] = await recentRuns(client, 1); last.outcome // 'succeeded'
 */
export async function recentRuns(client: pg.Client, limit = 10): Promise<RunRecord[]> {
  const { rows } = await client.query(
    `SELECT r.id, r.kind, r.policies, ${utcText('r.as_of')} AS as_of, r.time_zone,
            to_char(r.started_at AT TIME ZONE 'UTC', ${UTC}) AS started_at, to_char(r.finished_at AT TIME ZONE 'UTC', ${UTC}) AS finished_at,
            r.outcome, r.actor, r.message,
            coalesce((SELECT json_agg(json_build_object(
                'policy', s.policy, 'table', s.table_name, 'action', s.action,
                'cutoff', ${utcText('s.cutoff')}, 'effectiveCutoff', ${utcText('s.effective_cutoff')},
                'rowsSummarized', s.rows_summarized, 'rowsDeleted', s.rows_deleted, 'rowsHeldBack', s.rows_held_back,
                'heldBack', s.held_back, 'batches', s.batches, 'durationMs', s.duration_ms) ORDER BY s.action DESC, s.table_name)
              FROM rasdb.retention_run_steps s WHERE s.run_id = r.id), '[]') AS steps
       FROM rasdb.retention_runs r ORDER BY r.id DESC LIMIT $1`,
    [limit],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    kind: r.kind,
    policies: r.policies,
    asOf: r.as_of,
    timeZone: r.time_zone,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    outcome: r.outcome,
    actor: r.actor,
    message: r.message,
    steps: (r.steps as StepRecord[]).map((s) => ({
      ...s,
      rowsSummarized: Number(s.rowsSummarized),
      rowsDeleted: Number(s.rowsDeleted),
      rowsHeldBack: Number(s.rowsHeldBack),
    })),
  }));
}
