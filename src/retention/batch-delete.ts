import { sql, type RawBuilder } from 'kysely';
import type { BatchSizer } from './batch-size.js';
import { lockedHolds, type Hold } from '../ledger/retention-holds.js';
import { holdCondition } from './holds.js';
import type { RunContext } from './run-context.js';
import { addToStep } from '../ledger/retention-runs.js';
import { utcTextOf } from '../db/time-text-sql.js';
import { retryingTransaction } from '../db/transaction.js';
import { readReferences } from '../catalog/references.js';
import { referencesOf } from './targets.js';

/**
 * A foreign key of `schema.table` whose `columns` point at the target's `keyColumns`: a row so
 * referenced stays. Names come from the catalog and are quoted by Kysely.
 */
export interface Reference {
  readonly reason: string;
  readonly schema: string;
  readonly table: string;
  readonly columns: readonly string[];
  readonly keyColumns: readonly string[];
  /** ON DELETE CASCADE, SET NULL or SET DEFAULT: a delete would change the referencing rows. */
  readonly cascades: boolean;
}

/** A table to delete from. Names come from the fixed policy tables and the catalog, never from input. */
export interface DeleteTarget {
  readonly policy: string;
  readonly table: string;
  readonly timeColumn: string;
  /** The column id holds name; null for tables without one (summaries). */
  readonly idColumn: string | null;
  /** Every foreign key that points at the table (see `referencesOf`). */
  readonly references: readonly Reference[];
  /**
   * Detail tables with summaries: the highest id every summary has looked at for late rows.
   * Rows above it wait for the next summarize (see `unexamined`).
   */
  readonly examinedUpTo?: number;
}

export interface BatchDeleteResult {
  deleted: number;
  batches: number;
  /** Rows kept by a reference or hold, by reason, as the batches saw them (tables with references only). */
  heldBack: Record<string, number>;
  stoppedEarly: boolean;
  slowestBatchMs: number;
  /** Wall time of each batch, in order (for percentiles in reports and benchmarks). */
  batchMs: number[];
}

/**
 * Every statement of a batch is best served by the time index (a window of n rows); stale
 * statistics after a bulk load can make the planner scan and sort the table instead. The costs
 * that makes for a scan that cannot be avoided (a referencing table without an index, in our
 * reference check or PostgreSQL's own check of the key for each deleted row) would pass the JIT
 * thresholds, and a JIT compile for every row checked costs far more than the check.
 */
const TIME_INDEX_ONLY = ['enable_seqscan = off', 'enable_sort = off', 'jit = off'];

interface BatchOutcome {
  deleted: number;
  examined: number;
  held: Record<string, number>;
  next: string | null;
}

/**
 * Deletes the rows of `target` older than `cutoff` (UTC), oldest first, one committed batch at a
 * time. Each batch is a window of the time column: a probe through the time index finds the time
 * of the n-th row from the lower bound, the batch deletes the window below it, and the next batch
 * starts where this one ended, so no batch rescans what earlier ones deleted. Rows sharing one
 * timestamp beyond a whole batch are taken n at a time by ctid. Every batch re-reads the active
 * holds under a lock that makes a new hold wait for it, and records its count in the run's step
 * in the same transaction, and the foreign keys onto the table as the catalog has them then. Stops
 * between batches when the run's time is up.
 *
 * @example
 * const result = await deleteInBatches(ctx, apiLogsTarget, '2025-10-03 00:00:00', new BatchSizer());
 */
export async function deleteInBatches(
  ctx: RunContext,
  target: DeleteTarget,
  cutoff: string,
  sizer: BatchSizer,
  onBatch: (deletedSoFar: number) => void = () => undefined,
): Promise<BatchDeleteResult> {
  const result: BatchDeleteResult = {
    deleted: 0,
    batches: 0,
    heldBack: {},
    stoppedEarly: false,
    slowestBatchMs: 0,
    batchMs: [],
  };
  let lower = await nextTime(ctx, target, null, cutoff);
  while (lower !== null) {
    if (ctx.timeUp()) {
      result.stoppedEarly = true;
      break;
    }
    const from = lower;
    const rows = sizer.next();
    const started = performance.now();
    const batch = await retryingTransaction(
      ctx.client,
      async () => {
        const current = await currentReferences(ctx, target);
        await lockCascading(ctx, current);
        const holds = await lockedHolds(ctx.client, target.table);
        const outcome = await deleteBatch(ctx, current, holds, from, cutoff, rows);
        await addToStep(ctx.client, ctx.runId as number, target.table, 'prune', {
          deleted: outcome.deleted,
          batches: 1,
          durationMs: performance.now() - started,
        });
        return outcome;
      },
      TIME_INDEX_ONLY,
    );
    const elapsed = performance.now() - started;
    sizer.record(batch.examined, elapsed);
    result.deleted += batch.deleted;
    result.batches += 1;
    result.slowestBatchMs = Math.max(result.slowestBatchMs, elapsed);
    result.batchMs.push(elapsed);
    for (const [reason, n] of Object.entries(batch.held)) result.heldBack[reason] = (result.heldBack[reason] ?? 0) + n;
    onBatch(result.deleted);
    lower = batch.next;
  }
  return result;
}

async function deleteBatch(
  ctx: RunContext,
  target: DeleteTarget,
  holds: Hold[],
  from: string,
  cutoff: string,
  rows: number,
): Promise<BatchOutcome> {
  const t = sql.table(target.table);
  const time = sql.ref(`s.${target.timeColumn}`);
  // The n rows skipped by OFFSET are not formatted (to_char would cost more than the index walk).
  const probe = await sql<{ t: string; last: boolean }>`
    SELECT ${utcTextOf(sql.ref('p.t'))} AS t, p.t >= ${cutoff}::timestamp AS last
      FROM (SELECT ${time} AS t FROM ${t} AS s WHERE ${time} >= ${from}::timestamp ORDER BY ${time} OFFSET ${rows} LIMIT 1) AS p`.execute(
    ctx.db,
  );
  const upper = probe.rows[0] && !probe.rows[0].last ? probe.rows[0].t : null;
  if (upper === from) return deleteTies(ctx, target, holds, from, cutoff, rows);
  const window = sql`${time} >= ${from}::timestamp AND ${time} < ${upper ?? cutoff}::timestamp`;
  const reason = reasonOf(target, holds);
  if (!reason) {
    const keep = plainKeep(target, holds);
    const deleted = await sql`DELETE FROM ${t} AS s WHERE ${window}${keep ? sql` AND NOT ${keep}` : sql``}`.execute(
      ctx.db,
    );
    const n = Number(deleted.numAffectedRows ?? 0);
    return { deleted: n, examined: n, held: {}, next: upper };
  }
  const {
    rows: [counts],
  } = await sql<{ deleted: number; examined: number; held: Record<string, number> }>`
    WITH win AS MATERIALIZED (SELECT s.tableoid AS toid, s.ctid AS tid, ${reason} AS reason FROM ${t} AS s WHERE ${window}),
    gone AS (DELETE FROM ${t} AS d WHERE d.ctid = ANY(ARRAY(SELECT tid FROM win WHERE reason IS NULL))
                AND (d.tableoid, d.ctid) = ANY(ARRAY(SELECT (toid, tid) FROM win WHERE reason IS NULL))
                AND ${inWindow(target, 'd', from, upper ?? cutoff)} RETURNING 1)
    SELECT (SELECT count(*) FROM gone)::int AS deleted, (SELECT count(*) FROM win)::int AS examined,
           coalesce((SELECT json_object_agg(reason, n) FROM (SELECT reason, count(*)::int AS n FROM win WHERE reason IS NOT NULL GROUP BY reason) r), '{}') AS held`.execute(
    ctx.db,
  );
  return { ...counts, next: upper };
}

/** More rows share the time `at` than one batch takes: delete them n at a time, then move past `at`. */
async function deleteTies(
  ctx: RunContext,
  target: DeleteTarget,
  holds: Hold[],
  at: string,
  cutoff: string,
  rows: number,
): Promise<BatchOutcome> {
  const t = sql.table(target.table);
  const time = sql.ref(`s.${target.timeColumn}`);
  const keep = plainKeep(target, holds);
  const reason = reasonOf(target, holds) ?? (keep ? sql`(CASE WHEN ${keep} THEN 'kept' END)` : sql`NULL::text`);
  const deleted = await sql`
    DELETE FROM ${t} AS d WHERE d.ctid = ANY(ARRAY(SELECT s.ctid FROM ${t} AS s WHERE ${time} = ${at}::timestamp AND ${reason} IS NULL LIMIT ${rows}))
       AND ${sql.ref(`d.${target.timeColumn}`)} = ${at}::timestamp`.execute(ctx.db);
  const n = Number(deleted.numAffectedRows ?? 0);
  if (n === rows) return { deleted: n, examined: n, held: {}, next: at };
  const { rows: held } = await sql<{ reason: string; n: number }>`
    SELECT reason, count(*)::int AS n FROM (SELECT ${reason} AS reason FROM ${t} AS s WHERE ${time} = ${at}::timestamp) r
     WHERE reason IS NOT NULL GROUP BY reason`.execute(ctx.db);
  return {
    deleted: n,
    examined: n,
    held: Object.fromEntries(held.map((h) => [h.reason, h.n])),
    next: await nextTime(ctx, target, at, cutoff),
  };
}

/**
 * The batch's window again, on the row the DELETE itself visits: a row address (ctid) names a row
 * only within one partition, so on a partitioned table the same ctid is a row in every partition.
 * The DELETE matches the partition (tableoid) with the address, and keeps to the batch's window.
 */
function inWindow(target: DeleteTarget, alias: string, from: string, upper: string): RawBuilder<boolean> {
  const time = sql.ref(`${alias}.${target.timeColumn}`);
  return sql<boolean>`${time} >= ${from}::timestamp AND ${time} < ${upper}::timestamp`;
}

/** The earliest time after `after` (or at all) below `cutoff`, through the time index. */
async function nextTime(
  ctx: RunContext,
  target: DeleteTarget,
  after: string | null,
  cutoff: string,
): Promise<string | null> {
  const time = sql.ref(`s.${target.timeColumn}`);
  const floor = after === null ? sql`true` : sql`${time} > ${after}::timestamp`;
  const { rows } = await sql<{ t: string | null }>`
    SELECT ${utcTextOf(sql`min(${time})`)} AS t FROM ${sql.table(target.table)} AS s WHERE ${floor} AND ${time} < ${cutoff}::timestamp`.execute(
    ctx.db,
  );
  return rows[0]?.t ?? null;
}

/**
 * The target with the foreign keys the catalog has now. Taken after the lock the DELETE takes
 * anyway (ROW EXCLUSIVE): a key added since the run started is seen, and one being added waits
 * for this batch (ADD FOREIGN KEY locks the referenced table against writers).
 */
async function currentReferences(ctx: RunContext, target: DeleteTarget): Promise<DeleteTarget> {
  await sql`LOCK TABLE ${sql.table(target.table)} IN ROW EXCLUSIVE MODE`.execute(ctx.db);
  const catalog = await readReferences(ctx.client, [target.table]);
  return { ...target, references: referencesOf(catalog.get(target.table) ?? []) };
}

/**
 * A key whose ON DELETE changes the referencing rows would change them for a row that got a
 * reference after the batch looked: such tables take no new rows until the batch commits (SHARE
 * lets readers through, waits for writers in flight, and the batch then sees what they wrote).
 */
async function lockCascading(ctx: RunContext, target: DeleteTarget): Promise<void> {
  const tables = new Map(target.references.filter((r) => r.cascades).map((r) => [`${r.schema}\u0000${r.table}`, r]));
  if (!tables.size) return;
  const names = [...tables.values()].map((r) => sql.id(r.schema, r.table));
  await sql`LOCK TABLE ${sql.join(names)} IN SHARE MODE`.execute(ctx.db);
}

/**
 * The condition that row `s` of the target is referenced through `reference` by a row `r`, with
 * every column of a composite key matched.
 *
 * @example
 * referencedThrough(ref) // sql`EXISTS (SELECT 1 FROM "ops"."tickets" AS r WHERE "r"."op" = "s"."operation_id")`
 */
export function referencedThrough(reference: Reference, extra?: RawBuilder<boolean> | null): RawBuilder<boolean> {
  const matches = reference.columns.map(
    (column, i) => sql`${sql.id('r', column)} = ${sql.id('s', reference.keyColumns[i])}`,
  );
  const survivor = extra ? sql` AND NOT (${extra})` : sql``;
  return sql<boolean>`EXISTS (SELECT 1 FROM ${sql.id(reference.schema, reference.table)} AS r WHERE ${sql.join(matches, sql` AND `)}${survivor})`;
}

/**
 * Why a row `s` of a referenced table must stay (the first reason that applies), or NULL when it
 * may go; null (no expression) for tables nothing references, where a hold is the only reason.
 * `alsoGoing` narrows a reference to the referencing rows `r` that stay (for a dry run, which
 * deletes nothing but must not count references from rows the same run would delete).
 *
 * @example
 * sql`SELECT ${reasonOf(detailTarget(ops), holds)} AS reason FROM integration_operations AS s` // 'legal_hold', 'referenced_by_…' or NULL
 */
export function reasonOf(
  target: DeleteTarget,
  holds: readonly Hold[],
  alsoGoing: (reference: Reference) => RawBuilder<boolean> | null = () => null,
): RawBuilder<string | null> | null {
  if (target.references.length === 0) return null;
  const held = holdCondition(holds, 's', target.timeColumn, target.idColumn);
  const unseen = unexamined(target);
  const branches = [
    ...(held ? [sql`WHEN ${held} THEN 'legal_hold'`] : []),
    ...(unseen ? [sql`WHEN ${unseen} THEN 'not_yet_summarized'`] : []),
    ...target.references.map((r) => sql`WHEN ${referencedThrough(r, alsoGoing(r))} THEN ${r.reason}::text`),
  ];
  return sql<string | null>`(CASE ${sql.join(branches, sql` `)} END)`;
}

/**
 * Rows of `s` that arrived after the last summarize looked for late rows. A late row (an old
 * timestamp, a new id) is recomputed into its bucket's summary by the next summarize while the
 * bucket is whole; prune leaves it until then instead of deleting it unsummarized.
 *
 * @example
 * unexamined({ ...detailTarget(api), examinedUpTo: 5000 }) // sql`"s"."id" > 5000`
 */
export function unexamined(target: DeleteTarget, alias = 's'): RawBuilder<boolean> | null {
  if (target.examinedUpTo === undefined || !target.idColumn) return null;
  return sql<boolean>`${sql.ref(`${alias}.${target.idColumn}`)} > ${target.examinedUpTo}`;
}

/** What keeps a row of a table that nothing references: a hold, or not being examined yet. */
function plainKeep(target: DeleteTarget, holds: readonly Hold[]): RawBuilder<boolean> | null {
  const parts = [holdCondition(holds, 's', target.timeColumn, target.idColumn), unexamined(target)].filter(
    (p) => p !== null,
  );
  return parts.length ? sql<boolean>`(${sql.join(parts, sql` OR `)})` : null;
}
