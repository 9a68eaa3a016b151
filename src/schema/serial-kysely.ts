import type pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';

/**
 * A Kysely over one pg client whose "pool" lends the client to one query at a time. kysely-codegen
 * introspects with `Promise.all`; sent straight to one client, those queries overlap, which pg 8
 * warns about and pg 9 will refuse. Here each waits for the previous one to be released.
 *
 * @example
 * const db = serialKysely(session.client); await Promise.all([q1.execute(), q2.execute()]); // in turn
 */
export function serialKysely(client: pg.Client): Kysely<any> {
  let queue: Promise<void> = Promise.resolve();
  const pool = {
    connect: async () => {
      let release!: () => void;
      const previous = queue;
      queue = new Promise<void>((resolve) => (release = resolve));
      await previous;
      return Object.assign(client, { release });
    },
    end: async () => undefined,
  };
  return new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
}
