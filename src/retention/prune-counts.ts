import { sql, type RawBuilder } from 'kysely';
import { reasonOf, unexamined, type DeleteTarget, type Reference } from './batch-delete.js';
import { listHolds, type Hold } from '../ledger/retention-holds.js';
import { holdCondition } from './holds.js';
import type { RunContext } from './run-context.js';

/** Counting queries of prune: what a dry run reports, and the rows a real run held back. */

async function count(ctx: RunContext, query: RawBuilder<unknown>): Promise<number> {
  const { rows } = await sql<{ n: string }>`SELECT count(*)::bigint AS n FROM (${query}) q`.execute(ctx.db);
  return Number(rows[0].n);
}

/**
 * Rows past the detail horizon that wait for their summary: those in [from, until), the range
 * the prune plan gives (`awaitingSummary`); a null `from` counts from the beginning.
 *
 * @example
 * await notYetSummarized(ctx, detailTarget(api), null, '2026-03-03 00:00:00') // every row before the horizon
 */
export async function notYetSummarized(
  ctx: RunContext,
  target: DeleteTarget,
  from: string | null,
  until: string,
): Promise<number> {
  const time = sql.ref(`s.${target.timeColumn}`);
  const floor = from === null ? sql`true` : sql`${time} >= ${from}::timestamp`;
  const table = sql.table(target.table);
  return count(ctx, sql`SELECT 1 FROM ${table} AS s WHERE ${floor} AND ${time} < ${until}::timestamp`);
}

/**
 * Rows older than the cutoff that an active hold keeps.
 *
 * @example
 * await underHold(ctx, detailTarget(api), '2026-03-03 00:00:00') // 0 without holds
 */
export async function underHold(
  ctx: RunContext,
  target: DeleteTarget,
  cutoff: string,
  holds?: Hold[],
): Promise<number> {
  const held = holdCondition(
    holds ?? (await listHolds(ctx.client, { table: target.table })),
    's',
    target.timeColumn,
    target.idColumn,
  );
  if (!held) return 0;
  const time = sql.ref(`s.${target.timeColumn}`);
  return count(
    ctx,
    sql`SELECT 1 FROM ${sql.table(target.table)} AS s WHERE ${time} < ${cutoff}::timestamp AND ${held}`,
  );
}

/**
 * Rows older than the cutoff that wait for the next summarize because they arrived after the
 * last one looked (rows a hold keeps anyway are counted as held).
 *
 * @example
 * await notExaminedYet(ctx, { ...detailTarget(api), examinedUpTo: 5000 }, '2026-03-03 00:00:00') // 1
 */
export async function notExaminedYet(
  ctx: RunContext,
  target: DeleteTarget,
  cutoff: string,
  holds?: Hold[],
): Promise<number> {
  const unseen = unexamined(target);
  if (!unseen) return 0;
  const held = holdCondition(
    holds ?? (await listHolds(ctx.client, { table: target.table })),
    's',
    target.timeColumn,
    target.idColumn,
  );
  const time = sql.ref(`s.${target.timeColumn}`);
  return count(
    ctx,
    sql`SELECT 1 FROM ${sql.table(target.table)} AS s WHERE ${time} < ${cutoff}::timestamp AND ${unseen}${held ? sql` AND NOT ${held}` : sql``}`,
  );
}

/**
 * For a dry run: rows a real run would delete, and those it would keep by reason. For a table
 * that others reference it follows the real run through: referencing rows that the same run
 * deletes (`goingAway`, for api_call_logs) do not keep a row, and a row stays when any
 * descendant through a one-column key of the table onto itself (`parent_operation_id`) stays, as
 * the repeated passes of a real run find.
 *
 * @example
 * await dryRunCounts(ctx, ops, '2025-06-01 00:00:00') // { eligible: 120, heldBack: { referenced_by_sync_conflicts: 3 } }
 */
export async function dryRunCounts(
  ctx: RunContext,
  target: DeleteTarget,
  cutoff: string,
  goingAway?: { table: string; condition: RawBuilder<boolean> },
): Promise<{ eligible: number; heldBack: Record<string, number> }> {
  const holds = await listHolds(ctx.client, { table: target.table });
  const t = sql.table(target.table);
  const time = sql.ref(`s.${target.timeColumn}`);
  if (target.references.length === 0) {
    const held = await underHold(ctx, target, cutoff, holds);
    const waiting = await notExaminedYet(ctx, target, cutoff, holds);
    const all = await count(ctx, sql`SELECT 1 FROM ${t} AS s WHERE ${time} < ${cutoff}::timestamp`);
    return { eligible: all - held - waiting, heldBack: { legal_hold: held, not_yet_summarized: waiting } };
  }
  const self = target.references.find((r) => isTreeKey(target, r));
  const direct = { ...target, references: target.references.filter((r) => r !== self) };
  const going = (r: Reference) => (r.schema === 'public' && r.table === goingAway?.table ? goingAway.condition : null);
  const reason = reasonOf(direct, holds, going) ?? sql`NULL::text`;
  const rows = self
    ? await treeCounts(ctx, target, self, reason, cutoff)
    : await reasonCounts(ctx, target, reason, cutoff);
  const heldBack: Record<string, number> = {};
  let eligible = 0;
  for (const row of rows) {
    if (row.reason === null) eligible = Number(row.n);
    else heldBack[row.reason] = Number(row.n);
  }
  return { eligible, heldBack };
}

/** A one-column key of the target onto itself: a tree, which prune empties from its leaves. */
function isTreeKey(target: DeleteTarget, reference: Reference): boolean {
  return reference.schema === 'public' && reference.table === target.table && reference.columns.length === 1;
}

async function reasonCounts(ctx: RunContext, target: DeleteTarget, reason: RawBuilder<unknown>, cutoff: string) {
  const time = sql.ref(`s.${target.timeColumn}`);
  const { rows } = await sql<{ reason: string | null; n: string }>`
    SELECT reason, count(*)::bigint AS n FROM (SELECT ${reason} AS reason FROM ${sql.table(target.table)} AS s WHERE ${time} < ${cutoff}::timestamp) c
     GROUP BY 1`.execute(ctx.db);
  return rows;
}

async function treeCounts(
  ctx: RunContext,
  target: DeleteTarget,
  self: Reference,
  reason: RawBuilder<unknown>,
  cutoff: string,
) {
  const t = sql.table(target.table);
  const time = sql.ref(`s.${target.timeColumn}`);
  const key = sql.id('s', self.keyColumns[0]);
  const parent = sql.id('s', self.columns[0]);
  const parentOfP = sql.id('p', self.columns[0]);
  const { rows } = await sql<{ reason: string | null; n: string }>`
    WITH RECURSIVE cand AS MATERIALIZED (SELECT ${key} AS key, ${reason} AS reason FROM ${t} AS s WHERE ${time} < ${cutoff}::timestamp),
    stays(key) AS (
      SELECT ${parent} FROM ${t} AS s
       WHERE ${parent} IS NOT NULL
         AND (${time} IS NULL OR ${time} >= ${cutoff}::timestamp OR ${key} IN (SELECT key FROM cand WHERE reason IS NOT NULL))
      UNION
      SELECT ${parentOfP} FROM ${t} AS p JOIN stays ON ${sql.id('p', self.keyColumns[0])} = stays.key WHERE ${parentOfP} IS NOT NULL
    )
    SELECT coalesce(reason, CASE WHEN key IN (SELECT key FROM stays) THEN ${self.reason}::text END) AS reason, count(*)::bigint AS n
      FROM cand GROUP BY 1`.execute(ctx.db);
  return rows;
}
