/** Two dashboards on a 12-column grid, each widget showing one seeded metric. */
import type { Insertable } from 'kysely';
import type { Dashboards } from '../../generated/db.js';

type Widget = { id: string; title: string; type: string; metric: string; x: number; y: number; w: number; h: number };

function dashboard(name: string, type: string, roles: string[], refreshSeconds: number, widgets: Widget[]): Insertable<Dashboards> {
  return {
    dashboard_name: name,
    dashboard_type: type,
    layout_config: { version: 1, columns: 12, row_height_px: 80, items: widgets.map(({ id, x, y, w, h }) => ({ widget: id, x, y, w, h })) },
    widget_config: { version: 1, widgets: widgets.map(({ id, title, type, metric }) => ({ id, title, type, metric })) },
    refresh_interval_seconds: refreshSeconds,
    access_control: { roles },
    is_public: false,
    is_active: true,
  };
}

export const DASHBOARDS: Insertable<Dashboards>[] = [
  dashboard('Security posture', 'executive', ['executive', 'authorizing_official', 'information_system_security_officer'], 900, [
    { id: 'crit_high', title: 'Open critical and high', type: 'kpi', metric: 'open_critical_high_findings', x: 0, y: 0, w: 3, h: 2 },
    { id: 'kev', title: 'Open on CISA KEV', type: 'kpi', metric: 'open_findings_on_kev', x: 3, y: 0, w: 3, h: 2 },
    { id: 'past_due', title: 'Remediation past due', type: 'kpi', metric: 'remediation_past_due', x: 6, y: 0, w: 3, h: 2 },
    { id: 'poams', title: 'Overdue POA&Ms', type: 'kpi', metric: 'overdue_poams', x: 9, y: 0, w: 3, h: 2 },
    { id: 'severity', title: 'Open findings by severity', type: 'bar', metric: 'open_findings_by_severity', x: 0, y: 2, w: 6, h: 4 },
    { id: 'mttr', title: 'Mean time to remediate (days)', type: 'bar', metric: 'mean_time_to_remediate_days', x: 6, y: 2, w: 6, h: 4 },
    { id: 'controls', title: 'Controls implemented by baseline', type: 'bar', metric: 'control_implementation_rate', x: 0, y: 6, w: 8, h: 4 },
    { id: 'vector', title: 'Attack vector of open findings', type: 'pie', metric: 'open_findings_by_attack_vector', x: 8, y: 6, w: 4, h: 4 },
  ]),
  dashboard('Integration operations', 'operational', ['integration_engineer', 'information_system_security_officer'], 60, [
    { id: 'health', title: 'Integration health', type: 'gauge', metric: 'integration_health_status', x: 0, y: 0, w: 4, h: 3 },
    { id: 'sync', title: 'Sync success rate (30 days)', type: 'bar', metric: 'integration_sync_success_rate', x: 4, y: 0, w: 4, h: 3 },
    { id: 'limited', title: 'Rate-limited calls (7 days)', type: 'bar', metric: 'api_rate_limited_calls', x: 8, y: 0, w: 4, h: 3 },
    { id: 'errors', title: 'API error rate (7 days)', type: 'line', metric: 'api_error_rate', x: 0, y: 3, w: 6, h: 4 },
    { id: 'latency', title: 'API p95 latency (7 days)', type: 'line', metric: 'api_p95_latency_ms', x: 6, y: 3, w: 6, h: 4 },
    { id: 'conflicts', title: 'Open sync conflicts', type: 'table', metric: 'open_sync_conflicts', x: 0, y: 7, w: 12, h: 3 },
  ]),
];
