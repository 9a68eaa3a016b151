import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { reasonOf, unexamined, type DeleteTarget } from '../../src/retention/batch-delete.js';
import type { Hold } from '../../src/ledger/retention-holds.js';
import type { EffectivePolicy } from '../../src/retention/policies.js';
import { POLICIES } from '../../src/retention/policies.js';
import { summaryNamed } from '../../src/retention/summaries.js';
import { detailTarget, referencesOf, summaryTarget } from '../../src/retention/targets.js';
import type { CatalogReference } from '../../src/catalog/references.js';
import { compileSql } from './support/compile-sql.js';

function effective(name: string): EffectivePolicy {
  const definition = POLICIES.find((p) => p.name === name);
  if (!definition) throw new Error(`no policy ${name}`);
  return {
    ...definition,
    changed: false,
    belowComplianceMinimum: false,
    detailCutoff: '2026-03-03 00:00:00',
    summaryCutoff: definition.keepSummary === null ? null : '2025-06-01 00:00:00',
  };
}

const hold: Hold = {
  id: 1,
  table: 'integration_operations',
  from: null,
  until: '2025-01-01 00:00:00',
  ids: null,
  reason: 'case',
  placedBy: 'legal',
  placedAt: '2026-01-01 00:00:00',
  releasedAt: null,
  releasedBy: null,
  releaseReason: null,
};

/** The document's three keys onto integration_operations, as the catalog lists them (by schema, table). */
function catalogRef(table: string, columns: string[], extra: Partial<CatalogReference> = {}): CatalogReference {
  return {
    referenced: 'integration_operations',
    constraint: `${table}_fkey`,
    schema: 'public',
    table,
    columns,
    referencedColumns: ['operation_id'],
    onDelete: 'no action',
    ...extra,
  };
}
const OPS_CATALOG = [
  catalogRef('api_call_logs', ['operation_id']),
  catalogRef('integration_operations', ['parent_operation_id']),
  catalogRef('sync_conflicts', ['operation_id']),
];

describe('targets', () => {
  it("gives integration operations the keys of the catalog, the document's first under their old reasons", () => {
    const ops = detailTarget(effective('integration_operations'), OPS_CATALOG);
    expect(ops).toMatchObject({ table: 'integration_operations', timeColumn: 'started_at' });
    expect(ops.references.map((r) => `${r.reason}: ${r.table}.${r.columns.join(',')}`)).toEqual([
      'referenced_by_api_call_logs: api_call_logs.operation_id',
      'referenced_by_sync_conflicts: sync_conflicts.operation_id',
      'referenced_by_child_operation: integration_operations.parent_operation_id',
    ]);
    const api = detailTarget(effective('api_call_logs'), []);
    expect(api).toMatchObject({ references: [], timeColumn: 'called_at' });
  });

  it("names any other key by its schema and table, after the document's, and marks those that cascade", () => {
    const mine = catalogRef('tickets', ['op'], { schema: 'ops', onDelete: 'cascade' });
    const nulling = catalogRef('notes', ['op'], { onDelete: 'set null' });
    const refs = referencesOf([mine, ...OPS_CATALOG, nulling]);
    expect(refs.map((r) => [r.reason, r.cascades])).toEqual([
      ['referenced_by_api_call_logs', false],
      ['referenced_by_sync_conflicts', false],
      ['referenced_by_child_operation', false],
      ['referenced_by_ops.tickets', true],
      ['referenced_by_public.notes', true],
    ]);
  });

  it('prunes a summary by its bucket column; it has no id column', () => {
    expect(summaryTarget(summaryNamed('performance_metrics_hourly'), [])).toEqual({
      policy: 'performance_metrics',
      table: 'performance_metrics_hourly',
      timeColumn: 'hour',
      idColumn: null,
      references: [],
    });
  });
});

describe('unexamined', () => {
  const api: DeleteTarget = { ...detailTarget(effective('api_call_logs'), []), examinedUpTo: 5_000 };

  it('is the rows above the id every summary has examined, bound as a parameter', () => {
    const condition = unexamined(api);
    expect(condition && compileSql(condition)).toEqual({ sql: '"s"."id" > $1', parameters: [5_000] });
    const aliased = unexamined(api, 'r');
    expect(aliased && compileSql(aliased).sql).toBe('"r"."id" > $1');
  });

  it('is null for tables without summaries or without an id column', () => {
    expect(unexamined(detailTarget(effective('security_events_extended'), []))).toBeNull();
    expect(unexamined({ ...summaryTarget(summaryNamed('api_call_daily_summary'), []), examinedUpTo: 5 })).toBeNull();
  });

  it('treats an examined id of 0 as a bound, not as missing', () => {
    const condition = unexamined({ ...api, examinedUpTo: 0 });
    expect(condition && compileSql(condition).parameters).toEqual([0]);
  });
});

describe('reasonOf', () => {
  const ops: DeleteTarget = { ...detailTarget(effective('integration_operations'), OPS_CATALOG), examinedUpTo: 70 };

  it('is null for tables nothing references', () => {
    expect(reasonOf(detailTarget(effective('api_call_logs'), []), [hold])).toBeNull();
  });

  it('gives the first reason that applies: a hold, not yet examined, then each reference in order', () => {
    const reason = reasonOf(ops, [hold]);
    const { sql: text, parameters } = reason ? compileSql(reason) : { sql: '', parameters: [] };
    expect([...text.matchAll(/THEN '(\w+)'/g)].map((m) => m[1])).toEqual(['legal_hold', 'not_yet_summarized']);
    // The reasons of keys come from the catalog: bound, never spliced.
    expect(parameters).toEqual([
      '2025-01-01 00:00:00',
      70,
      'referenced_by_api_call_logs',
      'referenced_by_sync_conflicts',
      'referenced_by_child_operation',
    ]);
    expect(text).toContain('WHEN "s"."id" > $2 THEN');
    expect(text).toContain(
      'FROM "public"."integration_operations" AS r WHERE "r"."parent_operation_id" = "s"."operation_id"',
    );
  });

  it('matches every column of a composite key, quoting names from the catalog', () => {
    const composite = catalogRef('odd"name', ['a', 'b'], { schema: 'x.y' });
    const reason = reasonOf(
      { ...ops, references: referencesOf([{ ...composite, referencedColumns: ['operation_id', 'status'] }]) },
      [],
    );
    expect(reason && compileSql(reason).sql).toContain(
      'FROM "x.y"."odd""name" AS r WHERE "r"."a" = "s"."operation_id" AND "r"."b" = "s"."status")',
    );
  });

  it('leaves out the hold and examined branches when neither applies', () => {
    const reason = reasonOf({ ...ops, examinedUpTo: undefined }, []);
    const text = reason ? compileSql(reason).sql : '';
    expect(text).not.toContain('legal_hold');
    expect(text).not.toContain('not_yet_summarized');
    expect(text.match(/WHEN EXISTS/g)).toHaveLength(3);
  });

  it('ignores referencing rows the same run deletes, for a dry run', () => {
    const going = sql<boolean>`r.called_at < now()`;
    const alsoGoing = (r: { table: string }) => (r.table === 'api_call_logs' ? going : null);
    const reason = reasonOf({ ...ops, examinedUpTo: undefined }, [], alsoGoing);
    expect(reason && compileSql(reason).sql).toContain(
      `WHERE "r"."operation_id" = "s"."operation_id" AND NOT (r.called_at < now())) THEN $1::text`,
    );
  });
});
