import pg from 'pg';
import { inject } from 'vitest';

/** A database of its own for one test file (or one test), on the run's server. */
export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  /** A fresh connection; the caller ends it. */
  connect(): Promise<pg.Client>;
  query<T extends pg.QueryResultRow = any>(text: string, values?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

let counter = 0;

export function adminUrl(): string {
  return inject('adminUrl');
}

export function urlFor(database: string, base = adminUrl()): string {
  const url = new URL(base);
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * Creates an empty database named after `label`, unique to this process, or a copy of `template`.
 *
 * @example
 * const db = await createTestDatabase('status'); ... await db.drop();
 */
export async function createTestDatabase(label: string, options: { template?: string } = {}): Promise<TestDatabase> {
  const name = `t_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${process.pid}_${++counter}`.slice(0, 63);
  await adminQuery(`DROP DATABASE IF EXISTS "${name}"`);
  // A copy of a prepared database (no one may be connected to it) is much faster than rebuilding it.
  await adminQuery(`CREATE DATABASE "${name}"${options.template ? ` TEMPLATE "${options.template}"` : ''}`);
  const url = urlFor(name);
  const connect = async (): Promise<pg.Client> => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return client;
  };
  return {
    name,
    url,
    connect,
    query: async (text, values) => {
      const client = await connect();
      try {
        return (await client.query(text, values)).rows;
      } finally {
        await client.end();
      }
    },
    drop: () => adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).then(() => undefined),
  };
}

export async function adminQuery(text: string, values?: unknown[]): Promise<any[]> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return (await client.query(text, values)).rows;
  } finally {
    await client.end();
  }
}
