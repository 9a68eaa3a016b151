import { describe, expect, it } from 'vitest';
import type { Catalog, CatalogColumn, CatalogTable } from '../../src/catalog/catalog.js';
import { diffCatalogs } from '../../src/catalog/catalog-diff.js';

const column = (name: string, type: string, notNull = false, defaultValue: string | null = null): CatalogColumn => ({
  name,
  type,
  notNull,
  default: defaultValue,
});

function alerts(overrides: Partial<CatalogTable> = {}): CatalogTable {
  return {
    name: 'alerts',
    columns: [
      column('id', 'integer', true, "nextval('alerts_id_seq'::regclass)"),
      column('severity', 'character varying(20)', true, "'low'::character varying"),
      column('note', 'text'),
    ],
    constraints: [{ name: 'alerts_pkey', type: 'p', definition: 'PRIMARY KEY (id)' }],
    indexes: [{ name: 'alerts_pkey', definition: 'CREATE UNIQUE INDEX alerts_pkey ON public.alerts USING btree (id)' }],
    sequences: [{ name: 'alerts_id_seq', column: 'id', dataType: 'integer' }],
    ...overrides,
  };
}

const users: CatalogTable = {
  name: 'users',
  columns: [column('id', 'integer', true)],
  constraints: [],
  indexes: [],
  sequences: [],
};
const catalog = (...tables: CatalogTable[]): Catalog => ({ schema: 'public', tables });

describe('diffCatalogs', () => {
  it('finds nothing when both sides are the same', () => {
    const same = diffCatalogs(catalog(alerts(), users), catalog(alerts(), users));
    expect(same).toEqual({ differences: [], unmanagedTables: [] });
  });

  it('does not compare column order', () => {
    const reordered = alerts({ columns: [...alerts().columns].reverse() });
    expect(diffCatalogs(catalog(alerts()), catalog(reordered)).differences).toEqual([]);
  });

  it('reports a missing table with its column count, and nothing inside it', () => {
    expect(diffCatalogs(catalog(alerts(), users), catalog(users)).differences).toEqual([
      { kind: 'missing', type: 'table', object: 'alerts', expected: '3 columns' },
    ]);
  });

  it('lists live tables no migration makes as unmanaged, not as differences', () => {
    const audit: CatalogTable = { ...users, name: 'zz_audit' };
    const diff = diffCatalogs(catalog(users), catalog(audit, users));
    expect(diff).toEqual({ differences: [], unmanagedTables: ['zz_audit'] });
  });

  it('reports missing and extra columns', () => {
    const [id, severity] = alerts().columns;
    const live = alerts({ columns: [id, severity, column('legacy_flag', 'boolean', true, 'false')] });
    expect(diffCatalogs(catalog(alerts()), catalog(live)).differences).toEqual([
      { kind: 'missing', type: 'column', object: 'alerts.note', expected: 'text' },
      { kind: 'extra', type: 'column', object: 'alerts.legacy_flag', actual: 'boolean NOT NULL DEFAULT false' },
    ]);
  });

  it('says how a column changed: type, nullability and default', () => {
    const changed = (c: CatalogColumn) => alerts({ columns: [alerts().columns[0], c, alerts().columns[2]] });
    const diff = (c: CatalogColumn) => diffCatalogs(catalog(alerts()), catalog(changed(c))).differences;
    expect(diff(column('severity', 'text', true, "'low'::character varying"))).toEqual([
      {
        kind: 'changed',
        type: 'column',
        object: 'alerts.severity',
        expected: "character varying(20) NOT NULL DEFAULT 'low'::character varying",
        actual: "text NOT NULL DEFAULT 'low'::character varying",
        detail: 'type: character varying(20) -> text',
      },
    ]);
    expect(diff(column('severity', 'character varying(20)', false, null))[0].detail).toBe(
      "NOT NULL dropped; default: 'low'::character varying -> none",
    );
    const strictNote = alerts({ columns: [...alerts().columns.slice(0, 2), column('note', 'text', true, "''")] });
    const note = diffCatalogs(catalog(alerts()), catalog(strictNote));
    expect(note.differences[0]).toMatchObject({ object: 'alerts.note', detail: "NOT NULL added; default: none -> ''" });
  });

  it('reports missing, extra and changed constraints by name', () => {
    const live = alerts({
      constraints: [
        { name: 'alerts_pkey', type: 'p', definition: 'PRIMARY KEY (id, severity)' },
        { name: 'alerts_note_check', type: 'c', definition: "CHECK ((note <> ''::text))" },
      ],
    });
    const unique = { name: 'alerts_severity_key', type: 'u', definition: 'UNIQUE (severity)' } as const;
    const want = alerts({ constraints: [...alerts().constraints, unique] });
    expect(diffCatalogs(catalog(want), catalog(live)).differences).toEqual([
      {
        kind: 'changed',
        type: 'constraint',
        object: 'alerts.alerts_pkey',
        expected: 'PRIMARY KEY (id)',
        actual: 'PRIMARY KEY (id, severity)',
      },
      { kind: 'missing', type: 'constraint', object: 'alerts.alerts_severity_key', expected: 'UNIQUE (severity)' },
      { kind: 'extra', type: 'constraint', object: 'alerts.alerts_note_check', actual: "CHECK ((note <> ''::text))" },
    ]);
  });

  it('reports indexes by name and definition', () => {
    const index = {
      name: 'alerts_note_idx',
      definition: 'CREATE INDEX alerts_note_idx ON public.alerts USING btree (note)',
    };
    const hash = { ...index, definition: 'CREATE INDEX alerts_note_idx ON public.alerts USING hash (note)' };
    const want = alerts({ indexes: [...alerts().indexes, index] });
    expect(diffCatalogs(catalog(want), catalog(alerts())).differences).toEqual([
      { kind: 'missing', type: 'index', object: 'alerts.alerts_note_idx', expected: index.definition },
    ]);
    expect(diffCatalogs(catalog(alerts()), catalog(want)).differences).toEqual([
      { kind: 'extra', type: 'index', object: 'alerts.alerts_note_idx', actual: index.definition },
    ]);
    const changed = diffCatalogs(catalog(want), catalog(alerts({ indexes: [...alerts().indexes, hash] }))).differences;
    expect(changed).toEqual([
      {
        kind: 'changed',
        type: 'index',
        object: 'alerts.alerts_note_idx',
        expected: index.definition,
        actual: hash.definition,
      },
    ]);
  });

  it('reports owned sequences by type and owning column', () => {
    const bigint = alerts({ sequences: [{ name: 'alerts_id_seq', column: 'id', dataType: 'bigint' }] });
    expect(diffCatalogs(catalog(alerts()), catalog(bigint)).differences).toEqual([
      {
        kind: 'changed',
        type: 'sequence',
        object: 'alerts.alerts_id_seq',
        expected: 'integer owned by alerts.id',
        actual: 'bigint owned by alerts.id',
      },
    ]);
    expect(diffCatalogs(catalog(alerts()), catalog(alerts({ sequences: [] }))).differences).toEqual([
      { kind: 'missing', type: 'sequence', object: 'alerts.alerts_id_seq', expected: 'integer owned by alerts.id' },
    ]);
  });

  it('orders differences by table, then columns, constraints, indexes and sequences', () => {
    const live = alerts({ columns: alerts().columns.slice(0, 2), constraints: [], indexes: [], sequences: [] });
    const kinds = diffCatalogs(catalog(alerts(), users), catalog(live)).differences.map((d) => `${d.type} ${d.object}`);
    expect(kinds).toEqual([
      'column alerts.note',
      'constraint alerts.alerts_pkey',
      'index alerts.alerts_pkey',
      'sequence alerts.alerts_id_seq',
      'table users',
    ]);
  });
});
