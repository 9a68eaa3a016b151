import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type RawBuilder,
} from 'kysely';

/** A Kysely that compiles PostgreSQL and has no database behind it: nothing here can connect. */
const offline = new Kysely<any>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

/**
 * The SQL text and bound parameters of a fragment, as PostgreSQL would receive them.
 *
 * @example
 * compileSql(sql`${sql.ref('s.id')} = ${5}`) // { sql: '"s"."id" = $1', parameters: [5] }
 */
export function compileSql(fragment: RawBuilder<unknown>): { sql: string; parameters: readonly unknown[] } {
  const compiled = fragment.compile(offline);
  return { sql: compiled.sql, parameters: compiled.parameters };
}
