/**
 * How a metric is written down here. Every `sql` returns the same documented shape, one row per
 * dimension:
 *
 *   dimension   text     what the row measures ('all' for a single figure; a severity, a system name,
 *                        a framework/baseline pair...)
 *   value       numeric  the figure; NULL when there is nothing to measure (a rate over no calls)
 *   sample_size bigint   how many records the value was computed from
 *
 * Times are UTC: the design document's columns are TIMESTAMP without time zone and hold UTC, so
 * "now" is `now() AT TIME ZONE 'UTC'`, whatever the session's time zone.
 */
export const NOW = `(now() AT TIME ZONE 'UTC')`;
export const TODAY = `(now() AT TIME ZONE 'UTC')::date`;

export interface MetricSpec {
  name: string;
  category: 'security' | 'compliance' | 'operations' | 'business';
  display: string;
  description: string;
  /** In words: what is counted or averaged, over which rows and which window. */
  method: string;
  sql: string;
  /** The tables the query reads; the metric waits until all of them are migrated. */
  sources: string[];
  aggregation: 'real_time' | 'hourly' | 'daily' | 'weekly' | 'monthly';
  unit: 'count' | 'percent' | 'days' | 'hours' | 'milliseconds';
  chart: 'kpi' | 'bar' | 'line' | 'gauge' | 'table' | 'pie';
  kpi: boolean;
  audience: 'executive' | 'operational' | 'technical';
  target?: number;
  warning?: number;
  critical?: number;
}

/** Severities as ingestion_vulnerabilities stores them, as a VALUES list to LEFT JOIN from. */
export const SEVERITIES = `(VALUES (4, 'critical'), (3, 'high'), (2, 'medium'), (1, 'low'), (0, 'info')) AS s(severity, name)`;
export const ACTIONABLE_SEVERITIES = `(VALUES (4, 'critical'), (3, 'high'), (2, 'medium'), (1, 'low')) AS s(severity, name)`;
/** Severities as security_events_extended stores them (text), ranked for ordering. */
export const EVENT_SEVERITIES = `(VALUES (1, 'critical'), (2, 'high'), (3, 'medium'), (4, 'low')) AS s(rank, name)`;
