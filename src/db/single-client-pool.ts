import type pg from 'pg';
import { Kysely, PostgresDialect, type LogConfig } from 'kysely';

/**
 * A Kysely instance over one connection: its "pool" always hands out the same client, so a session
 * advisory lock or an open transaction on that client covers every query Kysely sends.
 *
 * @example
 * const db = kyselyOn(client, (event) => { last = event.query.sql; });
 */
export function kyselyOn<DB = any>(client: pg.Client, log?: LogConfig): Kysely<DB> {
  const pool = {
    connect: async () => Object.assign(client, { release: () => undefined }),
    end: async () => undefined,
  };
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool }), log });
}
