/**
 * The two path grammars of data_field_mappings.
 *
 * external_field_name: a dotted path into the external record (`plugin.cvss3_vector.raw`); `[]` after
 * a segment marks an array (`plugin.see_also[]`); `$` is the whole record; a FedRAMP POA&M column
 * name is a one-segment path. A `#name` suffix tells apart several mappings of one source field,
 * which the table's UNIQUE(external_system_id, entity_type, external_field_name) would otherwise
 * forbid: `plugin.cvss3_vector.raw#AV` and `plugin.cvss3_vector.raw#PR` read the same field and
 * their transformation rules pick different parts of it.
 *
 * internal_field_name: `table.column`, or `table.column.key...` for a key inside a JSONB column
 * (`vulnerability_intelligence.threat_intelligence.in_the_news`).
 */

export interface ExternalPath {
  readonly segments: readonly string[];
  readonly selector: string | null;
}

export interface InternalField {
  readonly table: string;
  readonly column: string;
  readonly jsonPath: readonly string[];
}

/**
 * @example
 * parseExternalField('plugin.cvss3_vector.raw#AV') // { segments: ['plugin', 'cvss3_vector', 'raw'], selector: 'AV' }
 */
export function parseExternalField(name: string): ExternalPath {
  const hash = name.indexOf('#');
  const path = hash < 0 ? name : name.slice(0, hash);
  const selector = hash < 0 ? null : name.slice(hash + 1);
  if (path === '$') return { segments: [], selector };
  // A POA&M column name ("Weakness Name") may hold spaces and dots are not expected in it.
  return { segments: path.split('.').map((segment) => segment.replace(/\[\]$/, '')), selector };
}

/**
 * @example
 * parseInternalField('ingestion_vulnerabilities.severity') // { table: 'ingestion_vulnerabilities', column: 'severity', jsonPath: [] }
 */
export function parseInternalField(name: string): InternalField {
  const [table, column, ...jsonPath] = name.split('.');
  return { table, column: column ?? '', jsonPath };
}

/** The value at `path` in `record`; undefined when any segment is missing. */
export function valueAt(record: unknown, path: ExternalPath): unknown {
  let value: unknown = record;
  for (const segment of path.segments) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}
