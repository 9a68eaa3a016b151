/**
 * The `integrations` set: external_systems templates, their data_field_mappings and one
 * sync_policies row per system and entity type.
 *
 * Ownership: a template's vendor facts (type, authentication method, API version, rate-limit,
 * retry and webhook settings) are the seed's and follow rasdb's updates; its base URL, connection
 * references, schedule and on/off switches are written once and then belong to the operator. A
 * mapping is wholly the seed's. A sync policy's direction, conflict strategy and field-level
 * policies are the seed's; its filters, batch size and active flag are the operator's.
 */
import type { JsonObject } from '../../generated/db.js';
import { assertNoSecrets } from '../../src/seed/connection-config.js';
import { assertRule } from '../../src/seed/definition-shapes.js';
import { parseInternalField } from '../../src/seed/field-paths.js';
import { defineTable, type BuiltSet } from '../../src/seed/types.js';
import { EXTERNAL_SYSTEMS, QUALYS, TENABLE, XACTA } from './external-systems.js';
import { POAM_MAPPINGS } from './poam-mappings.js';
import { TENABLE_MAPPINGS, type MappingSpec } from './tenable-mappings.js';

const SYSTEM_LOOKUP = { external_system_id: { table: 'external_systems', key: ['system_name'] } } as const;
const EXTERNAL_WINS = { default: 'external_wins' };

interface PolicySpec {
  system: string;
  entity: string;
  direction: 'inbound' | 'outbound' | 'bidirectional';
  strategy: 'external_wins' | 'internal_wins' | 'manual' | 'newest_wins';
  fields: JsonObject;
  filters: JsonObject | null;
  batchSize: number;
}

const POLICIES: PolicySpec[] = [
  {
    system: TENABLE,
    entity: 'asset',
    direction: 'inbound',
    strategy: 'external_wins',
    fields: { ...EXTERNAL_WINS, 'ingestion_assets.criticality_rating': 'internal_wins' },
    filters: { updated_at: '{last_sync_time}' },
    batchSize: 1000,
  },
  {
    system: TENABLE,
    entity: 'vulnerability',
    direction: 'inbound',
    strategy: 'external_wins',
    // A risk acceptance made in RAS DASH must survive the next export, which still says OPEN.
    fields: {
      ...EXTERNAL_WINS,
      'ingestion_vulnerabilities.state': { strategy: 'internal_wins', when_internal: ['Accepted'] },
    },
    filters: {
      since: '{last_sync_time}',
      state: ['OPEN', 'REOPENED', 'FIXED'],
      severity: ['low', 'medium', 'high', 'critical'],
    },
    batchSize: 500,
  },
  {
    system: TENABLE,
    entity: 'plugin',
    direction: 'inbound',
    strategy: 'external_wins',
    fields: EXTERNAL_WINS,
    filters: null,
    batchSize: 500,
  },
  {
    system: XACTA,
    entity: 'poam',
    direction: 'bidirectional',
    strategy: 'manual',
    fields: {
      default: 'manual',
      'poams_extended.status': 'internal_wins',
      'poams_extended.external_poam_id': 'external_wins',
    },
    filters: { status: ['open', 'in_progress'] },
    batchSize: 100,
  },
  {
    system: XACTA,
    entity: 'control',
    direction: 'bidirectional',
    strategy: 'newest_wins',
    fields: { default: 'newest_wins' },
    filters: null,
    batchSize: 500,
  },
  {
    system: XACTA,
    entity: 'system',
    direction: 'inbound',
    strategy: 'external_wins',
    fields: EXTERNAL_WINS,
    filters: null,
    batchSize: 100,
  },
  {
    system: QUALYS,
    entity: 'asset',
    direction: 'inbound',
    strategy: 'external_wins',
    fields: EXTERNAL_WINS,
    filters: null,
    batchSize: 1000,
  },
  {
    system: QUALYS,
    entity: 'vulnerability',
    direction: 'inbound',
    strategy: 'external_wins',
    fields: EXTERNAL_WINS,
    filters: { status: ['New', 'Active', 'Re-Opened', 'Fixed'] },
    batchSize: 1000,
  },
];

/**
 * Builds the set; throws before anything is written if a template holds a secret or a mapping
 * names an unknown transformation rule.
 *
 * @example
 * integrationsSet().tables.map((t) => t.table) // ['external_systems', 'data_field_mappings', 'sync_policies']
 */
export function integrationsSet(): BuiltSet {
  for (const system of EXTERNAL_SYSTEMS) {
    // A webhook's signing secret or a retry header is a secret as much as an API key is.
    for (const column of ['connection_config', 'webhook_config', 'retry_config', 'rate_limit_config'] as const) {
      assertNoSecrets(`external_systems ${system.system_name}`, system[column], column);
    }
  }
  const systems = defineTable({
    table: 'external_systems',
    key: ['system_name'],
    owned: [
      'system_type',
      'authentication_method',
      'api_version',
      'rate_limit_config',
      'retry_config',
      'webhook_config',
    ],
    initial: ['api_base_url', 'connection_config', 'sync_enabled', 'sync_frequency_minutes', 'is_active'],
    stamp: 'updated_at',
    rows: EXTERNAL_SYSTEMS.map((values) => ({ key: values.system_name, values })),
  });
  const mappingRows = (system: string, specs: MappingSpec[]) =>
    specs.map((spec) => {
      assertRule(`data_field_mappings ${system}/${spec.entity}/${spec.external}`, spec.rule);
      return {
        key: `${system}/${spec.entity}/${spec.external}`,
        parents: { external_system_id: [system] },
        // A mapping into a table of a later phase (poams_extended, phase 3) waits for that table.
        requires: [parseInternalField(spec.internal).table],
        values: {
          entity_type: spec.entity,
          external_field_name: spec.external,
          internal_field_name: spec.internal,
          transformation_rule: spec.rule,
          validation_rules: spec.validation ?? null,
          is_required: spec.required ?? false,
          default_value: spec.defaultValue ?? null,
        },
      };
    });
  const mappings = defineTable({
    table: 'data_field_mappings',
    key: ['external_system_id', 'entity_type', 'external_field_name'],
    owned: ['internal_field_name', 'transformation_rule', 'validation_rules', 'is_required', 'default_value'],
    stamp: 'updated_at',
    lookups: SYSTEM_LOOKUP,
    rows: [...mappingRows(TENABLE, TENABLE_MAPPINGS), ...mappingRows(XACTA, POAM_MAPPINGS)],
  });
  const policies = defineTable({
    table: 'sync_policies',
    key: ['external_system_id', 'entity_type'],
    owned: ['sync_direction', 'conflict_resolution_strategy', 'field_level_policies'],
    initial: ['filters', 'batch_size', 'is_active'],
    stamp: 'updated_at',
    lookups: SYSTEM_LOOKUP,
    rows: POLICIES.map((p) => ({
      key: `${p.system}/${p.entity}`,
      parents: { external_system_id: [p.system] },
      values: {
        entity_type: p.entity,
        sync_direction: p.direction,
        conflict_resolution_strategy: p.strategy,
        field_level_policies: p.fields,
        filters: p.filters,
        batch_size: p.batchSize,
        is_active: true,
      },
    })),
  });
  return { tables: [systems, mappings, policies] };
}
