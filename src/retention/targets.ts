import type { DeleteTarget } from './batch-delete.js';
import type { EffectivePolicy } from './policies.js';
import type { SummaryDefinition } from './summaries.js';

/**
 * What keeps an integration operation: the three foreign keys of the design document that point
 * at integration_operations.operation_id. Prune deletes an operation only when none of them does.
 */
const OPERATION_REFERENCES = [
  { reason: 'referenced_by_api_call_logs', table: 'api_call_logs', column: 'operation_id' },
  { reason: 'referenced_by_sync_conflicts', table: 'sync_conflicts', column: 'operation_id' },
  { reason: 'referenced_by_child_operation', table: 'integration_operations', column: 'parent_operation_id' },
] as const;

/**
 * The detail table of a policy, as prune deletes from it.
 *
 * @example
 * detailTarget(ops).references.length // 3
 */
export function detailTarget(policy: EffectivePolicy): DeleteTarget {
  const referenced = policy.table === 'integration_operations';
  return {
    policy: policy.name,
    table: policy.table,
    timeColumn: policy.timeColumn,
    idColumn: 'id',
    key: referenced ? 'operation_id' : undefined,
    references: referenced ? OPERATION_REFERENCES : [],
  };
}

/**
 * A summary table, pruned by its bucket column; it has no id and nothing references it.
 *
 * @example
 * summaryTarget(summaryNamed('api_call_daily_summary')).timeColumn // 'day'
 */
export function summaryTarget(summary: SummaryDefinition): DeleteTarget {
  return { policy: summary.policy, table: summary.name, timeColumn: summary.bucketColumn, idColumn: null, references: [] };
}
