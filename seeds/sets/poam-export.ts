/**
 * The FedRAMP Rev 5 POA&M export: one SQL column per column of the template, in the template's
 * order, named exactly as the template names it (seeds/reference/fedramp-poam-columns.csv). The
 * mapping is the reverse of the Xacta POA&M mappings (poam-mappings.ts); template columns that
 * poams_extended has no column for are exported empty, and the Yes/No flags are derived where the
 * table holds what they mean.
 */
import { ExitCode, RasdbError } from '../../src/errors.js';
import { readReferenceCsv } from '../../src/seed/reference-files.js';

const EMPTY = 'NULL::text';
const day = (expression: string) => `to_char(${expression}, 'YYYY-MM-DD')`;

const EXPRESSIONS: Readonly<Record<string, string>> = {
  'POAM ID': 'p.poam_id',
  Controls: 'c.control_id',
  'Weakness Name': 'p.weakness_type',
  'Weakness Description': 'p.weakness_description',
  'Weakness Detector Source': EMPTY,
  'Weakness Source Identifier': EMPTY,
  'Asset Identifier': `array_to_string(p.affected_assets, ', ')`,
  'Point of Contact': 'p.responsible_individual',
  'Resources Required': 'p.resource_requirements',
  'Overall Remediation Plan': 'p.remediation_plan',
  'Original Detection Date': day('p.created_at'),
  'Scheduled Completion Date': day('p.scheduled_completion_date'),
  'Planned Milestones': `(SELECT string_agg(format('(%s) %s', m->>'number', concat_ws(' - ', m->>'description', m->>'due_date')), E'\\n' ORDER BY (m->>'number')::int)
      FROM jsonb_array_elements(CASE WHEN jsonb_typeof(p.milestone_schedule) = 'array' THEN p.milestone_schedule ELSE '[]'::jsonb END) AS m)`,
  'Milestone Changes': EMPTY,
  'Status Date': day('COALESCE(p.actual_completion_date, p.updated_at)'),
  'Vendor Dependency': EMPTY,
  'Last Vendor Check-in Date': EMPTY,
  'Vendor Dependent Product Name': EMPTY,
  'Original Risk Rating': 'initcap(p.impact_level)',
  'Adjusted Risk Rating': 'initcap(p.risk_level)',
  'Risk Adjustment': `CASE WHEN p.risk_level IS NULL OR p.impact_level IS NULL THEN NULL WHEN p.risk_level <> p.impact_level THEN 'Yes' ELSE 'No' END`,
  'False Positive': EMPTY,
  'Operational Requirement': `CASE WHEN p.risk_acceptance_date IS NOT NULL THEN 'Yes' ELSE 'No' END`,
  'Deviation Rationale': 'p.deviation_rationale',
  'Supporting Documents': EMPTY,
  Comments: 'p.business_impact',
  'Auto-Approve': EMPTY,
  'Binding Operational Directive 22-01 tracking': EMPTY,
  'Binding Operational Directive 22-01 Due Date': EMPTY,
  CVE: EMPTY,
  'Service Name': EMPTY,
};

export interface PoamColumn {
  name: string;
  excel_column: string;
}

/** The template's columns, in order, from the reference file. */
export function poamColumns(): PoamColumn[] {
  return readReferenceCsv('fedramp-poam-columns.csv').map((row) => ({
    name: row.name,
    excel_column: row.excel_column,
  }));
}

/**
 * The export query for the POA&M items whose status is one of `statuses`.
 *
 * @example
 * poamExportQuery(['open', 'in_progress']) // SELECT p.poam_id AS "POAM ID", ... (31 columns)
 */
export function poamExportQuery(statuses: readonly string[]): string {
  const columns = poamColumns();
  const missing = columns.filter((column) => !(column.name in EXPRESSIONS)).map((column) => column.name);
  if (missing.length)
    throw new RasdbError(
      ExitCode.failed,
      `internal error: the POA&M export has no expression for ${missing.join(', ')} (this is a bug in rasdb)`,
    );
  const select = columns
    .map((column) => `${EXPRESSIONS[column.name]}::text AS "${column.name.replace(/"/g, '""')}"`)
    .join(',\n       ');
  const list = statuses.map((status) => `'${status.replace(/'/g, "''")}'`).join(', ');
  return `SELECT ${select}
  FROM poams_extended p LEFT JOIN controls_extended c ON c.id = p.control_id
 WHERE p.status IN (${list})
 ORDER BY p.poam_id`;
}
