import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileMigration } from '../src/migrate/compile.js';
import { defaultMigrationsDir, listMigrations } from '../src/migrate/migration-files.js';
import { readCatalog } from '../src/catalog/catalog.js';
import { BIN, runCli } from './support/cli.js';
import { adminQuery, createTestDatabase, urlFor, type TestDatabase } from './support/database.js';

const TRIALS = 20;
const FILES = listMigrations(defaultMigrationsDir());

let reference: TestDatabase;
let tablesOf: Map<string, string[]>;
let fullRunMs: number;
beforeAll(async () => {
  reference = await createTestDatabase('crash_ref');
  const started = performance.now();
  expect((await runCli(['migrate'], { env: { DATABASE_URL: reference.url } })).code).toBe(0);
  fullRunMs = performance.now() - started;
  tablesOf = new Map();
  for (const file of FILES) {
    const statements = await compileMigration(await file.load(), 'up');
    tablesOf.set(
      file.name,
      statements.map((s) => /^create table "([^"]+)"/i.exec(s)?.[1]).filter((t): t is string => Boolean(t)),
    );
  }
});
afterAll(async () => {
  await reference.drop();
});

async function catalogOf(url: string) {
  const pg = await import('pg');
  const client = new pg.default.Client({ connectionString: url });
  await client.connect();
  try {
    return await readCatalog(client);
  } finally {
    await client.end();
  }
}

/** Starts `rasdb migrate` and kills it with SIGKILL after `delayMs`. */
function migrateAndKill(url: string, delayMs: number): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'migrate', '--quiet'], {
      env: { ...process.env, DATABASE_URL: url },
      stdio: 'ignore',
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    child.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * Waits until no session of the killed run is left on the server. A statement the client sent
 * before it died runs to its end (one migration is one simple query, COMMIT included), so what it
 * leaves is seen once the server is done with it, not at the moment of the kill.
 */
async function serverSessionsEnded(database: string): Promise<void> {
  for (let tries = 0; tries < 200; tries++) {
    const [left] = await adminQuery(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
      [database],
    );
    if (left.n === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the killed run's sessions on ${database} did not end`);
}

describe('kill -9 during migrate', () => {
  it(`leaves every migration applied and recorded, or not applied at all (${TRIALS} trials)`, async () => {
    const expected = await catalogOf(reference.url);
    let partial = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      const name = `t_crash_${process.pid}_${trial}`;
      await adminQuery(`CREATE DATABASE ${name}`);
      const url = urlFor(name);
      try {
        // Spread the kills over the length of a whole run, start-up included.
        await migrateAndKill(url, Math.floor(Math.random() * fullRunMs * 1.1));
        await serverSessionsEnded(name);
        const recorded = new Set(
          (await queryOn(url, `SELECT name FROM rasdb.migrations`).catch(() => [] as { name: string }[])).map(
            (r) => r.name,
          ),
        );
        const present = new Set(
          (await queryOn(url, `SELECT tablename FROM pg_tables WHERE schemaname = 'public'`)).map((r) => r.tablename),
        );
        for (const file of FILES) {
          for (const table of tablesOf.get(file.name) ?? []) {
            expect(
              present.has(table),
              `trial ${trial}: ${file.name} recorded=${recorded.has(file.name)} but ${table} present=${present.has(table)}`,
            ).toBe(recorded.has(file.name));
          }
        }
        if (recorded.size > 0 && recorded.size < FILES.length) partial++;
        const rerun = await runCli(['migrate', '--quiet'], { env: { DATABASE_URL: url } });
        expect(rerun.code, rerun.stderr).toBe(0);
        expect(await catalogOf(url)).toEqual(expected);
      } finally {
        await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      }
    }
    // The kills must have landed between migrations, not only before or after the run.
    expect(partial).toBeGreaterThan(0);
  }, 240_000);
});

async function queryOn(url: string, text: string): Promise<any[]> {
  const pg = await import('pg');
  const client = new pg.default.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}
