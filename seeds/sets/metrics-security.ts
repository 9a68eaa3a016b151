/** Security metrics: findings, remediation, exploitability and security events. */
import { ACTIONABLE_SEVERITIES, EVENT_SEVERITIES, NOW, SEVERITIES, TODAY, type MetricSpec } from './metric-spec.js';

// vulnerability_intelligence.plugin_id is VARCHAR while ingestion_vulnerabilities.plugin_id is INTEGER.
const WITH_INTEL = `ingestion_vulnerabilities v LEFT JOIN vulnerability_intelligence vi ON vi.plugin_id = v.plugin_id::text`;

export const SECURITY_METRICS: MetricSpec[] = [
  {
    name: 'open_critical_high_findings',
    category: 'security',
    display: 'Open critical and high findings',
    description: 'Findings still open with a critical or high severity.',
    method: 'Count of ingestion_vulnerabilities with state Open and severity 3 (high) or 4 (critical).',
    sql: `SELECT 'all'::text AS dimension, count(*)::numeric AS value, count(*) AS sample_size
  FROM ingestion_vulnerabilities WHERE state = 'Open' AND severity >= 3`,
    sources: ['ingestion_vulnerabilities'],
    aggregation: 'daily',
    unit: 'count',
    chart: 'kpi',
    kpi: true,
    audience: 'executive',
    target: 0,
    warning: 10,
    critical: 50,
  },
  {
    name: 'open_findings_by_severity',
    category: 'security',
    display: 'Open findings by severity',
    description: 'Open findings per severity, informational included.',
    method:
      'Count of ingestion_vulnerabilities with state Open, per severity; every severity appears, with 0 when none.',
    sql: `SELECT s.name::text AS dimension, count(v.id)::numeric AS value, count(v.id) AS sample_size
  FROM ${SEVERITIES}
  LEFT JOIN ingestion_vulnerabilities v ON v.severity = s.severity AND v.state = 'Open'
 GROUP BY s.severity, s.name ORDER BY s.severity DESC`,
    sources: ['ingestion_vulnerabilities'],
    aggregation: 'daily',
    unit: 'count',
    chart: 'bar',
    kpi: false,
    audience: 'operational',
  },
  {
    name: 'mean_time_to_remediate_days',
    category: 'security',
    display: 'Mean time to remediate by severity',
    description:
      'Average days from a finding being first found to its remediation being validated, for remediations validated in the last 365 days.',
    method:
      'Mean of (vulnerability_remediation.validated_at - ingestion_vulnerabilities.first_found) in days, remediation_status remediated, per severity.',
    sql: `SELECT s.name::text AS dimension,
       round(avg(EXTRACT(EPOCH FROM r.validated_at - v.first_found) / 86400), 2) AS value,
       count(r.id) AS sample_size
  FROM ${ACTIONABLE_SEVERITIES}
  LEFT JOIN ingestion_vulnerabilities v ON v.severity = s.severity
  LEFT JOIN vulnerability_remediation r ON r.vulnerability_id = v.id AND r.remediation_status = 'remediated'
        AND r.validated_at >= ${NOW} - interval '365 days'
 GROUP BY s.severity, s.name ORDER BY s.severity DESC`,
    sources: ['ingestion_vulnerabilities', 'vulnerability_remediation'],
    aggregation: 'weekly',
    unit: 'days',
    chart: 'bar',
    kpi: true,
    audience: 'executive',
    target: 30,
    warning: 45,
    critical: 90,
  },
  {
    name: 'remediation_past_due',
    category: 'security',
    display: 'Remediation past due',
    description: 'Open remediation items whose due date has passed.',
    method:
      'Count of vulnerability_remediation with remediation_status open or in_progress and due_date before today (UTC); sample_size is all open items.',
    sql: `SELECT 'all'::text AS dimension, count(*) FILTER (WHERE due_date < ${TODAY})::numeric AS value, count(*) AS sample_size
  FROM vulnerability_remediation WHERE remediation_status IN ('open', 'in_progress')`,
    sources: ['vulnerability_remediation'],
    aggregation: 'daily',
    unit: 'count',
    chart: 'kpi',
    kpi: true,
    audience: 'executive',
    target: 0,
    warning: 5,
    critical: 20,
  },
  {
    name: 'open_findings_on_kev',
    category: 'security',
    display: 'Open findings on CISA KEV',
    description:
      'Open findings whose plugin covers a CVE in the CISA Known Exploited Vulnerabilities catalog (BOD 22-01).',
    method:
      'Count of open ingestion_vulnerabilities whose vulnerability_intelligence.threat_intelligence has a non-empty cisa_kev list.',
    sql: `SELECT 'all'::text AS dimension,
       count(*) FILTER (WHERE vi.threat_intelligence @? '$.cisa_kev[*]')::numeric AS value, count(*) AS sample_size
  FROM ${WITH_INTEL} WHERE v.state = 'Open'`,
    sources: ['ingestion_vulnerabilities', 'vulnerability_intelligence'],
    aggregation: 'daily',
    unit: 'count',
    chart: 'kpi',
    kpi: true,
    audience: 'executive',
    target: 0,
    warning: 1,
    critical: 5,
  },
  {
    name: 'exploitable_open_findings',
    category: 'security',
    display: 'Open findings with a known exploit',
    description: 'Open findings whose plugin reports that an exploit is available.',
    method: 'Count of open ingestion_vulnerabilities whose vulnerability_intelligence.exploit_available is true.',
    sql: `SELECT 'all'::text AS dimension, count(*) FILTER (WHERE vi.exploit_available)::numeric AS value, count(*) AS sample_size
  FROM ${WITH_INTEL} WHERE v.state = 'Open'`,
    sources: ['ingestion_vulnerabilities', 'vulnerability_intelligence'],
    aggregation: 'daily',
    unit: 'count',
    chart: 'kpi',
    kpi: false,
    audience: 'operational',
  },
  {
    name: 'open_findings_by_attack_vector',
    category: 'security',
    display: 'Open findings by CVSS 3 attack vector',
    description:
      'Open findings of low severity or above, by the attack vector of their CVSS 3 vector (unknown without one).',
    method: 'Count of open ingestion_vulnerabilities with severity >= 1, per vulnerability_intelligence.attack_vector.',
    sql: `SELECT COALESCE(vi.attack_vector, 'unknown')::text AS dimension, count(*)::numeric AS value, count(*) AS sample_size
  FROM ${WITH_INTEL} WHERE v.state = 'Open' AND v.severity >= 1
 GROUP BY 1 ORDER BY 1`,
    sources: ['ingestion_vulnerabilities', 'vulnerability_intelligence'],
    aggregation: 'daily',
    unit: 'count',
    chart: 'pie',
    kpi: false,
    audience: 'technical',
  },
  {
    name: 'assets_with_open_critical_findings',
    category: 'security',
    display: 'Assets with open critical findings',
    description: 'Distinct assets with at least one open critical finding; sample_size is every asset.',
    method: 'Count of distinct asset_uuid over open ingestion_vulnerabilities with severity 4.',
    sql: `SELECT 'all'::text AS dimension, count(DISTINCT v.asset_uuid)::numeric AS value, (SELECT count(*) FROM ingestion_assets) AS sample_size
  FROM ingestion_vulnerabilities v WHERE v.state = 'Open' AND v.severity = 4`,
    sources: ['ingestion_vulnerabilities', 'ingestion_assets'],
    aggregation: 'daily',
    unit: 'count',
    chart: 'kpi',
    kpi: false,
    audience: 'operational',
  },
  {
    name: 'security_events_last_30_days',
    category: 'security',
    display: 'Security events in the last 30 days',
    description: 'Security events that occurred in the last 30 days, false positives excluded, by severity.',
    method:
      'Count of security_events_extended with occurred_at in the last 30 days and false_positive not true, per severity.',
    sql: `SELECT s.name::text AS dimension, count(e.id)::numeric AS value, count(e.id) AS sample_size
  FROM ${EVENT_SEVERITIES}
  LEFT JOIN security_events_extended e ON e.severity = s.name AND e.false_positive IS NOT TRUE
        AND e.occurred_at >= ${NOW} - interval '30 days'
 GROUP BY s.rank, s.name ORDER BY s.rank`,
    sources: ['security_events_extended'],
    aggregation: 'daily',
    unit: 'count',
    chart: 'bar',
    kpi: false,
    audience: 'operational',
  },
  {
    name: 'mean_time_to_resolve_security_events_hours',
    category: 'security',
    display: 'Mean time to resolve security events',
    description:
      'Average hours from detection to resolution of the security events detected in the last 90 days, by severity.',
    method:
      'Mean of (resolved_at - detected_at) in hours over resolved security_events_extended detected in the last 90 days, per severity.',
    sql: `SELECT s.name::text AS dimension,
       round(avg(EXTRACT(EPOCH FROM e.resolved_at - e.detected_at) / 3600), 2) AS value, count(e.id) AS sample_size
  FROM ${EVENT_SEVERITIES}
  LEFT JOIN security_events_extended e ON e.severity = s.name AND e.resolved_at IS NOT NULL
        AND e.detected_at >= ${NOW} - interval '90 days'
 GROUP BY s.rank, s.name ORDER BY s.rank`,
    sources: ['security_events_extended'],
    aggregation: 'weekly',
    unit: 'hours',
    chart: 'bar',
    kpi: false,
    audience: 'operational',
    target: 24,
    warning: 72,
    critical: 168,
  },
];
