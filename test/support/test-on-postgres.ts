// Runs the whole test suite (`npm test`) on one of the pinned PostgreSQL releases of
// postgres-release.ts, on a private server started for the run and removed after it:
//
//   npx tsx test/support/test-on-postgres.ts 18.4.0-beta.17
//   npx tsx test/support/test-on-postgres.ts 18.4.0-beta.17 test/verify.test.ts   # these files only
//
// .ci/run uses it for the newest major rasdb supports. The exit code is the tests'.
import pg from 'pg';
import { $ } from 'zx';
import { POSTGRES_RELEASES, postgresBinaries, startPrivateServer, type PostgresRelease } from './postgres-release.js';

const release = process.argv[2];
if (!isRelease(release)) {
  console.error(`usage: test-on-postgres.ts <release>, one of ${Object.keys(POSTGRES_RELEASES).join(', ')}`);
  process.exit(2);
}
const server = await startPrivateServer(await postgresBinaries(release), {
  // A throwaway server: durability buys nothing here, speed does (as the harness's embedded one).
  flags: ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200'],
});
// A run stopped by hand (Ctrl-C) or by CI's time limit still stops the server and removes its folder.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void server.stop().finally(() => process.exit(1)));
}
let code: number;
try {
  console.log(`testing on PostgreSQL ${await serverVersion(server.url)} (private server on 127.0.0.1:${server.port})`);
  const files = process.argv.slice(3);
  const env = { ...process.env, TEST_DATABASE_URL: server.url };
  const run = files.length
    ? await $({ stdio: 'inherit', nothrow: true, env })`npx vitest run --config test/vitest.config.ts ${files}`
    : await $({ stdio: 'inherit', nothrow: true, env })`npm test`;
  code = run.exitCode ?? 1;
} finally {
  await server.stop();
}
process.exit(code);

function isRelease(name: string | undefined): name is PostgresRelease {
  return name !== undefined && Object.hasOwn(POSTGRES_RELEASES, name);
}

async function serverVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query('SHOW server_version')).rows[0].server_version;
  } finally {
    await client.end();
  }
}
