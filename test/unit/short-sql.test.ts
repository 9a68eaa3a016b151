import { describe, expect, it } from 'vitest';
import { shortSql } from '../../src/plan/short-sql.js';

describe('shortSql', () => {
  it('shows a CREATE TABLE by the tables its foreign keys reference', () => {
    expect(
      shortSql(
        'create table "assets_extended" ("id" serial primary key, "asset_uuid" uuid not null references "ingestion_assets" ("asset_uuid"), "owner" integer references "users" ("id"), "o2" integer references "users" ("id"))',
      ),
    ).toBe('create table "assets_extended" (…) references ingestion_assets, users');
    expect(shortSql('create table "t" ("id" int, "at" timestamp) partition by range ("at")')).toBe(
      'create table "t" (…) partition by range',
    );
  });

  it('folds white space and cuts the rest at the limit', () => {
    expect(shortSql('alter table  "x"\n  add column "y" int')).toBe('alter table "x" add column "y" int');
    const long = shortSql(`create index "i" on "t" (${'"c", '.repeat(40)}"d")`, 40);
    expect(long).toHaveLength(40);
    expect(long.endsWith('…')).toBe(true);
  });
});
