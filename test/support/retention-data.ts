import type { TestDatabase } from './database.js';

/** The clock every retention test runs at (`--now`), so horizons are fixed. */
export const NOW = '2026-06-01 00:00:00';

/**
 * Small, deterministic data for the four retention policies around NOW, with the awkward cases
 * in it: rows in the future, NULL external systems and statuses, operation trees whose children
 * are newer than their parents, operations referenced by API calls and sync conflicts, and
 * security events on both sides of the 7-year horizon. A few thousand rows in all.
 *
 * @example
 * await seedRetentionData(db); // then rasdb retention summarize --now NOW
 */
export async function seedRetentionData(db: TestDatabase): Promise<void> {
  await db.query(`
    INSERT INTO external_systems (system_name, system_type, api_base_url, authentication_method, connection_config)
    VALUES ('tenable', 'scanner', 'https://tenable.example', 'api_key', '{}'), ('xacta', 'grc', 'https://xacta.example', 'oauth', '{}');

    -- Operations: one a day for 500 days before NOW and 5 after; every 7th has a child started 12 hours later.
    INSERT INTO integration_operations (operation_id, external_system_id, operation_type, entity_type, direction, status, retry_count, started_at, completed_at)
    SELECT md5('op' || g)::uuid, 1 + g % 2, CASE WHEN g % 3 = 0 THEN 'sync' ELSE 'import' END, 'asset', 'inbound',
           CASE WHEN g % 5 = 0 THEN 'failed' ELSE 'completed' END, g % 3,
           timestamp '${NOW}' - (500 - g) * interval '1 day', timestamp '${NOW}' - (500 - g) * interval '1 day' + (g % 60) * interval '1 second'
      FROM generate_series(0, 504) g;
    INSERT INTO integration_operations (operation_id, external_system_id, operation_type, entity_type, direction, status, started_at, parent_operation_id)
    SELECT md5('child' || g)::uuid, 1, 'import', 'vulnerability', 'inbound', 'running',
           timestamp '${NOW}' - (500 - g) * interval '1 day' + interval '12 hours', md5('op' || g)::uuid
      FROM generate_series(0, 504, 7) g;
    -- A grandchild far newer than its grandparent keeps the whole tree.
    INSERT INTO integration_operations (operation_id, operation_type, entity_type, direction, started_at, parent_operation_id)
    VALUES (md5('grandchild')::uuid, 'import', 'asset', 'inbound', timestamp '${NOW}' - interval '10 days', md5('child0')::uuid);
    INSERT INTO sync_conflicts (operation_id, entity_type, entity_id, conflict_type, created_at)
    SELECT md5('op' || g)::uuid, 'asset', 'a' || g, 'field', timestamp '${NOW}' - (500 - g) * interval '1 day' FROM generate_series(3, 500, 50) g;

    -- API calls every 3 hours for 420 days before NOW, and a few in the future.
    INSERT INTO api_call_logs (external_system_id, operation_id, method, endpoint, request_headers, response_status, response_time_ms, error_message, called_at)
    SELECT CASE WHEN g % 11 = 0 THEN NULL ELSE 1 + g % 2 END,
           CASE WHEN g % 97 = 0 THEN md5('op' || (500 - (420 * 8 - g) / 8))::uuid END,
           (ARRAY['GET', 'POST', 'PUT'])[1 + g % 3], '/api/v1/' || (ARRAY['assets', 'scans', 'vulns'])[1 + (g / 3) % 3],
           '{"accept": "application/json"}',
           CASE WHEN g % 13 = 0 THEN NULL WHEN g % 7 = 0 THEN 503 WHEN g % 5 = 0 THEN 404 ELSE 200 END,
           CASE WHEN g % 17 = 0 THEN NULL ELSE 20 + (g * 37) % 900 END,
           CASE WHEN g % 13 = 0 THEN 'connection reset' END,
           timestamp '${NOW}' - (420 * 8 - g) * interval '3 hours'
      FROM generate_series(0, 420 * 8 + 20) g;

    -- Performance samples every 2 hours for 60 days before NOW, and a few in the future.
    INSERT INTO performance_metrics (metric_type, component, operation, value, unit, recorded_at)
    SELECT (ARRAY['latency', 'throughput'])[1 + g % 2], 'ingest', CASE WHEN g % 4 = 0 THEN NULL ELSE 'parse' END,
           (g * 7) % 500 + 0.25, CASE WHEN g % 2 = 0 THEN 'ms' ELSE 'rps' END, timestamp '${NOW}' - (60 * 12 - g) * interval '2 hours'
      FROM generate_series(0, 60 * 12 + 6) g;

    -- Security events monthly for 9 years.
    INSERT INTO security_events_extended (event_type, severity, event_details, occurred_at)
    SELECT 'login_failure', 'low', '{}', timestamp '${NOW}' - (108 - g) * interval '1 month' FROM generate_series(0, 108) g;
  `);
}

/**
 * A fingerprint of everything retention may change: the ids left in each detail table, the
 * summary rows (all but their `summarized_at`), and the watermarks.
 */
export async function retentionState(db: TestDatabase): Promise<Record<string, string>> {
  const [row] = await db.query(`
    SELECT (SELECT md5(coalesce(string_agg(id::text, ',' ORDER BY id), '')) FROM api_call_logs) AS api_call_logs,
           (SELECT md5(coalesce(string_agg(id::text, ',' ORDER BY id), '')) FROM integration_operations) AS integration_operations,
           (SELECT md5(coalesce(string_agg(id::text, ',' ORDER BY id), '')) FROM performance_metrics) AS performance_metrics,
           (SELECT md5(coalesce(string_agg(id::text, ',' ORDER BY id), '')) FROM security_events_extended) AS security_events_extended,
           (SELECT md5(coalesce(string_agg((s.*)::text, ';' ORDER BY (s.*)::text), '')) FROM
              (SELECT day, external_system_id, method, endpoint, status_class, calls, errors, avg_response_ms, p95_response_ms, max_response_ms FROM api_call_daily_summary) s) AS api_summary,
           (SELECT md5(coalesce(string_agg((s.*)::text, ';' ORDER BY (s.*)::text), '')) FROM
              (SELECT hour, metric_type, component, operation, unit, samples, min_value, max_value, avg_value, p95_value FROM performance_metrics_hourly) s) AS hourly,
           (SELECT md5(coalesce(string_agg((s.*)::text, ';' ORDER BY (s.*)::text), '')) FROM
              (SELECT day, metric_type, component, operation, unit, samples, min_value, max_value, avg_value, p95_value FROM performance_metrics_daily) s) AS daily,
           (SELECT md5(coalesce(string_agg((s.*)::text, ';' ORDER BY (s.*)::text), '')) FROM
              (SELECT month, external_system_id, operation_type, entity_type, direction, status, operations, retries, avg_duration_ms FROM integration_operations_monthly_summary) s) AS monthly,
           (SELECT string_agg(summary || '=' || coalesce(summarized_until::text, 'null'), ',' ORDER BY summary) FROM rasdb.retention_watermarks) AS watermarks`);
  return row;
}

/** The retention commands that compute horizons, and so take the hidden `--now`. */
const CLOCKED = ['summarize', 'prune', 'status'];

/**
 * `args` of `rasdb retention` with `--now <now>` added where the command takes it: the fixed
 * clock of a test, given as the hidden flag (there is no environment variable for it).
 *
 * @example
 * runCli(['retention', ...atNow(['prune', '--dry-run'])]) // retention prune --dry-run --now 2026-06-01 00:00:00
 */
export function atNow(args: readonly string[], now: string = NOW): string[] {
  return CLOCKED.includes(args[0]) ? [...args, '--now', now] : [...args];
}
