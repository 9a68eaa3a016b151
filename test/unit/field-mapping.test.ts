import { describe, expect, it } from 'vitest';
import type { Json } from '../../generated/db.js';
import { mapRecord, type FieldMapping } from '../../src/seed/field-mapping.js';

function mapping(external: string, internal: string, rest: Partial<FieldMapping> = {}): FieldMapping {
  return {
    external_field_name: external,
    internal_field_name: internal,
    transformation_rule: null,
    validation_rules: null,
    is_required: false,
    default_value: null,
    ...rest,
  };
}

const validated = (rules: Json) => [mapping('v', 't.v', { validation_rules: rules })];
const errorsFor = (value: unknown, rules: Json) => mapRecord({ v: value }, validated(rules)).errors;

describe('mapRecord', () => {
  it('places values under their table and column, and keys inside a JSONB column', () => {
    const mappings = [
      mapping('plugin.id', 'findings.plugin_id', { transformation_rule: { type: 'integer' } }),
      mapping('plugin.news', 'intel.threat.in_the_news', { transformation_rule: { type: 'boolean' } }),
      mapping('plugin.feed', 'intel.threat.sources.feed'),
    ];
    expect(mapRecord({ plugin: { id: '19506', news: 'yes', feed: 'cisa' } }, mappings)).toEqual({
      rows: { findings: { plugin_id: 19506 }, intel: { threat: { in_the_news: true, sources: { feed: 'cisa' } } } },
      errors: [],
    });
  });

  it('uses the default when the value is missing, and leaves an optional missing field NULL without complaint', () => {
    const mappings = [mapping('a', 't.a', { default_value: 'open' }), mapping('b', 't.b')];
    expect(mapRecord({}, mappings)).toEqual({ rows: { t: { a: 'open', b: null } }, errors: [] });
  });

  it('rejects a record whose required field is missing', () => {
    expect(mapRecord({}, [mapping('id', 't.id', { is_required: true })]).errors).toEqual(['id: required, but empty']);
  });

  it('reports a failed transformation, leaves the field NULL and keeps going', () => {
    const mappings = [mapping('n', 't.n', { transformation_rule: { type: 'integer' } }), mapping('ok', 't.ok')];
    expect(mapRecord({ n: 'x', ok: 1 }, mappings)).toEqual({
      rows: { t: { n: null, ok: 1 } },
      errors: ['n: "x" is not a valid number here'],
    });
  });

  it('checks each validation rule', () => {
    expect(errorsFor('2d520484-6b83-4c63-b3d0-bf094315cc0f', { type: 'uuid' })).toEqual([]);
    expect(errorsFor('2d520484', { type: 'uuid' })).toEqual(['v: "2d520484" is not a UUID']);
    expect(errorsFor('4.5', { type: 'integer' })).toEqual(['v: "4.5" is not a whole number']);
    expect(errorsFor('abc', { type: 'number' })).toEqual(['v: "abc" is not a number']);
    expect(errorsFor(0, { min: 1 })).toEqual(['v: 0 is below 1']);
    expect(errorsFor(11, { max: 10 })).toEqual(['v: 11 is above 10']);
    expect(errorsFor(10, { min: 1, max: 10 })).toEqual([]);
    expect(errorsFor('purple', { enum: ['red', 'green'] })).toEqual(['v: "purple" is not one of red, green']);
    expect(errorsFor('AB-1', { pattern: '^[A-Z]{2}-\\d+$' })).toEqual([]);
    expect(errorsFor('ab-1', { pattern: '^[A-Z]{2}-\\d+$' })).toEqual(['v: "ab-1" does not match ^[A-Z]{2}-\\d+$']);
    expect(errorsFor('abcdef', { max_length: 5 })).toEqual(['v: longer than 5 characters']);
  });

  it('does not validate a missing optional value', () => {
    expect(errorsFor(undefined, { type: 'uuid', min: 5 })).toEqual([]);
  });

  it('validates the default too, and a required field that fails validation is also reported empty', () => {
    const rules = { default_value: 'zz', validation_rules: { type: 'uuid' }, is_required: true };
    const mappings = [mapping('v', 't.v', rules)];
    expect(mapRecord({}, mappings).errors).toEqual(['v: "zz" is not a UUID', 'v: required, but empty']);
  });

  it('lets a bug in a rule escape instead of counting it as bad data', () => {
    const broken = [mapping('v', 't.v', { transformation_rule: { type: 'lookup' } })];
    expect(() => mapRecord({ v: 'x' }, broken)).toThrow(TypeError);
  });
});
