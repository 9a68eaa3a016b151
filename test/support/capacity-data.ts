import type { TestDatabase } from './database.js';

/** The zone the synthetic data is written in: not UTC, so a report that assumed UTC would miss hours. */
export const DATA_ZONE = 'America/New_York';
export const DAYS = 40;

/**
 * Known flows, in rows a day, per table; a category's flow is the sum of its tables'. Rows are
 * spaced evenly over the DAYS days before the data's clock now (read in DATA_ZONE), newest a
 * moment ago.
 */
export const INJECTED: readonly { table: string; column: string; perDay: number; values: string }[] = [
  {
    table: 'api_call_logs',
    column: 'called_at',
    perDay: 1440,
    values: `method, endpoint, response_status, request_headers`,
  },
  {
    table: 'integration_operations',
    column: 'started_at',
    perDay: 48,
    values: `operation_type, entity_type, direction`,
  },
  { table: 'metrics_values', column: 'created_at', perDay: 720, values: `value, calculated_at` },
  {
    table: 'security_events_extended',
    column: 'occurred_at',
    perDay: 288,
    values: `event_type, severity, event_details`,
  },
  { table: 'data_access_logs', column: 'accessed_at', perDay: 480, values: `resource_type, action` },
  { table: 'workflow_executions', column: 'started_at', perDay: 96, values: `status` },
  { table: 'asset_changes', column: 'detected_at', perDay: 360, values: `change_type, field_name, new_value` },
  { table: 'performance_metrics', column: 'recorded_at', perDay: 144, values: `metric_type, component, value, unit` },
];

const VALUES: Record<string, string> = {
  api_call_logs: `'GET', '/api/v1/assets/' || g, 200, jsonb_build_object('x-request-id', md5(g::text))`,
  integration_operations: `'import', 'asset', 'inbound'`,
  metrics_values: `g % 100, now()`,
  security_events_extended: `'login_failure', 'low', jsonb_build_object('user', 'u' || g % 40, 'ip', '10.0.0.' || g % 250)`,
  data_access_logs: `'asset', 'read'`,
  workflow_executions: `'completed'`,
  asset_changes: `'field', 'os', to_jsonb(md5(g::text))`,
  performance_metrics: `'latency', 'ingest', g % 500, 'ms'`,
};

/** Rows a day per category, as injected (tables of no category under `unassigned`). */
export const INJECTED_PER_CATEGORY: Record<string, number> = {
  integration: 1440 + 48,
  analytics: 720,
  'audit-security': 288 + 480,
  workflow: 96,
  'enhanced-management': 360,
  unassigned: 144,
};

/**
 * Writes the INJECTED flows into a migrated database, declares nothing (the database's own
 * timezone setting says DATA_ZONE), and analyzes. A few hundred thousand rows, set-based.
 *
 * @example
 * await seedCapacityData(db);
 */
export async function seedCapacityData(db: TestDatabase): Promise<void> {
  await db.query(`ALTER DATABASE "${db.name}" SET timezone = '${DATA_ZONE}'`);
  for (const { table, column, perDay, values } of INJECTED) {
    // Row g arrives g * (86400 / perDay) seconds before now on the data's clock.
    await db.query(
      `INSERT INTO ${table} (${values}, ${column})
       SELECT ${VALUES[table]}, (now() AT TIME ZONE '${DATA_ZONE}') - g * (86400.0 / ${perDay}) * interval '1 second'
         FROM generate_series(1, ${perDay * DAYS}) g`,
    );
  }
  await db.query('ANALYZE');
}
