/**
 * Synthetic monitoring activity: performance metrics, security events (grouped into incidents of
 * five by correlation_id) and integration health checks at a fixed interval per system. Same
 * rules as activity.ts: plain INSERT ... SELECT ... FROM generate_series, values a function of
 * (seed, index).
 */
import type { ActivityContext, ActivityStatement } from './activity.js';

/**
 * @example
 * monitoringStatements(context, user, asset).map((s) => s.table) // ['performance_metrics', 'security_events_extended', 'integration_health']
 */
export function monitoringStatements(
  context: ActivityContext,
  user: (index: string, stream: number) => string,
  asset: (index: string, stream: number) => string,
): ActivityStatement[] {
  const { rand, scale } = context;
  const when = (i: string, stream: number) => `(${rand.anchor} - make_interval(secs => ${rand.ageSeconds(i, stream)}))`;
  const checksPerSystem = Math.max(1, Math.round(1600 * scale));
  const checkEvery = 400 / checksPerSystem;
  return [
    {
      table: 'performance_metrics',
      count: Math.round(20_000 * scale),
      chunk: 100_000,
      build: (lo, hi) => `
INSERT INTO performance_metrics (metric_type, component, operation, value, unit, tags, recorded_at)
SELECT m.type, m.component, m.operation, round((${rand.logNormal('g.i', 3, 1, 0.7)} * m.median)::numeric, 4), 'ms',
       jsonb_build_object('host', 'ras-dash-' || (1 + g.i % 3), 'env', 'production'), ${when('g.i', 5)}
  FROM generate_series(${lo}, ${hi}) AS g(i)
 CROSS JOIN LATERAL (SELECT (ARRAY['api_response_time', 'database_query_time', 'integration_latency'])[k] AS type,
                            (ARRAY['api-gateway', 'postgresql', 'integration-worker'])[k] AS component,
                            (ARRAY[${rand.pick(['GET /api/vulnerabilities', 'GET /api/assets', 'GET /api/dashboards', 'POST /api/reports'], rand.u('g.i', 2))},
                                   ${rand.pick(['metrics.open_critical_high_findings', 'metrics.api_error_rate', 'reports.poam_export', 'ingest.vulnerabilities'], rand.u('g.i', 2))},
                                   ${rand.pick(['tenable.vulns_export', 'tenable.assets_export', 'qualys.detections', 'xacta.poam_exchange'], rand.u('g.i', 2))}])[k] AS operation,
                            (ARRAY[120, 15, 2500])[k] AS median
                       FROM (SELECT 1 + floor(${rand.u('g.i', 1)} * 3)::int AS k) AS pick) AS m`,
    },
    {
      table: 'security_events_extended',
      count: Math.round(5_000 * scale),
      chunk: 50_000,
      build: (lo, hi) => `
INSERT INTO security_events_extended (event_id, event_type, severity, source_system, user_id, asset_uuid, event_details, correlation_id, threat_indicators,
  response_actions, false_positive, investigated_by, investigation_notes, occurred_at, detected_at, resolved_at)
SELECT ${rand.uuid('event', 'g.i')}, e.type, e.severity,
       ${rand.pick(['ras-dash-auth', 'tenable', 'edr', 'waf', 'siem'], rand.u('g.i', 3))},
       CASE WHEN ${rand.u('g.i', 4)} < 0.7 THEN ${user('g.i', 5)} END,
       CASE WHEN ${rand.u('g.i', 6)} < 0.8 THEN ${asset('g.i', 7)} END,
       jsonb_build_object('rule', e.type || '-' || (1 + g.i % 40), 'count', 1 + floor(${rand.u('g.i', 8)} * 20)::int),
       ${rand.uuid('incident', '(g.i - 1) / 5')},
       CASE WHEN e.severity IN ('high', 'critical') THEN jsonb_build_object('source_ip', '203.0.113.' || (1 + g.i % 254)) END,
       CASE WHEN e.resolved THEN jsonb_build_array(${rand.pick(['blocked_ip', 'disabled_account', 'isolated_host', 'reset_credentials'], rand.u('g.i', 9))}) END,
       ${rand.u('g.i', 10)} < 0.08,
       CASE WHEN e.severity IN ('high', 'critical') THEN ${user('g.i', 11)} END,
       CASE WHEN e.severity IN ('high', 'critical') AND e.resolved THEN 'Reviewed; see ticket.' END,
       e.occurred, e.occurred + make_interval(secs => ${rand.u('g.i', 12)} * 600),
       CASE WHEN e.resolved THEN e.occurred + make_interval(secs => 600 + ${rand.logNormal('g.i', 13, 8, 1.2)} * 3600) END
  FROM generate_series(${lo}, ${hi}) AS g(i)
 CROSS JOIN LATERAL (SELECT ${rand.pick(['authentication_failure', 'privilege_escalation', 'malware_detected', 'policy_violation', 'suspicious_login', 'data_exfiltration_attempt', 'port_scan', 'configuration_change'], rand.u('g.i', 1))} AS type,
                            ${rand.weighted(
                              [
                                ['low', 45],
                                ['medium', 35],
                                ['high', 15],
                                ['critical', 5],
                              ],
                              rand.u('g.i', 2),
                            )} AS severity,
                            ${when('g.i', 14)} AS occurred,
                            ${rand.u('g.i', 16)} < 0.85 AS resolved) AS e`,
    },
    {
      table: 'integration_health',
      count: checksPerSystem * 3,
      chunk: 100_000,
      build: (lo, hi) => `
INSERT INTO integration_health (external_system_id, health_check_type, status, response_time_ms, error_rate, last_successful_operation, error_details, checked_at)
SELECT (ARRAY[${context.systems.join(', ')}])[1 + (g.i - 1) % 3],
       (ARRAY['connectivity', 'authentication', 'data_sync'])[1 + ((g.i - 1) / 3) % 3],
       h.status, round(${rand.logNormal('g.i', 2, 180, 0.6)})::int,
       round((CASE h.status WHEN 'healthy' THEN 0.001 WHEN 'degraded' THEN 0.05 ELSE 0.4 END * ${rand.u('g.i', 3)})::numeric, 4),
       h.checked - make_interval(mins => floor(${rand.u('g.i', 4)} * 60)::int),
       CASE WHEN h.status <> 'healthy' THEN jsonb_build_object('message', CASE h.status WHEN 'degraded' THEN 'slow responses' ELSE 'connection timed out' END) END,
       h.checked
  FROM generate_series(${lo}, ${hi}) AS g(i)
 CROSS JOIN LATERAL (SELECT ${rand.weighted(
   [
     ['healthy', 93],
     ['degraded', 6],
     ['unhealthy', 1],
   ],
   rand.u('g.i', 1),
 )} AS status,
                            ${rand.anchor} - make_interval(secs => ((g.i - 1) / 3) * ${(checkEvery * 86400).toFixed(3)}) AS checked) AS h`,
    },
  ];
}
