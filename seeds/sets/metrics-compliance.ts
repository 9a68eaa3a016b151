/** Compliance metrics: control implementation and assessment, evidence, POA&Ms. */
import { NOW, TODAY, type MetricSpec } from './metric-spec.js';

export const COMPLIANCE_METRICS: MetricSpec[] = [
  {
    name: 'control_implementation_rate',
    category: 'compliance',
    display: 'Control implementation rate by framework and baseline',
    description:
      'Share of the controls of each baseline whose implementation_status is implemented; dimension is framework/baseline.',
    method:
      'Per (controls_extended.framework, control_baselines.baseline): 100 x implemented controls / controls in the baseline.',
    sql: `SELECT (c.framework || '/' || b.baseline)::text AS dimension,
       round(100.0 * count(*) FILTER (WHERE c.implementation_status = 'implemented') / count(*), 2) AS value,
       count(*) AS sample_size
  FROM control_baselines b JOIN controls_extended c ON c.id = b.control_id
 GROUP BY c.framework, b.baseline ORDER BY 1`,
    sources: ['controls_extended', 'control_baselines'],
    aggregation: 'weekly',
    unit: 'percent',
    chart: 'bar',
    kpi: true,
    audience: 'executive',
    target: 100,
    warning: 90,
    critical: 75,
  },
  {
    name: 'controls_assessed_last_12_months',
    category: 'compliance',
    display: 'Controls assessed in the last 12 months',
    description: "Share of each framework's controls with an assessment in the last 365 days.",
    method:
      'Per framework: 100 x controls_extended with last_assessment_date within 365 days of today (UTC) / all its controls.',
    sql: `SELECT c.framework::text AS dimension,
       round(100.0 * count(*) FILTER (WHERE c.last_assessment_date >= ${TODAY} - 365) / count(*), 2) AS value,
       count(*) AS sample_size
  FROM controls_extended c GROUP BY c.framework ORDER BY 1`,
    sources: ['controls_extended'],
    aggregation: 'monthly',
    unit: 'percent',
    chart: 'gauge',
    kpi: false,
    audience: 'operational',
    target: 100,
    warning: 80,
    critical: 60,
  },
  {
    name: 'expired_current_evidence',
    category: 'compliance',
    display: 'Current evidence past its expiry',
    description: 'Evidence still marked current whose expiry time has passed; sample_size is all current evidence.',
    method: 'Count of control_evidence with is_current and expires_at before now (UTC).',
    sql: `SELECT 'all'::text AS dimension, count(*) FILTER (WHERE expires_at < ${NOW})::numeric AS value, count(*) AS sample_size
  FROM control_evidence WHERE is_current`,
    sources: ['control_evidence'],
    aggregation: 'daily',
    unit: 'count',
    chart: 'kpi',
    kpi: false,
    audience: 'operational',
    target: 0,
  },
  {
    name: 'overdue_poams',
    category: 'compliance',
    display: 'Overdue POA&Ms',
    description: 'Open or in-progress POA&M items past their scheduled completion date; sample_size is all open items.',
    method: 'Count of poams_extended with status open or in_progress and scheduled_completion_date before today (UTC).',
    sql: `SELECT 'all'::text AS dimension, count(*) FILTER (WHERE scheduled_completion_date < ${TODAY})::numeric AS value, count(*) AS sample_size
  FROM poams_extended WHERE status IN ('open', 'in_progress')`,
    sources: ['poams_extended'],
    aggregation: 'daily',
    unit: 'count',
    chart: 'kpi',
    kpi: true,
    audience: 'executive',
    target: 0,
    warning: 3,
    critical: 10,
  },
  {
    name: 'poams_by_status',
    category: 'compliance',
    display: 'POA&Ms by status',
    description: 'POA&M items per status; every status of the design document appears.',
    method: 'Count of poams_extended per status (open, in_progress, completed, closed).',
    sql: `SELECT s.status::text AS dimension, count(p.id)::numeric AS value, count(p.id) AS sample_size
  FROM (VALUES (1, 'open'), (2, 'in_progress'), (3, 'completed'), (4, 'closed')) AS s(rank, status)
  LEFT JOIN poams_extended p ON p.status = s.status
 GROUP BY s.rank, s.status ORDER BY s.rank`,
    sources: ['poams_extended'],
    aggregation: 'daily',
    unit: 'count',
    chart: 'pie',
    kpi: false,
    audience: 'operational',
  },
];
