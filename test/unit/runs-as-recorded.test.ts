import { describe, expect, it } from 'vitest';
import { runsAsRecorded } from '../../src/migrate/runs-as-recorded.js';

const ddl = (...statements: string[]) => ({ statements, parameterized: false, transactional: true });

describe('runsAsRecorded: whether a recorded up() is exactly what it sends', () => {
  it('accepts DDL in a transaction', () => {
    expect(
      runsAsRecorded(
        ddl(
          'create table "t" ("id" serial primary key)',
          'create index "i" on "t" ("id")',
          'alter table "t" add column "x" int',
          'comment on table "t" is \'a\'',
        ),
      ),
    ).toBe(true);
  });
  it.each([
    ['a query that returns rows', ddl('create table "t" ("id" int)', 'select count(*) from "t"')],
    ['an insert, whose RETURNING or count up() may read', ddl('insert into "t" values (1)')],
    ['a RETURNING', ddl('alter table "t" add column "x" int', 'delete from "t" returning *')],
    ['CREATE TABLE AS', ddl('create table "t2" as select * from "t"')],
    ['CREATE MATERIALIZED VIEW AS WITH', ddl('create materialized view "v" as with x as (select 1) select * from x')],
    ['no statement at all', ddl()],
  ])('refuses %s', (_label, recorded) => {
    expect(runsAsRecorded(recorded)).toBe(false);
  });
  it('refuses bound parameters (recorded inlined, for reading only) and migrations without a transaction', () => {
    expect(runsAsRecorded({ ...ddl('create table "t" ("id" int default 1)'), parameterized: true })).toBe(false);
    expect(runsAsRecorded({ ...ddl('create index concurrently "i" on "t" ("id")'), transactional: false })).toBe(false);
  });
});
