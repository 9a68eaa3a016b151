/**
 * The `metrics` set: metric definitions in metrics_definitions, keyed by metric_name. The seed owns
 * everything that says what a metric is and how it is computed; target and thresholds are written
 * once and then belong to the operator, who tunes them to the organization's appetite.
 * A metric whose data sources are not migrated yet (security events before phase 4) waits.
 */
import { defineTable, type BuiltSet } from '../../src/seed/types.js';
import type { MetricSpec } from './metric-spec.js';
import { COMPLIANCE_METRICS } from './metrics-compliance.js';
import { OPERATIONS_METRICS } from './metrics-operations.js';
import { SECURITY_METRICS } from './metrics-security.js';

export const METRICS: readonly MetricSpec[] = [...SECURITY_METRICS, ...COMPLIANCE_METRICS, ...OPERATIONS_METRICS];

/** The names reports and dashboards may refer to. */
export const METRIC_NAMES: ReadonlySet<string> = new Set(METRICS.map((metric) => metric.name));

/**
 * @example
 * metricsSet().tables[0].rows.length // 21
 */
export function metricsSet(): BuiltSet {
  return {
    tables: [
      defineTable({
        table: 'metrics_definitions',
        key: ['metric_name'],
        owned: [
          'metric_category',
          'display_name',
          'description',
          'calculation_method',
          'sql_query',
          'data_sources',
          'aggregation_level',
          'unit_of_measure',
          'chart_type',
          'is_kpi',
          'audience',
        ],
        initial: ['target_value', 'threshold_warning', 'threshold_critical'],
        stamp: 'updated_at',
        rows: METRICS.map((m) => ({
          key: m.name,
          requires: m.sources,
          values: {
            metric_name: m.name,
            metric_category: m.category,
            display_name: m.display,
            description: m.description,
            calculation_method: m.method,
            sql_query: m.sql,
            data_sources: m.sources,
            aggregation_level: m.aggregation,
            unit_of_measure: m.unit,
            chart_type: m.chart,
            is_kpi: m.kpi,
            audience: m.audience,
            target_value: m.target ?? null,
            threshold_warning: m.warning ?? null,
            threshold_critical: m.critical ?? null,
          },
        })),
      }),
    ],
  };
}
