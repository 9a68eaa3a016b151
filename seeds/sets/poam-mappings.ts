/**
 * POA&M exchange with Xacta 360: the columns of the FedRAMP Rev 5 POA&M template
 * (seeds/reference/fedramp-poam-columns.csv) mapped to poams_extended, entity type `poam`.
 *
 * Mapped: the item's identity, control, weakness, assets, owner, resources, plan, dates, milestones,
 * risk ratings and deviation rationale. poams_extended has no column for the detector, the
 * detector's identifier, the vendor-dependency and false-positive flags, supporting documents,
 * comments, BOD 22-01 tracking, CVE or service name; those columns are not imported, and the
 * FedRAMP export report (seeds/sets/poam-export.ts) derives or leaves them blank.
 */
import { NIST_FRAMEWORK } from './controls.js';
import type { MappingSpec } from './tenable-mappings.js';
import type { Rule } from '../../src/seed/transforms.js';

const RATING = { type: 'lookup', map: { Low: 'low', Moderate: 'moderate', High: 'high', Critical: 'critical' } };
const poam = (
  column: string,
  field: string,
  rule: Rule | null = null,
  extra: Partial<MappingSpec> = {},
): MappingSpec => ({
  entity: 'poam',
  external: column,
  internal: `poams_extended.${field}`,
  rule,
  ...extra,
});

export const POAM_MAPPINGS: MappingSpec[] = [
  poam('POAM ID', 'poam_id', { type: 'text' }, { required: true, validation: { max_length: 100 } }),
  poam('Controls', 'control_id', { type: 'control_ref', framework: NIST_FRAMEWORK }),
  poam('Weakness Name', 'weakness_type', { type: 'truncate', length: 100 }),
  poam('Weakness Description', 'weakness_description', { type: 'text' }, { required: true }),
  poam('Asset Identifier', 'affected_assets', { type: 'split', separator: ',' }),
  poam('Point of Contact', 'responsible_individual', { type: 'truncate', length: 255 }),
  poam('Resources Required', 'resource_requirements', { type: 'text' }),
  poam('Overall Remediation Plan', 'remediation_plan', { type: 'text' }),
  poam('Scheduled Completion Date', 'scheduled_completion_date', { type: 'date' }),
  poam('Planned Milestones', 'milestone_schedule', { type: 'milestones' }),
  poam('Original Risk Rating', 'impact_level', RATING),
  poam('Adjusted Risk Rating', 'risk_level', RATING),
  poam('Deviation Rationale', 'deviation_rationale', { type: 'text' }),
];
