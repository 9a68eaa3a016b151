import { describe, expect, it } from 'vitest';
import {
  addIntervals,
  boundStillAhead,
  ceilTo,
  chooseBound,
  floorTo,
  partitionName,
  partitionsAhead,
} from '../../src/partition/bounds.js';
import { swapStatements, widenedKeys } from '../../src/partition/swap-sql.js';
import { DEFAULT_STORAGE } from '../../src/partition/storage.js';
import type { TableFacts } from '../../src/partition/facts.js';

describe('partition bounds (readings of the data clock)', () => {
  it('floors to the day, the Monday and the first of the month', () => {
    expect(floorTo('day', '2026-12-17 08:30:00')).toBe('2026-12-17 00:00:00');
    expect(floorTo('week', '2026-12-17 08:30:00')).toBe('2026-12-14 00:00:00');
    expect(floorTo('week', '2026-12-14 00:00:00')).toBe('2026-12-14 00:00:00');
    expect(floorTo('week', '2026-12-20 23:59:59')).toBe('2026-12-14 00:00:00');
    expect(floorTo('month', '2026-12-17 08:30:00')).toBe('2026-12-01 00:00:00');
  });

  it('adds months across years and days across a DST change of any zone (readings have none)', () => {
    expect(addIntervals('month', '2026-11-01 00:00:00', 3)).toBe('2027-02-01 00:00:00');
    expect(addIntervals('month', '2026-01-01 00:00:00', -1)).toBe('2025-12-01 00:00:00');
    expect(addIntervals('day', '2026-03-08 00:00:00', 1)).toBe('2026-03-09 00:00:00');
    expect(addIntervals('week', '2026-12-28 00:00:00', 1)).toBe('2027-01-04 00:00:00');
  });

  it('ceils to the next boundary unless on one', () => {
    expect(ceilTo('day', '2026-12-01 00:00:00')).toBe('2026-12-01 00:00:00');
    expect(ceilTo('day', '2026-12-01 00:00:01')).toBe('2026-12-02 00:00:00');
    expect(ceilTo('month', '2026-12-31 23:59:59')).toBe('2027-01-01 00:00:00');
  });

  it('puts the bound at least a day ahead, and after the latest row', () => {
    expect(chooseBound('month', '2026-12-01 12:00:00', null)).toBe('2027-01-01 00:00:00');
    expect(chooseBound('month', '2026-12-31 12:00:00', null)).toBe('2027-02-01 00:00:00');
    expect(chooseBound('day', '2026-12-01 12:00:00', null)).toBe('2026-12-03 00:00:00');
    expect(chooseBound('day', '2026-12-01 12:00:00', '2026-12-05 10:00:00')).toBe('2026-12-06 00:00:00');
    expect(chooseBound('day', '2026-12-01 12:00:00', '2026-12-06 00:00:00')).toBe('2026-12-07 00:00:00');
    expect(boundStillAhead('2026-12-02 00:00:00', '2026-12-01 12:00:00')).toBe(true);
    expect(boundStillAhead('2026-12-02 00:00:00', '2026-12-01 23:30:00')).toBe(false);
  });

  it('names partitions and lists those premake asks for', () => {
    expect(partitionName('api_call_logs', 'month', '2026-12-01 00:00:00')).toBe('api_call_logs_p202612');
    expect(partitionName('api_call_logs', 'week', '2026-12-14 00:00:00')).toBe('api_call_logs_p20261214');
    const ahead = partitionsAhead('t', 'month', '2027-01-01 00:00:00', '2026-12-10 00:00:00', 2);
    expect(ahead.map((p) => `${p.name} ${p.from}..${p.to}`)).toEqual([
      't_p202701 2027-01-01 00:00:00..2027-02-01 00:00:00',
      't_p202702 2027-02-01 00:00:00..2027-03-01 00:00:00',
    ]);
    expect(partitionsAhead('t', 'month', '2027-03-01 00:00:00', '2026-12-10 00:00:00', 2)).toEqual([]);
  });
});

const facts = (over: Partial<TableFacts>): TableFacts => ({
  kind: 'r',
  timeNullable: true,
  timeType: 'timestamp without time zone',
  inbound: [],
  invalidIndexes: [],
  views: [],
  triggers: [],
  policies: [],
  keys: [{ name: 't_pkey', primary: true, columns: ['id'] }],
  indexes: [],
  foreignKeys: [],
  checks: [],
  sequences: [],
  grants: [],
  comment: null,
  storage: DEFAULT_STORAGE,
  ...over,
});

describe('the swap', () => {
  it("gives the parent the heap's comment and replica identity, and the partitions it makes their storage", () => {
    const sql = swapStatements({
      table: 't',
      timeColumn: 'c',
      facts: facts({ comment: "the DBA's \\ note", storage: { options: ['fillfactor=90'], replicaIdentity: 'f' } }),
      bound: '2027-01-01 00:00:00',
      ahead: [{ name: 't_p202701', from: '2027-01-01 00:00:00', to: '2027-02-01 00:00:00' }],
    });
    const attach = sql.indexOf('ALTER TABLE "t" ATTACH PARTITION "t_legacy" DEFAULT');
    expect(sql.indexOf(`COMMENT ON TABLE "t" IS E'the DBA''s \\\\ note'`)).toBeGreaterThan(0);
    expect(sql.indexOf(`COMMENT ON TABLE "t" IS E'the DBA''s \\\\ note'`)).toBeLessThan(attach);
    expect(sql.indexOf('ALTER TABLE "t" REPLICA IDENTITY FULL')).toBeLessThan(attach);
    // The first partition ahead, then the far-future one from where it ends.
    expect(sql.slice(attach + 1)).toEqual([
      `CREATE TABLE IF NOT EXISTS "t_p202701" PARTITION OF "t" FOR VALUES FROM ('2027-01-01 00:00:00'::timestamp) TO ('2027-02-01 00:00:00'::timestamp) WITH (fillfactor = '90')`,
      'ALTER TABLE "t_p202701" REPLICA IDENTITY FULL',
      `CREATE TABLE "t_future" PARTITION OF "t" FOR VALUES FROM ('2027-02-01 00:00:00'::timestamp) TO (MAXVALUE) WITH (fillfactor = '90')`,
      'ALTER TABLE "t_future" REPLICA IDENTITY FULL',
    ]);
    expect(
      swapStatements({ table: 't', timeColumn: 'c', facts: facts({}), bound: '2027-01-01 00:00:00', ahead: [] }).join(
        '\n',
      ),
    ).not.toMatch(/COMMENT ON|REPLICA IDENTITY|WITH \(/);
  });

  it('widens keys: a primary key on a nullable time column becomes UNIQUE, on a NOT NULL one stays a primary key', () => {
    expect(widenedKeys('t', 'c', facts({}))[0]).toMatchObject({
      name: 't_id_c_key',
      primary: false,
      columns: ['id', 'c'],
    });
    expect(widenedKeys('t', 'c', facts({ timeNullable: false }))[0]).toMatchObject({ name: 't_pkey', primary: true });
  });

  it('renames the heap, makes the parent while it is empty, attaches the heap as DEFAULT, then the range partitions', () => {
    const sql = swapStatements({
      table: 't',
      timeColumn: 'c',
      facts: facts({
        indexes: [
          { name: 't_pkey', definition: '', valid: true, constraint: true, unique: true, columns: ['id'] },
          {
            name: 'idx_t_c',
            definition: 'CREATE INDEX idx_t_c ON public.t USING btree (c)',
            valid: true,
            constraint: false,
            unique: false,
            columns: ['c'],
          },
        ],
        foreignKeys: [{ name: 't_u_fkey', definition: 'FOREIGN KEY (u) REFERENCES users(id)' }],
        checks: [{ name: 't_rasdb_before_bound', definition: 'CHECK (c < x)', validated: true }],
        sequences: [{ sequence: 't_id_seq', column: 'id' }],
      }),
      bound: '2027-01-01 00:00:00',
      ahead: [],
    });
    expect(sql[0]).toBe('ALTER TABLE "t" RENAME TO "t_legacy"');
    expect(sql).toContain('ALTER INDEX "idx_t_c" RENAME TO "idx_t_c_legacy"');
    expect(sql.some((s) => s.includes('rasdb_before_bound'))).toBe(false);
    const attach = sql.indexOf('ALTER TABLE "t" ATTACH PARTITION "t_legacy" DEFAULT');
    expect(attach).toBeGreaterThan(sql.indexOf('CREATE INDEX idx_t_c ON public.t USING btree (c)'));
    expect(attach).toBeGreaterThan(
      sql.indexOf('ALTER TABLE "t" ADD CONSTRAINT "t_u_fkey" FOREIGN KEY (u) REFERENCES users(id)'),
    );
    expect(sql.indexOf('ALTER SEQUENCE t_id_seq OWNED BY "t"."id"')).toBeLessThan(attach);
    // The heap's own unique index becomes a constraint first: ATTACH matches a parent's key only with one.
    expect(
      sql.indexOf(
        'ALTER TABLE "t_legacy" ADD CONSTRAINT "t_id_c_key_adopt_legacy" UNIQUE USING INDEX "t_id_c_key_adopt_legacy"',
      ),
    ).toBeLessThan(attach);
    expect(sql.at(-1)).toBe(
      `CREATE TABLE "t_future" PARTITION OF "t" FOR VALUES FROM ('2027-01-01 00:00:00'::timestamp) TO (MAXVALUE)`,
    );
  });
});
