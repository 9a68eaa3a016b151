/**
 * Field mappings of Tenable Vulnerability Management exports, by entity type:
 * - `asset`: a record of the assets export (`POST /assets/export`) into ingestion_assets;
 * - `vulnerability`: a finding of the vulnerabilities export (`POST /vulns/export`) into
 *   ingestion_vulnerabilities;
 * - `plugin`: the plugin part of the same finding into vulnerability_intelligence, one row per plugin.
 * Field paths are those of the export records (seeds/reference/tenable). Severity text becomes the
 * 0-4 integer of ingestion_vulnerabilities; the CVSS 3 vector (which Tenable gives without its
 * `CVSS:3.x/` prefix, and whose privileges-required and user-interaction parts only the raw vector
 * holds) becomes attack_vector, attack_complexity, privileges_required and user_interaction with
 * the value names of the design document and FIRST's CVSS v3.1.
 */
import type { JsonObject } from '../../generated/db.js';
import type { Rule } from '../../src/seed/transforms.js';

export interface MappingSpec {
  entity: string;
  external: string;
  internal: string;
  rule: Rule | null;
  validation?: JsonObject | null;
  required?: boolean;
  defaultValue?: string | null;
}

const m = (
  entity: string,
  external: string,
  internal: string,
  rule: Rule | null = null,
  extra: Partial<MappingSpec> = {},
): MappingSpec => ({
  entity,
  external,
  internal,
  rule,
  ...extra,
});

const AV = { N: 'network', A: 'adjacent', L: 'local', P: 'physical' };
const AC = { L: 'low', H: 'high' };
const PR = { N: 'none', L: 'low', H: 'high' };
const UI = { N: 'none', R: 'required' };
const UUID = { type: 'uuid' };

const asset = (external: string, column: string, rule: Rule | null = null, extra: Partial<MappingSpec> = {}) =>
  m('asset', external, `ingestion_assets.${column}`, rule, extra);
const finding = (external: string, column: string, rule: Rule | null = null, extra: Partial<MappingSpec> = {}) =>
  m('vulnerability', external, `ingestion_vulnerabilities.${column}`, rule, extra);
const plugin = (external: string, column: string, rule: Rule | null = null, extra: Partial<MappingSpec> = {}) =>
  m('plugin', external, `vulnerability_intelligence.${column}`, rule, extra);

export const TENABLE_MAPPINGS: MappingSpec[] = [
  asset('id', 'asset_uuid', { type: 'text' }, { validation: UUID, required: true }),
  asset('hostnames[]', 'hostname', { type: 'first', fallback: ['fqdns[]', 'ipv4s[]'] }),
  asset('netbios_names[]', 'netbios_name', { type: 'first' }),
  asset('has_agent', 'has_agent', { type: 'boolean' }, { defaultValue: 'false' }),
  asset('has_plugin_results', 'has_plugin_results', { type: 'boolean' }, { defaultValue: 'false' }),
  asset('first_seen', 'first_seen', { type: 'timestamp_utc' }),
  asset('last_seen', 'last_seen', { type: 'timestamp_utc' }),
  asset('$', 'raw_json'),

  finding('asset.uuid', 'asset_uuid', { type: 'text' }, { validation: UUID, required: true }),
  finding('plugin.id', 'plugin_id', { type: 'integer' }, { validation: { type: 'integer', min: 0 }, required: true }),
  finding('plugin.name', 'plugin_name', { type: 'text' }, { required: true }),
  finding('plugin.family', 'plugin_family', { type: 'truncate', length: 255 }),
  finding(
    'severity',
    'severity',
    { type: 'lookup', map: { info: 0, low: 1, medium: 2, high: 3, critical: 4 } },
    {
      validation: { type: 'integer', min: 0, max: 4 },
      required: true,
    },
  ),
  finding('severity#name', 'severity_name', {
    type: 'lookup',
    map: { info: 'info', low: 'low', medium: 'medium', high: 'high', critical: 'critical' },
  }),
  finding(
    'plugin.cvss_base_score',
    'cvss_base_score',
    { type: 'number' },
    { validation: { type: 'number', min: 0, max: 10 } },
  ),
  finding(
    'plugin.cvss3_base_score',
    'cvss3_base_score',
    { type: 'number' },
    { validation: { type: 'number', min: 0, max: 10 } },
  ),
  finding('plugin.description', 'description', { type: 'text' }),
  finding('plugin.solution', 'solution', { type: 'text' }),
  finding('plugin.risk_factor', 'risk_factor', { type: 'truncate', length: 20 }),
  finding('first_found', 'first_found', { type: 'timestamp_utc' }),
  finding('last_found', 'last_found', { type: 'timestamp_utc' }),
  // Tenable's REOPENED is open again; RAS DASH's third state, Accepted, is set by a risk acceptance.
  finding(
    'state',
    'state',
    { type: 'lookup', map: { OPEN: 'Open', REOPENED: 'Open', FIXED: 'Fixed' } },
    {
      validation: { enum: ['Open', 'Fixed', 'Accepted'] },
      defaultValue: 'Open',
    },
  ),
  finding('$', 'raw_json'),

  plugin('plugin.id', 'plugin_id', { type: 'text' }, { validation: { pattern: '^[0-9]+$' }, required: true }),
  plugin('plugin.cve[]', 'cve_ids'),
  plugin('plugin.family', 'vulnerability_type', { type: 'truncate', length: 100 }),
  plugin('plugin.cvss3_vector.raw#AV', 'attack_vector', { type: 'cvss_vector', metric: 'AV', map: AV }),
  plugin('plugin.cvss3_vector.raw#AC', 'attack_complexity', { type: 'cvss_vector', metric: 'AC', map: AC }),
  plugin('plugin.cvss3_vector.raw#PR', 'privileges_required', { type: 'cvss_vector', metric: 'PR', map: PR }),
  plugin('plugin.cvss3_vector.raw#UI', 'user_interaction', { type: 'cvss_vector', metric: 'UI', map: UI }),
  plugin('plugin.cvss3_vector.raw#exploitability', 'exploitability_score', { type: 'cvss3_exploitability' }),
  plugin('plugin.exploit_available', 'exploit_available', { type: 'boolean' }, { defaultValue: 'false' }),
  plugin('plugin.cvss3_temporal_vector.exploitability', 'exploit_maturity', {
    type: 'lookup',
    map: {
      'Not-defined': null,
      Unproven: 'unproven',
      'Proof-of-concept': 'proof_of_concept',
      Functional: 'functional',
      High: 'high',
    },
  }),
  plugin('plugin.has_patch', 'patch_available', { type: 'boolean' }, { defaultValue: 'false' }),
  plugin('plugin.patch_publication_date', 'patch_release_date', { type: 'date' }),
  plugin('plugin.see_also[]', 'vendor_advisory_url', { type: 'first' }),
  plugin('plugin.exploited_by_malware', 'threat_intelligence.exploited_by_malware', { type: 'boolean' }),
  plugin('plugin.in_the_news', 'threat_intelligence.in_the_news', { type: 'boolean' }),
  plugin('plugin.exploit_framework_metasploit', 'threat_intelligence.metasploit', { type: 'boolean' }),
];
