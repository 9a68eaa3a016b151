import type { CatalogReference } from '../catalog/references.js';
import type { DeleteTarget, Reference } from './batch-delete.js';
import type { EffectivePolicy } from './policies.js';
import type { SummaryDefinition } from './summaries.js';

/** A child operation keeps its parent; prune deletes trees from their leaves (see needsAnotherPass). */
export const CHILD_REASON = 'referenced_by_child_operation';

/**
 * The reasons the design document's own foreign keys have always been reported by; any other
 * key is reported as `referenced_by_<schema>.<table>`.
 */
const KNOWN_REASONS: readonly { table: string; columns: string; reason: string }[] = [
  { table: 'public.api_call_logs', columns: 'operation_id', reason: 'referenced_by_api_call_logs' },
  { table: 'public.sync_conflicts', columns: 'operation_id', reason: 'referenced_by_sync_conflicts' },
  { table: 'public.integration_operations', columns: 'parent_operation_id', reason: CHILD_REASON },
];

/**
 * What keeps a row of a table: every foreign key the catalog has that points at it, named for
 * the held-back report. The document's keys come first, in their old order (a row referenced
 * twice is counted under the first reason), then the others by schema and table.
 *
 * @example
 * referencesOf([{ schema: 'ops', table: 'tickets', columns: ['op'], referencedColumns: ['operation_id'], ... }])
 * // [{ reason: 'referenced_by_ops.tickets', schema: 'ops', table: 'tickets', columns: ['op'], ... }]
 */
export function referencesOf(catalog: readonly CatalogReference[]): Reference[] {
  const named = catalog.map((ref) => {
    const known = KNOWN_REASONS.findIndex(
      (k) => k.table === `${ref.schema}.${ref.table}` && k.columns === ref.columns.join(','),
    );
    const reason = known >= 0 ? KNOWN_REASONS[known].reason : `referenced_by_${ref.schema}.${ref.table}`;
    const reference: Reference = {
      reason,
      schema: ref.schema,
      table: ref.table,
      columns: ref.columns,
      keyColumns: ref.referencedColumns,
      cascades: ref.onDelete !== 'no action' && ref.onDelete !== 'restrict',
    };
    return { reference, order: known >= 0 ? known : KNOWN_REASONS.length };
  });
  return named.sort((a, b) => a.order - b.order).map((n) => n.reference);
}

/**
 * The detail table of a policy, as prune deletes from it, with what the catalog says references it.
 *
 * @example
 * detailTarget(ops, refs.get('integration_operations') ?? []).references.length // 3 without an operator's own keys
 */
export function detailTarget(policy: EffectivePolicy, catalog: readonly CatalogReference[]): DeleteTarget {
  return {
    policy: policy.name,
    table: policy.table,
    timeColumn: policy.timeColumn,
    idColumn: 'id',
    references: referencesOf(catalog),
  };
}

/**
 * A summary table, pruned by its bucket column; it has no id. Nothing of rasdb's references it,
 * but an operator's table may.
 *
 * @example
 * summaryTarget(summaryNamed('api_call_daily_summary'), []).timeColumn // 'day'
 */
export function summaryTarget(summary: SummaryDefinition, catalog: readonly CatalogReference[]): DeleteTarget {
  return {
    policy: summary.policy,
    table: summary.name,
    timeColumn: summary.bucketColumn,
    idColumn: null,
    references: referencesOf(catalog),
  };
}
