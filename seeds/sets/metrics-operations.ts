/** Operations metrics: integration runs, API calls, sync conflicts and integration health. */
import { NOW, type MetricSpec } from './metric-spec.js';

/** API calls of the last 7 days, per external system (every system appears). */
const CALLS_7_DAYS = `external_systems s
  LEFT JOIN api_call_logs a ON a.external_system_id = s.id AND a.called_at >= ${NOW} - interval '7 days'`;

export const OPERATIONS_METRICS: MetricSpec[] = [
  {
    name: 'integration_sync_success_rate',
    category: 'operations',
    display: 'Integration sync success rate',
    description:
      'Share of the sync operations started in the last 30 days that completed, of those that finished, per external system.',
    method:
      'Per external system: 100 x integration_operations of type sync with status completed / those completed or failed, started in the last 30 days.',
    sql: `SELECT s.system_name::text AS dimension,
       round(100.0 * count(o.id) FILTER (WHERE o.status = 'completed') / NULLIF(count(o.id), 0), 2) AS value,
       count(o.id) AS sample_size
  FROM external_systems s
  LEFT JOIN integration_operations o ON o.external_system_id = s.id AND o.operation_type = 'sync'
        AND o.status IN ('completed', 'failed') AND o.started_at >= ${NOW} - interval '30 days'
 GROUP BY s.system_name ORDER BY 1`,
    sources: ['external_systems', 'integration_operations'],
    aggregation: 'daily',
    unit: 'percent',
    chart: 'bar',
    kpi: true,
    audience: 'operational',
    target: 99,
    warning: 95,
    critical: 90,
  },
  {
    name: 'api_error_rate',
    category: 'operations',
    display: 'API error rate (7 days)',
    description:
      'Share of the API calls of the last 7 days that got an HTTP status of 400 or more, or no response, per external system.',
    method:
      'Per external system: 100 x api_call_logs with response_status >= 400 or NULL / all its calls, called_at in the last 7 days.',
    sql: `SELECT s.system_name::text AS dimension,
       round(100.0 * count(a.id) FILTER (WHERE a.response_status IS NULL OR a.response_status >= 400) / NULLIF(count(a.id), 0), 2) AS value,
       count(a.id) AS sample_size
  FROM ${CALLS_7_DAYS}
 GROUP BY s.system_name ORDER BY 1`,
    sources: ['external_systems', 'api_call_logs'],
    aggregation: 'hourly',
    unit: 'percent',
    chart: 'line',
    kpi: true,
    audience: 'technical',
    target: 1,
    warning: 5,
    critical: 10,
  },
  {
    name: 'api_p95_latency_ms',
    category: 'operations',
    display: 'API p95 latency (7 days)',
    description:
      '95th percentile of API response times over the last 7 days, per external system (continuous percentile).',
    method:
      'Per external system: percentile_cont(0.95) of api_call_logs.response_time_ms, called_at in the last 7 days.',
    sql: `SELECT s.system_name::text AS dimension,
       round(percentile_cont(0.95) WITHIN GROUP (ORDER BY a.response_time_ms)::numeric, 1) AS value,
       count(a.response_time_ms) AS sample_size
  FROM ${CALLS_7_DAYS}
 GROUP BY s.system_name ORDER BY 1`,
    sources: ['external_systems', 'api_call_logs'],
    aggregation: 'hourly',
    unit: 'milliseconds',
    chart: 'line',
    kpi: false,
    audience: 'technical',
    target: 1000,
    warning: 3000,
    critical: 10000,
  },
  {
    name: 'api_rate_limited_calls',
    category: 'operations',
    display: 'Rate-limited API calls (7 days)',
    description:
      "API calls of the last 7 days refused by the vendor's rate limit (the statuses in the system's rate_limit_config.limited_status: 429 for Tenable, 409 for Qualys).",
    method:
      'Per external system: count of api_call_logs whose response_status is in rate_limit_config.limited_status, called_at in the last 7 days.',
    sql: `SELECT s.system_name::text AS dimension,
       count(a.id) FILTER (WHERE COALESCE(s.rate_limit_config->'limited_status', '[]'::jsonb) @> to_jsonb(a.response_status))::numeric AS value,
       count(a.id) AS sample_size
  FROM ${CALLS_7_DAYS}
 GROUP BY s.system_name ORDER BY 1`,
    sources: ['external_systems', 'api_call_logs'],
    aggregation: 'hourly',
    unit: 'count',
    chart: 'bar',
    kpi: false,
    audience: 'technical',
  },
  {
    name: 'open_sync_conflicts',
    category: 'operations',
    display: 'Open sync conflicts',
    description: 'Sync conflicts waiting for a resolution, per entity type.',
    method: 'Count of sync_conflicts with resolution_status pending, per entity_type.',
    sql: `SELECT c.entity_type::text AS dimension, count(*)::numeric AS value, count(*) AS sample_size
  FROM sync_conflicts c WHERE c.resolution_status = 'pending'
 GROUP BY c.entity_type ORDER BY 1`,
    sources: ['sync_conflicts'],
    aggregation: 'hourly',
    unit: 'count',
    chart: 'table',
    kpi: false,
    audience: 'operational',
  },
  {
    name: 'integration_health_status',
    category: 'operations',
    display: 'Integration health',
    description:
      "Each external system's latest health check: 100 healthy, 50 degraded, 0 unhealthy, NULL never checked.",
    method: 'Per external system: the status of its most recent integration_health row, scored 100 / 50 / 0.',
    sql: `SELECT s.system_name::text AS dimension,
       (CASE h.status WHEN 'healthy' THEN 100 WHEN 'degraded' THEN 50 WHEN 'unhealthy' THEN 0 END)::numeric AS value,
       (h.status IS NOT NULL)::int::bigint AS sample_size
  FROM external_systems s
  LEFT JOIN LATERAL (SELECT status FROM integration_health WHERE external_system_id = s.id ORDER BY checked_at DESC LIMIT 1) h ON true
 ORDER BY 1`,
    sources: ['external_systems', 'integration_health'],
    aggregation: 'real_time',
    unit: 'percent',
    chart: 'gauge',
    kpi: false,
    audience: 'operational',
  },
];
