import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RasdbError } from '../src/errors.js';
import { migrate } from '../src/migrate/migrate.js';
import { runCli } from './support/cli.js';
import { postgresBinaries, startPrivateServer, type PrivateServer } from './support/postgres-release.js';

/**
 * rasdb refuses a PostgreSQL older than 15 before it does anything: on a real PostgreSQL 14 (the
 * pinned release of test/support/postgres-release.ts), where migrate would otherwise apply phase 0
 * and then fail on the first NULLS NOT DISTINCT.
 */
let server: PrivateServer;

beforeAll(async () => {
  server = await startPrivateServer(await postgresBinaries('14.23.0-beta.17'));
});
afterAll(async () => {
  await server?.stop();
});

async function userTables(): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') ORDER BY 1, 2`,
    );
    return rows;
  } finally {
    await client.end();
  }
}

describe('a server older than PostgreSQL 15', () => {
  it.each([[['migrate']], [['status']], [['migrate', '--dry-run']], [['verify']], [['migrate', '--json']]])(
    'rasdb %j exits 4 with one line and changes nothing',
    async (args) => {
      const result = await runCli(args, { env: { DATABASE_URL: server.url } });
      expect(result.code, result.stderr).toBe(4);
      expect(result.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(/the server is PostgreSQL 14\.23; rasdb needs 15 or newer$/),
      ]);
      expect(result.stderr).not.toContain('private-admin-pw');
      if (args.includes('--json')) {
        expect(JSON.parse(result.stdout)).toMatchObject({
          ok: false,
          exitCode: 4,
          error: { message: expect.stringContaining('rasdb needs 15') },
        });
      }
      expect(await userTables()).toEqual([]);
    },
  );

  it('the library refuses too: migrate() throws exit 4 before it creates the ledger', async () => {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      const error = await migrate(client).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(RasdbError);
      expect(error).toMatchObject({ exitCode: 4, message: 'the server is PostgreSQL 14.23; rasdb needs 15 or newer' });
    } finally {
      await client.end();
    }
    expect(await userTables()).toEqual([]);
  });
});
