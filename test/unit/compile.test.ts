import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { checksumOf, compileMigration } from '../../src/migrate/compile.js';
import type { MigrationModule } from '../../src/migrate/migration-files.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('checksumOf', () => {
  it('is the SHA-256 of the statements joined by ";\\n"', () => {
    expect(checksumOf([])).toBe(sha256(''));
    expect(checksumOf(['select 1'])).toBe(sha256('select 1'));
    expect(checksumOf(['select 1', 'select 2'])).toBe(sha256('select 1;\nselect 2'));
  });

  it('folds runs of white space outside literals into one space and trims each statement', () => {
    const tidy = checksumOf(['create table "a" ("id" integer)']);
    expect(checksumOf(['  create   table\n\t"a"  ("id"    integer)\n'])).toBe(tidy);
  });

  it('treats CRLF and LF line ends alike outside literals', () => {
    const lf = checksumOf(['create table "a"\n  ("id" integer)']);
    expect(checksumOf(['create table "a"\r\n  ("id" integer)'])).toBe(lf);
  });

  it('keeps white space inside single-quoted literals', () => {
    const one = checksumOf([`comment on table a is 'two spaces'`]);
    expect(checksumOf([`comment on table a is 'two  spaces'`])).not.toBe(one);
    expect(checksumOf([`select 'a\r\nb'`])).not.toBe(checksumOf([`select 'a\nb'`]));
  });

  it("reads '' as an escaped quote inside a literal, not as its end", () => {
    // Were the literal to end at the first quote, the spaces after "it''s" would be folded.
    expect(checksumOf([`select 'it''s   here'`])).not.toBe(checksumOf([`select 'it''s here'`]));
    // White space between two literals is outside both, and folded.
    expect(checksumOf([`select 'a'   ||   'b'`])).toBe(checksumOf([`select 'a' || 'b'`]));
  });

  it('changes when a statement, their order or where they split changes', () => {
    const base = checksumOf(['create table a (id integer)', 'create index i on a (id)']);
    expect(checksumOf(['create table a (id bigint)', 'create index i on a (id)'])).not.toBe(base);
    expect(checksumOf(['create index i on a (id)', 'create table a (id integer)'])).not.toBe(base);
    expect(checksumOf(['create table a (id integer) create index i on a (id)'])).not.toBe(base);
  });
});

/** A small migration written the way the project writes them, with the column type as a parameter. */
function widgets(nameType: 'varchar(100)' | 'varchar(200)'): MigrationModule {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('widgets')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('name', nameType, (c) => c.notNull())
        .addColumn('tags', sql`text[]`)
        .execute();
      await db.schema.createIndex('widgets_name_idx').on('widgets').column('name').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('widgets').execute();
    },
  };
}

describe('compileMigration', () => {
  it('records the SQL of up, statement by statement, without a database', async () => {
    expect(await compileMigration(widgets('varchar(100)'), 'up')).toEqual([
      'create table "widgets" ("id" serial primary key, "name" varchar(100) not null, "tags" text[])',
      'create index "widgets_name_idx" on "widgets" ("name")',
    ]);
  });

  it('records the SQL of down', async () => {
    expect(await compileMigration(widgets('varchar(100)'), 'down')).toEqual(['drop table "widgets"']);
  });

  it('gives no statements for a migration without down', async () => {
    expect(await compileMigration({ up: widgets('varchar(100)').up }, 'down')).toEqual([]);
  });

  it('shows bound parameters as literals, quotes doubled', async () => {
    const module: MigrationModule = {
      async up(db) {
        const values = { name: "it's", size: 5, on: true, meta: JSON.stringify({ a: 1 }), gone: null };
        await db.insertInto('settings').values(values).execute();
        await sql`select ${{ b: "x'y" }}::jsonb`.execute(db);
      },
    };
    expect(await compileMigration(module, 'up')).toEqual([
      `insert into "settings" ("name", "size", "on", "meta", "gone") values ('it''s', 5, true, '{"a":1}', null)`,
      `select '{"b":"x''y"}'::jsonb`,
    ]);
  });

  it('changes the checksum when a column type changes', async () => {
    const narrow = checksumOf(await compileMigration(widgets('varchar(100)'), 'up'));
    const wide = checksumOf(await compileMigration(widgets('varchar(200)'), 'up'));
    expect(narrow).not.toBe(wide);
    expect(checksumOf(await compileMigration(widgets('varchar(100)'), 'up'))).toBe(narrow);
  });

  it('lets an error of up propagate', async () => {
    const module: MigrationModule = {
      async up() {
        throw new Error('bad migration');
      },
    };
    await expect(compileMigration(module, 'up')).rejects.toThrow('bad migration');
  });
});
