import { createServer, connect as connectTcp, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { adminUrl, createTestDatabase, type TestDatabase } from './support/database.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('verbs');
  expect((await runCli(['migrate', '--phase', '1'], { env: { DATABASE_URL: db.url } })).code).toBe(0);
});
afterAll(async () => {
  await db.drop();
});

/** A port nothing listens on yet. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Forwards `port` to the test server, as a database that comes up late would answer. */
function forward(port: number, target: URL): Promise<Server> {
  const server = createServer((socket) => {
    const upstream = connectTcp(Number(target.port || 5432), target.hostname);
    socket.pipe(upstream).pipe(socket);
    const close = () => (socket.destroy(), upstream.destroy());
    socket.on('error', close);
    upstream.on('error', close);
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

describe('verbs users of other tools expect', () => {
  it('-u is --database-url', async () => {
    const result = await runCli(['status', '-u', db.url]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/The database is at phase 1/);
  });

  it('status --exit-code fails (4) while migrations are pending', async () => {
    const pending = await runCli(['status', '--exit-code', '--json'], { env: { DATABASE_URL: db.url } });
    expect(pending.code).toBe(4);
    expect(JSON.parse(pending.stdout)).toMatchObject({ ok: false, currentPhase: 1 });
    expect((await runCli(['status'], { env: { DATABASE_URL: db.url } })).code).toBe(0);
  });

  it('verify --phase N checks a database kept at phase N on purpose', async () => {
    const kept = await runCli(['verify', '--phase', '1', '--scratch-url', adminUrl()], {
      env: { DATABASE_URL: db.url },
    });
    expect(kept.code, kept.stderr).toBe(0);
    const all = await runCli(['verify', '--scratch-url', adminUrl()], { env: { DATABASE_URL: db.url } });
    expect(all.code).toBe(4);
    expect(all.stderr).toMatch(/pending migration/);
  }, 60_000);

  it('--wait waits for a server that comes up late, and only for that', async () => {
    const port = await freePort();
    const late = new URL(db.url);
    late.hostname = '127.0.0.1';
    late.port = String(port);
    const target = new URL(db.url);
    let proxy: Server | undefined;
    const starting = new Promise<void>((resolve) => setTimeout(resolve, 1500)).then(async () => {
      proxy = await forward(port, target);
    });
    const result = await runCli(['status', '--wait', '20s'], { env: { DATABASE_URL: late.toString() } });
    await starting;
    await new Promise((resolve) => proxy?.close(resolve));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/waiting for the server \(--wait\): cannot connect to .*connection refused/);

    const started = Date.now();
    const never = await runCli(['status', '--wait', '2s'], { env: { DATABASE_URL: late.toString() } });
    expect(never.code).toBe(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);

    const missing = new URL(db.url);
    missing.pathname = '/no_such_database_here';
    const quick = Date.now();
    const wrong = await runCli(['status', '--wait', '30s'], { env: { DATABASE_URL: missing.toString() } });
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toMatch(/does not exist/);
    // A missing database is not a server that is still starting: no waiting.
    expect(Date.now() - quick).toBeLessThan(15_000);
  }, 90_000);
});
