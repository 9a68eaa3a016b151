import { sql, type Kysely } from 'kysely';
import type { DB } from '../../generated/db.js';
import { ExitCode, RasdbError } from '../errors.js';
import { parseInternalField } from './field-paths.js';
import type { BuiltSet } from './types.js';

/**
 * Every mapping's internal_field_name must name a column this database has (and a key inside a
 * column only when that column is JSONB), checked before the integrations set writes.
 *
 * @example
 * await verifyMappingTargets(db, integrationsSet(), new Set(['ingestion_assets', 'ingestion_vulnerabilities']));
 */
export async function verifyMappingTargets(
  db: Kysely<DB>,
  built: BuiltSet,
  presentTables: ReadonlySet<string>,
): Promise<void> {
  const all = built.tables.find((table) => table.table === 'data_field_mappings')?.rows ?? [];
  const mappings = all.filter((row) => (row.requires ?? []).every((table) => presentTables.has(table)));
  const problems = await mappingTargetProblems(
    db,
    mappings.map((row) => ({ name: row.key, internal: String(row.values.internal_field_name) })),
  );
  if (problems.length)
    throw new RasdbError(
      ExitCode.failed,
      `internal error: field mappings name unknown targets (this is a bug in rasdb): ${problems.join('; ')}`,
    );
}

/**
 * What is wrong with the targets of these mappings, if anything: a table other than `table` (when
 * given), a column the database does not have, a key inside a column that is not JSONB. Mappings
 * are configuration, so their identifiers are checked against the catalog before any use.
 *
 * @example
 * await mappingTargetProblems(db, [{ name: 'severity', internal: 'ingestion_vulnerabilities.severity' }]) // []
 */
export async function mappingTargetProblems(
  db: Kysely<DB>,
  mappings: readonly { name: string; internal: string }[],
  table?: string,
): Promise<string[]> {
  const targets = mappings.map((mapping) => ({ name: mapping.name, field: parseInternalField(mapping.internal) }));
  const { rows } = await sql<{ table_name: string; column_name: string; data_type: string }>`
    SELECT table_name::text, column_name::text, data_type::text FROM information_schema.columns
     WHERE table_schema = current_schema() AND table_name = ANY(${[...new Set(targets.map((t) => t.field.table))]}::text[])`.execute(
    db,
  );
  const types = new Map(rows.map((row) => [`${row.table_name}.${row.column_name}`, row.data_type]));
  return targets.flatMap(({ name, field }) => {
    const type = types.get(`${field.table}.${field.column}`);
    if (table !== undefined && field.table !== table) return [`${name} maps to table ${field.table}, not ${table}`];
    if (type === undefined)
      return [`${name} maps to ${field.table}.${field.column}, which this database does not have`];
    if (field.jsonPath.length && type !== 'jsonb')
      return [`${name} maps into ${field.table}.${field.column}, which is not JSONB`];
    return [];
  });
}
