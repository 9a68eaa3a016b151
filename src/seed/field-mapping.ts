import type { Kysely } from 'kysely';
import type { DB, Json } from '../../generated/db.js';
import { parseExternalField, parseInternalField, valueAt } from './field-paths.js';
import { TransformError, transform, type Rule, type TransformContext } from './transforms.js';

/** A data_field_mappings row as the mapper reads it. */
export interface FieldMapping {
  external_field_name: string;
  internal_field_name: string;
  transformation_rule: Json | null;
  validation_rules: Json | null;
  is_required: boolean | null;
  default_value: string | null;
}

/**
 * The mappings of one external system type and entity type, as the database holds them now (an
 * operator's edits included), in the order they were created.
 *
 * @example
 * const mappings = await readMappings(db, 'tenable', 'vulnerability');
 */
export async function readMappings(db: Kysely<DB>, systemType: string, entityType: string): Promise<FieldMapping[]> {
  return db
    .selectFrom('data_field_mappings as m')
    .innerJoin('external_systems as s', 's.id', 'm.external_system_id')
    .select([
      'm.external_field_name',
      'm.internal_field_name',
      'm.transformation_rule',
      'm.validation_rules',
      'm.is_required',
      'm.default_value',
    ])
    .where('s.system_type', '=', systemType)
    .where('m.entity_type', '=', entityType)
    .orderBy('m.id')
    .execute();
}

/** One record mapped: a row per target table (`{ column: value }`), or the reasons it was rejected. */
export interface MappedRecord {
  rows: Record<string, Record<string, unknown>>;
  errors: string[];
}

/**
 * Applies every mapping to one external record: extracts the field, transforms it, falls back to
 * the default, validates, and places the value under its table and column (or a key inside a
 * JSONB column). A required field that ends up empty or invalid rejects the record; an optional
 * one is left NULL and reported.
 *
 * @example
 * mapRecord(finding, mappings, { record: finding }).rows.ingestion_vulnerabilities.severity // 4
 */
export function mapRecord(
  record: unknown,
  mappings: readonly FieldMapping[],
  context: Omit<TransformContext, 'record'> = {},
): MappedRecord {
  const result: MappedRecord = { rows: {}, errors: [] };
  for (const mapping of mappings) {
    const target = parseInternalField(mapping.internal_field_name);
    let value: unknown;
    try {
      value = transform(
        mapping.transformation_rule as Rule | null,
        valueAt(record, parseExternalField(mapping.external_field_name)),
        { ...context, record },
      );
      if ((value === null || value === undefined) && mapping.default_value !== null) value = mapping.default_value;
      const problem = invalid(value, mapping.validation_rules as Record<string, unknown> | null);
      if (problem) throw new TransformError(problem);
    } catch (error) {
      if (!(error instanceof TransformError)) throw error;
      result.errors.push(`${mapping.external_field_name}: ${error.message}`);
      value = null;
    }
    if ((value === null || value === undefined) && mapping.is_required)
      result.errors.push(`${mapping.external_field_name}: required, but empty`);
    const row = (result.rows[target.table] ??= {});
    place(row, target.column, target.jsonPath, value ?? null);
  }
  return result;
}

function place(row: Record<string, unknown>, column: string, path: readonly string[], value: unknown): void {
  if (path.length === 0) {
    row[column] = value;
    return;
  }
  let node = (row[column] ??= {}) as Record<string, unknown>;
  for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
  node[path[path.length - 1]] = value;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** validation_rules: `type` (uuid, integer, number), `min`, `max`, `enum`, `pattern`, `max_length`. */
function invalid(value: unknown, rules: Record<string, unknown> | null): string | undefined {
  if (!rules || value === null || value === undefined) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a scalar from an external record, checked as text (see transform)
  const text = String(value);
  if (rules.type === 'uuid' && !UUID.test(text)) return `"${text}" is not a UUID`;
  if (rules.type === 'integer' && !Number.isInteger(Number(value))) return `"${text}" is not a whole number`;
  if (rules.type === 'number' && !Number.isFinite(Number(value))) return `"${text}" is not a number`;
  if (typeof rules.min === 'number' && Number(value) < rules.min) return `${text} is below ${rules.min}`;
  if (typeof rules.max === 'number' && Number(value) > rules.max) return `${text} is above ${rules.max}`;
  if (Array.isArray(rules.enum) && !rules.enum.includes(value))
    return `"${text}" is not one of ${rules.enum.join(', ')}`;
  if (typeof rules.pattern === 'string' && !new RegExp(rules.pattern).test(text))
    return `"${text}" does not match ${rules.pattern}`;
  if (typeof rules.max_length === 'number' && text.length > rules.max_length)
    return `longer than ${rules.max_length} characters`;
  return undefined;
}
