import { describe, expect, it } from 'vitest';
import { parseExternalField, parseInternalField, valueAt } from '../../src/seed/field-paths.js';

describe('parseExternalField', () => {
  it('splits a dotted path into segments', () => {
    const path = parseExternalField('plugin.cvss3_vector.raw');
    expect(path).toEqual({ segments: ['plugin', 'cvss3_vector', 'raw'], selector: null });
  });

  it('drops the [] that marks an array segment', () => {
    expect(parseExternalField('plugin.see_also[]').segments).toEqual(['plugin', 'see_also']);
  });

  it('reads a #name suffix as the selector, which tells mappings of one field apart', () => {
    const path = parseExternalField('plugin.cvss3_vector.raw#AV');
    expect(path).toEqual({ segments: ['plugin', 'cvss3_vector', 'raw'], selector: 'AV' });
    expect(parseExternalField('plugin.raw#')).toEqual({ segments: ['plugin', 'raw'], selector: '' });
  });

  it('reads $ as the whole record, with or without a selector', () => {
    expect(parseExternalField('$')).toEqual({ segments: [], selector: null });
    expect(parseExternalField('$#copy')).toEqual({ segments: [], selector: 'copy' });
  });

  it('keeps a POA&M column name with spaces as one segment', () => {
    expect(parseExternalField('Weakness Name')).toEqual({ segments: ['Weakness Name'], selector: null });
  });
});

describe('parseInternalField', () => {
  it('reads table.column', () => {
    expect(parseInternalField('ingestion_vulnerabilities.severity')).toEqual({
      table: 'ingestion_vulnerabilities',
      column: 'severity',
      jsonPath: [],
    });
  });

  it('reads the keys after the column as a path inside a JSONB column', () => {
    expect(parseInternalField('vulnerability_intelligence.threat_intelligence.in_the_news')).toEqual({
      table: 'vulnerability_intelligence',
      column: 'threat_intelligence',
      jsonPath: ['in_the_news'],
    });
  });

  it('gives an empty column for a bare table name', () => {
    expect(parseInternalField('assets')).toEqual({ table: 'assets', column: '', jsonPath: [] });
  });
});

describe('valueAt', () => {
  const record = { plugin: { cvss3_vector: { raw: 'AV:N' }, see_also: ['a', 'b'], zero: 0, none: null } };

  it('follows the segments into nested objects', () => {
    expect(valueAt(record, parseExternalField('plugin.cvss3_vector.raw'))).toBe('AV:N');
    expect(valueAt(record, parseExternalField('plugin.see_also[]'))).toEqual(['a', 'b']);
    expect(valueAt(record, parseExternalField('plugin.zero'))).toBe(0);
  });

  it('gives the whole record for $', () => {
    expect(valueAt(record, parseExternalField('$'))).toBe(record);
  });

  it('is undefined when a segment is missing or the path runs through a non-object', () => {
    expect(valueAt(record, parseExternalField('plugin.missing.raw'))).toBeUndefined();
    expect(valueAt(record, parseExternalField('plugin.none.raw'))).toBeUndefined();
    expect(valueAt(record, parseExternalField('plugin.cvss3_vector.raw.deeper'))).toBeUndefined();
    expect(valueAt(null, parseExternalField('plugin'))).toBeUndefined();
  });

  it('keeps a null value found at the end of the path', () => {
    expect(valueAt(record, parseExternalField('plugin.none'))).toBeNull();
  });
});
