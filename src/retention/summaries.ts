import { sql, type RawBuilder } from 'kysely';
import type { DB } from '../../generated/db.js';
import type { PolicyName } from './policies.js';

export type BucketUnit = 'hour' | 'day' | 'month';

/** A computed column of a summary: its name in the summary table and its SQL over source rows `s`. */
export interface SummaryColumn {
  readonly column: string;
  readonly expression: RawBuilder<unknown>;
}

/**
 * How a measure takes in late rows added to a bucket whose raw rows prune has thinned (the bucket
 * cannot be recomputed): counts and sums add, extremes widen, a mean is weighted by the group's
 * count (exact when no value is null), and a percentile is kept (it cannot be combined).
 */
export type MergeRule = 'add' | 'least' | 'greatest' | 'weighted_mean' | 'keep';

export interface SummaryMeasure extends SummaryColumn {
  readonly merge: MergeRule;
}

/**
 * One summary table: which detail rows feed it, the bucket they fall in, the columns they are
 * grouped by and the aggregates kept per group. Every summary is recomputed from raw rows, a
 * whole bucket at a time; none is derived from another (percentiles do not add up).
 */
export interface SummaryDefinition {
  readonly name: string;
  readonly policy: PolicyName;
  readonly source: PolicyName;
  readonly sourceTime: string;
  readonly unit: BucketUnit;
  readonly bucketColumn: string;
  /** The bucket column is a DATE (day, month) rather than a TIMESTAMP (hour). */
  readonly bucketIsDate: boolean;
  readonly groups: readonly SummaryColumn[];
  readonly measures: readonly SummaryMeasure[];
  /** The measure that counts the source rows of a group: what "rows summarized" adds up. */
  readonly countColumn: string;
  /** The unique constraint over bucket and groups that the upsert lands on. */
  readonly key: string;
}

type SourceColumn<T extends keyof DB> = keyof DB[T] & string;
const col = <T extends keyof DB>(_table: T, name: SourceColumn<T>): RawBuilder<unknown> => sql.ref(`s.${name}`);
const group = <T extends keyof DB>(table: T, name: SourceColumn<T>): SummaryColumn => ({
  column: name,
  expression: col(table, name),
});
// Text is grouped under the "C" collation: the same groups (equality does not depend on it), but
// the sort before the aggregate compares bytes instead of calling the locale, several times faster.
const textGroup = <T extends keyof DB>(table: T, name: SourceColumn<T>): SummaryColumn => ({
  column: name,
  expression: sql`${col(table, name)} COLLATE "C"`,
});
const measure = (column: string, expression: RawBuilder<unknown>, merge: MergeRule): SummaryMeasure => ({
  column,
  expression,
  merge,
});

const computed = (column: string, expression: RawBuilder<unknown>): SummaryColumn => ({ column, expression });

const api = (name: SourceColumn<'api_call_logs'>) => col('api_call_logs', name);
const perf = (name: SourceColumn<'performance_metrics'>) => col('performance_metrics', name);
const ops = (name: SourceColumn<'integration_operations'>) => col('integration_operations', name);

const apiCallDaily: SummaryDefinition = {
  name: 'api_call_daily_summary',
  policy: 'api_call_logs',
  source: 'api_call_logs',
  sourceTime: 'called_at',
  unit: 'day',
  bucketColumn: 'day',
  bucketIsDate: true,
  groups: [
    group('api_call_logs', 'external_system_id'),
    textGroup('api_call_logs', 'method'),
    textGroup('api_call_logs', 'endpoint'),
    // 2xx..5xx by the HTTP status; 'none' when the call got no response at all.
    computed(
      'status_class',
      sql`(CASE WHEN ${api('response_status')} BETWEEN 100 AND 599 THEN (${api('response_status')} / 100)::text || 'xx' ELSE 'none' END) COLLATE "C"`,
    ),
  ],
  measures: [
    measure('calls', sql`count(*)`, 'add'),
    measure(
      'errors',
      sql`count(*) FILTER (WHERE ${api('response_status')} IS NULL OR ${api('response_status')} >= 400 OR ${api('error_message')} IS NOT NULL)`,
      'add',
    ),
    measure('avg_response_ms', sql`avg(${api('response_time_ms')})::double precision`, 'weighted_mean'),
    measure('p95_response_ms', sql`percentile_cont(0.95) WITHIN GROUP (ORDER BY ${api('response_time_ms')})`, 'keep'),
    measure('max_response_ms', sql`max(${api('response_time_ms')})`, 'greatest'),
  ],
  countColumn: 'calls',
  key: 'api_call_daily_summary_key',
};

function performanceRollup(name: string, unit: 'hour' | 'day'): SummaryDefinition {
  return {
    name,
    policy: 'performance_metrics',
    source: 'performance_metrics',
    sourceTime: 'recorded_at',
    unit,
    bucketColumn: unit,
    bucketIsDate: unit === 'day',
    groups: (['metric_type', 'component', 'operation', 'unit'] as const).map((c) =>
      textGroup('performance_metrics', c),
    ),
    measures: [
      measure('samples', sql`count(*)`, 'add'),
      measure('min_value', sql`min(${perf('value')})`, 'least'),
      measure('max_value', sql`max(${perf('value')})`, 'greatest'),
      measure('avg_value', sql`avg(${perf('value')})::double precision`, 'weighted_mean'),
      measure('p95_value', sql`percentile_cont(0.95) WITHIN GROUP (ORDER BY ${perf('value')})`, 'keep'),
    ],
    countColumn: 'samples',
    key: `${name}_key`,
  };
}

const operationsMonthly: SummaryDefinition = {
  name: 'integration_operations_monthly_summary',
  policy: 'integration_operations',
  source: 'integration_operations',
  sourceTime: 'started_at',
  unit: 'month',
  bucketColumn: 'month',
  bucketIsDate: true,
  groups: [
    group('integration_operations', 'external_system_id'),
    ...(['operation_type', 'entity_type', 'direction', 'status'] as const).map((c) =>
      textGroup('integration_operations', c),
    ),
  ],
  measures: [
    measure('operations', sql`count(*)`, 'add'),
    measure('retries', sql`coalesce(sum(${ops('retry_count')}), 0)`, 'add'),
    // Completed operations only: a running one has no duration yet.
    measure(
      'avg_duration_ms',
      sql`(avg(extract(epoch FROM ${ops('completed_at')} - ${ops('started_at')})) * 1000)::double precision`,
      'weighted_mean',
    ),
  ],
  countColumn: 'operations',
  key: 'integration_operations_monthly_summary_key',
};

/** Every summary table, in the order summarize visits them. */
export const SUMMARIES: readonly SummaryDefinition[] = [
  apiCallDaily,
  performanceRollup('performance_metrics_hourly', 'hour'),
  performanceRollup('performance_metrics_daily', 'day'),
  operationsMonthly,
];

/**
 * A summary by table name; an unknown name is a bug (names come from the policy table).
 *
 * @example
 * summaryNamed('api_call_daily_summary').unit // 'day'
 */
export function summaryNamed(name: string): SummaryDefinition {
  const found = SUMMARIES.find((s) => s.name === name);
  if (!found) throw new Error(`no summary named ${name}`);
  return found;
}

/**
 * The width of one bucket, as a PostgreSQL interval.
 *
 * @example
 * bucketWidth('hour') // '1 hour'
 */
export function bucketWidth(unit: BucketUnit): string {
  return `1 ${unit}`;
}
