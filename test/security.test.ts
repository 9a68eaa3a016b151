import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { startEmbeddedForTests } from './support/global-setup.js';

// Passwords that are also ordinary words, numbers and names: masking them by search and replace
// would corrupt JSON (true, null), addresses (1, 127) and rasdb's own words (rasdb).
const PASSWORDS = ['true', '1', 'null', '127', 'rasdb', 'ledger'];
// A password that is also the name of the database it opens.
const DATABASE_OF: Record<string, string> = { ledger: 'ledger' };

let server: { url: string; stop: () => Promise<void> };
let port: string;
const WRONG_ROLE = 'sec_wrong';

function url(user: string, password: string, database: string): string {
  return `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

beforeAll(async () => {
  // A server of its own that checks passwords (the shared test server may trust everyone).
  server = await startEmbeddedForTests();
  port = new URL(server.url).port;
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  try {
    for (const [i, password] of PASSWORDS.entries()) {
      await admin.query(`CREATE ROLE sec_${i} LOGIN PASSWORD '${password}'`);
    }
    await admin.query(`CREATE ROLE ${WRONG_ROLE} LOGIN PASSWORD 'correct-horse-battery'`);
    await admin.query('CREATE DATABASE ledger');
  } finally {
    await admin.end();
  }
}, 60_000);
afterAll(async () => {
  await server.stop();
});

describe('a password is never printed, and rasdb never corrupts its output hiding one', () => {
  it.each(PASSWORDS.map((password, i) => [password, i] as const))(
    'password %j: status --json parses and names the host',
    async (password, i) => {
      const database = DATABASE_OF[password] ?? 'postgres';
      const result = await runCli(['status', '--json'], { env: { DATABASE_URL: url(`sec_${i}`, password, database) } });
      expect(result.code, result.stderr).toBe(0);
      const report = JSON.parse(result.stdout);
      expect(report.database).toBe(`127.0.0.1:${port}/${database} as sec_${i}`);
      const human = await runCli(['status'], { env: { DATABASE_URL: url(`sec_${i}`, password, database) } });
      expect(human.stdout).toContain(`Database: 127.0.0.1:${port}/${database} as sec_${i}`);
    },
  );

  it.each(PASSWORDS)(
    'a wrong password %j: one exact line, naming host, port and database, and nothing else',
    async (password) => {
      const database = DATABASE_OF[password] ?? 'postgres';
      const line = `rasdb: cannot connect to 127.0.0.1:${port}/${database}: password authentication failed; check the user and password\n`;
      const result = await runCli(['status'], { env: { DATABASE_URL: url(WRONG_ROLE, password, database) } });
      expect(result.code).toBe(3);
      expect(result.stderr).toBe(line);
      expect(result.stdout).toBe('');
      const json = await runCli(['status', '--json'], { env: { DATABASE_URL: url(WRONG_ROLE, password, database) } });
      expect(json.code).toBe(3);
      expect(JSON.parse(json.stdout)).toMatchObject({
        ok: false,
        exitCode: 3,
        error: { host: '127.0.0.1', port: Number(port), database },
      });
    },
  );

  it('a wrong PGPASSWORD, given through the PG* variables, is not printed either', async () => {
    const env = {
      PGHOST: '127.0.0.1',
      PGPORT: port,
      PGUSER: WRONG_ROLE,
      PGDATABASE: 'postgres',
      PGPASSWORD: 'Hunter2-Secret',
    };
    const result = await runCli(['migrate', '--verbose'], { env });
    expect(result.code).toBe(3);
    expect(result.stdout + result.stderr).not.toContain('Hunter2-Secret');
    expect(result.stderr).toContain(`127.0.0.1:${port}/postgres`);
  });
});

describe('text operators wrote cannot drive the terminal', () => {
  const REASON = '\u001b]0;owned\u0007\u001b[2J';
  const SHOWN = '\\x1b]0;owned\\x07\\x1b[2J';
  let db: TestDatabase;
  const cli = (args: string[]) => runCli(['retention', ...args], { env: { DATABASE_URL: db.url } });

  beforeAll(async () => {
    db = await createTestDatabase('security');
    const migrated = await runCli(['migrate', '-q'], { env: { DATABASE_URL: db.url } });
    expect(migrated.code, migrated.stderr).toBe(0);
    const hold = await cli([
      'hold',
      'add',
      '--table',
      'api_call_logs',
      '--from',
      '2025-04-20',
      '--reason',
      REASON,
      '--by',
      `legal\u001b[1A`,
    ]);
    expect(hold.code, hold.stderr).toBe(0);
    expect(hold.stdout + hold.stderr).not.toContain('\u001b');
  }, 120_000);
  afterAll(async () => {
    await db.drop();
  });

  it.each([[['hold', 'list']], [['status']]])('retention %j shows the reason escaped', async (args) => {
    const result = await cli(args);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(SHOWN);
    expect(result.stdout).toContain('legal\\x1b[1A');
    // eslint-disable-next-line no-control-regex -- any control character but the line feed
    expect(result.stdout + result.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  });

  it('--json keeps the reason exactly as written', async () => {
    const result = await cli(['hold', 'list', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.stringify(JSON.parse(result.stdout))).toContain(JSON.stringify(REASON));
  });
});
