/**
 * The `reports` set: report templates (report_templates, keyed by template_name) and dashboards
 * (dashboards, keyed by dashboard_name). The seed owns what a template or dashboard shows; its
 * schedule, recipients, access and on/off switches are written once and then belong to the
 * operator. Definitions follow the shapes in the README ("Reference data") and are checked
 * before anything is written.
 */
import type { JsonObject } from '../../generated/db.js';
import { assertDashboard, assertReportDefinition } from '../../src/seed/definition-shapes.js';
import { defineTable, type BuiltSet } from '../../src/seed/types.js';
import { DASHBOARDS } from './dashboards.js';
import { METRIC_NAMES, METRICS } from './metrics.js';
import { poamColumns, poamExportQuery } from './poam-export.js';
import { NOW } from './metric-spec.js';

interface TemplateSpec {
  name: string;
  type: 'executive' | 'compliance' | 'operational' | 'technical';
  audience: string;
  format: 'pdf' | 'html' | 'excel' | 'json';
  definition: JsonObject & { sections: JsonObject[] };
  /** Tables read by the template's table sections; its metrics' sources are added. */
  tables: string[];
  parameters: JsonObject | null;
  schedule: JsonObject | null;
}

const poamTable = (id: string, title: string, statuses: string[]): JsonObject => ({
  id,
  title,
  type: 'table',
  query: poamExportQuery(statuses),
  columns: poamColumns().map((column) => ({ name: column.name, excel_column: column.excel_column })),
});

const TEMPLATES: TemplateSpec[] = [
  {
    name: 'Executive security summary',
    type: 'executive',
    audience: 'executive',
    format: 'pdf',
    definition: {
      version: 1,
      title: 'Executive security summary',
      sections: [
        {
          id: 'overview',
          title: 'Overview',
          type: 'text',
          body: 'Security and compliance posture of the systems RAS DASH tracks, as of the report date.',
        },
        {
          id: 'kpis',
          title: 'Key indicators',
          type: 'metrics',
          metrics: [
            'open_critical_high_findings',
            'open_findings_on_kev',
            'remediation_past_due',
            'mean_time_to_remediate_days',
            'overdue_poams',
            'control_implementation_rate',
            'integration_sync_success_rate',
          ],
        },
        {
          id: 'top_assets',
          title: 'Assets with the most open critical and high findings',
          type: 'table',
          query: `SELECT a.hostname::text AS "Asset", count(*) FILTER (WHERE v.severity = 4) AS "Critical", count(*) FILTER (WHERE v.severity = 3) AS "High"
  FROM ingestion_vulnerabilities v JOIN ingestion_assets a ON a.asset_uuid = v.asset_uuid
 WHERE v.state = 'Open' AND v.severity >= 3
 GROUP BY a.asset_uuid, a.hostname ORDER BY 2 DESC, 3 DESC, 1 LIMIT 10`,
          columns: [{ name: 'Asset' }, { name: 'Critical' }, { name: 'High' }],
        },
      ],
    },
    tables: ['ingestion_vulnerabilities', 'ingestion_assets'],
    parameters: { period_days: { type: 'integer', default: 30, description: 'the window trend figures cover' } },
    schedule: { frequency: 'monthly', day_of_month: 1, time_utc: '06:00' },
  },
  {
    name: 'FedRAMP POA&M export',
    type: 'compliance',
    audience: 'operational',
    format: 'excel',
    definition: {
      version: 1,
      title: 'Plan of Action and Milestones (FedRAMP Rev 5 template)',
      sections: [
        poamTable('open_items', 'Open POA&M Items', ['open', 'in_progress']),
        poamTable('closed_items', 'Closed POA&M Items', ['completed', 'closed']),
      ],
    },
    tables: ['poams_extended', 'controls_extended'],
    parameters: null,
    schedule: { frequency: 'monthly', day_of_month: 1, time_utc: '06:00' },
  },
  {
    name: 'Integration operations weekly',
    type: 'operational',
    audience: 'technical',
    format: 'html',
    definition: {
      version: 1,
      title: 'Integration operations, last 7 days',
      sections: [
        {
          id: 'indicators',
          title: 'Indicators',
          type: 'metrics',
          metrics: [
            'integration_sync_success_rate',
            'api_error_rate',
            'api_p95_latency_ms',
            'api_rate_limited_calls',
            'open_sync_conflicts',
          ],
        },
        {
          id: 'failures',
          title: 'Failed operations',
          type: 'table',
          query: `SELECT s.system_name::text AS "System", o.operation_type::text AS "Operation", o.entity_type::text AS "Entity", count(*) AS "Failures", max(o.started_at) AS "Last failure"
  FROM integration_operations o JOIN external_systems s ON s.id = o.external_system_id
 WHERE o.status = 'failed' AND o.started_at >= ${NOW} - interval '7 days'
 GROUP BY 1, 2, 3 ORDER BY 4 DESC, 1, 2, 3`,
          columns: [
            { name: 'System' },
            { name: 'Operation' },
            { name: 'Entity' },
            { name: 'Failures' },
            { name: 'Last failure' },
          ],
        },
      ],
    },
    tables: ['integration_operations', 'external_systems'],
    parameters: null,
    schedule: { frequency: 'weekly', day_of_week: 'monday', time_utc: '07:00' },
  },
];

/** Tables a template reads: its table sections' and its metrics'. */
function sourcesOf(template: TemplateSpec): string[] {
  const metrics = template.definition.sections.flatMap((section) => (section.metrics as string[] | undefined) ?? []);
  const fromMetrics = METRICS.filter((metric) => metrics.includes(metric.name)).flatMap((metric) => metric.sources);
  return [...new Set([...template.tables, ...fromMetrics])].sort();
}

/**
 * @example
 * reportsSet().tables.map((t) => t.rows.length) // [3, 2]
 */
export function reportsSet(): BuiltSet {
  for (const t of TEMPLATES) assertReportDefinition(t.name, t.definition, METRIC_NAMES);
  for (const d of DASHBOARDS) assertDashboard(d.dashboard_name, d.layout_config, d.widget_config, METRIC_NAMES);
  const templates = defineTable({
    table: 'report_templates',
    key: ['template_name'],
    owned: ['template_type', 'audience', 'report_format', 'template_definition', 'data_sources', 'parameters'],
    initial: ['schedule_config', 'distribution_list', 'is_active'],
    stamp: 'updated_at',
    rows: TEMPLATES.map((t) => {
      const sources = sourcesOf(t);
      return {
        key: t.name,
        requires: sources,
        values: {
          template_name: t.name,
          template_type: t.type,
          audience: t.audience,
          report_format: t.format,
          template_definition: t.definition,
          data_sources: sources,
          parameters: t.parameters,
          schedule_config: t.schedule,
          distribution_list: [],
          is_active: true,
        },
      };
    }),
  });
  const dashboards = defineTable({
    table: 'dashboards',
    key: ['dashboard_name'],
    owned: ['dashboard_type', 'layout_config', 'widget_config', 'refresh_interval_seconds'],
    initial: ['access_control', 'is_public', 'is_active'],
    stamp: 'updated_at',
    rows: DASHBOARDS.map((values) => ({ key: values.dashboard_name, values })),
  });
  return { tables: [templates, dashboards] };
}
