import type pg from 'pg';
import { ExitCode, RasdbError } from '../errors.js';
import type { VerifyContext } from './sets.js';
import type { BuiltSet } from './types.js';

/** The one shape every metric query returns: name and PostgreSQL type OID of each column. */
export const METRIC_SHAPE = [
  { name: 'dimension', type: 'text', oid: 25 },
  { name: 'value', type: 'numeric', oid: 1700 },
  { name: 'sample_size', type: 'bigint', oid: 20 },
] as const;

/**
 * Runs every metric query whose tables exist with `LIMIT 0` (planned and started, no rows read)
 * and checks it returns the metric shape; a metric that fails here is a bug in rasdb, found
 * before it reaches metrics_definitions.
 *
 * @example
 * await verifyMetricQueries({ client, db, presentTables }, metricsSet());
 */
export async function verifyMetricQueries(context: VerifyContext, built: BuiltSet): Promise<void> {
  const problems: string[] = [];
  for (const row of readyRows(context, built, 'metrics_definitions')) {
    const fields = await resultFields(context.client, String(row.values.sql_query), `metric ${row.key}`);
    const got = fields.map((f) => `${f.name}:${f.dataTypeID}`).join(', ');
    const want = METRIC_SHAPE.map((c) => `${c.name}:${c.oid}`).join(', ');
    if (got !== want) problems.push(`metric ${row.key} returns (${got}), not (${want})`);
  }
  fail(problems);
}

/**
 * Runs every table section of every report template with `LIMIT 0` and checks that its result
 * columns are exactly the section's declared columns, in order.
 */
export async function verifyReportQueries(context: VerifyContext, built: BuiltSet): Promise<void> {
  const problems: string[] = [];
  for (const row of readyRows(context, built, 'report_templates')) {
    const sections = (
      row.values.template_definition as {
        sections: { id: string; type: string; query?: string; columns?: { name: string }[] }[];
      }
    ).sections;
    for (const section of sections.filter((s) => s.type === 'table')) {
      const fields = await resultFields(
        context.client,
        section.query ?? '',
        `report ${row.key}, section ${section.id}`,
      );
      const got = fields.map((f) => f.name);
      const want = (section.columns ?? []).map((c) => c.name);
      if (got.join('\u0000') !== want.join('\u0000'))
        problems.push(
          `report ${row.key}, section ${section.id} returns [${got.join(', ')}], declares [${want.join(', ')}]`,
        );
    }
  }
  fail(problems);
}

function readyRows(context: VerifyContext, built: BuiltSet, table: string): BuiltSet['tables'][number]['rows'] {
  const rows = built.tables.find((t) => t.table === table)?.rows ?? [];
  return rows.filter((row) => (row.requires ?? []).every((name) => context.presentTables.has(name)));
}

async function resultFields(client: pg.Client, query: string, what: string): Promise<pg.FieldDef[]> {
  try {
    return (await client.query(`SELECT * FROM (${query}) AS q LIMIT 0`)).fields;
  } catch (error) {
    throw new RasdbError(
      ExitCode.failed,
      `internal error: the query of ${what} fails on this database: ${(error as Error).message} (this is a bug in rasdb)`,
    );
  }
}

function fail(problems: string[]): void {
  if (problems.length)
    throw new RasdbError(ExitCode.failed, `internal error: ${problems.join('; ')} (this is a bug in rasdb)`);
}
