import { usageError, ExitCode, RasdbError } from '../errors.js';

/** A log table rasdb can partition by its time column. */
export interface PartitionableTable {
  readonly table: string;
  readonly timeColumn: string;
  /** Why it fits: append-only by time, nothing references it, retention or volume calls for it. */
  readonly why: string;
}

/**
 * The document's high-volume, append-only logs. data_access_logs is added: every access to
 * classified data, append-only by accessed_at, nothing references it, and it grows with use like
 * the API calls. metrics_values and ml_predictions are left out: they are written per metric or
 * model run, not per event, and are read by key more than by time.
 */
export const PARTITIONABLE: readonly PartitionableTable[] = [
  { table: 'api_call_logs', timeColumn: 'called_at', why: 'every API call; 90 days; the largest log' },
  { table: 'performance_metrics', timeColumn: 'recorded_at', why: 'every measurement; summarized hourly and daily' },
  { table: 'security_events_extended', timeColumn: 'occurred_at', why: 'security events; kept 7 years' },
  { table: 'data_access_logs', timeColumn: 'accessed_at', why: 'every access to classified data; append-only' },
];

/** Tables asked for that must stay one table, and why. */
const REFUSED: ReadonlyMap<string, string> = new Map([
  [
    'integration_operations',
    'integration_operations stays unpartitioned: partitioning it forces UNIQUE (operation_id, started_at), which breaks the three single-column foreign keys that point at it (api_call_logs.operation_id, sync_conflicts.operation_id, integration_operations.parent_operation_id)',
  ],
]);

/**
 * The partitionable table named `name`; exit 4 for a table that must stay whole (with the reason),
 * exit 2 for a name rasdb does not partition.
 *
 * @example
 * partitionable('api_call_logs').timeColumn // 'called_at'
 */
export function partitionable(name: string): PartitionableTable {
  const found = PARTITIONABLE.find((t) => t.table === name);
  if (found) return found;
  // A Map: a plain object would answer "constructor" or "__proto__" with what every object has.
  const refused = REFUSED.get(name);
  if (refused) throw new RasdbError(ExitCode.check, refused, { table: name });
  throw usageError(
    `rasdb does not partition ${JSON.stringify(name)}; it partitions ${PARTITIONABLE.map((t) => t.table).join(', ')}`,
  );
}
