import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { freePort, startPrivateServer, type PrivateServer } from './support/password-server.js';

/**
 * A full disk, on small tmpfs mounts of this test's own: the embedded server's data folder, and a
 * private server's. A full disk is one line and a failure, and nothing of the failed work is
 * recorded; once space is freed, the re-run converges.
 */
const MODULES = fileURLToPath(new URL('../node_modules/', import.meta.url));
const mounts: string[] = [];
const folders: string[] = [];
let server: PrivateServer | undefined;

function tmpfs(size: string): string {
  const dir = mkdtempSync('/tmp/rasdb-adv-tmpfs-');
  chmodSync(dir, 0o755);
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=755`, 'tmpfs', dir]);
  mounts.push(dir);
  return dir;
}

/** Fills the mount to the last byte. */
function fill(dir: string): void {
  try {
    execFileSync('dd', ['if=/dev/zero', `of=${join(dir, 'filler')}`, 'bs=64k'], { stdio: 'ignore' });
  } catch {
    // dd ends with "No space left on device": that is the point
  }
}

afterAll(() => {
  server?.remove();
  for (const dir of mounts) {
    execFileSync('umount', ['-l', dir]);
    rmSync(dir, { recursive: true, force: true });
  }
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

describe('a full disk', () => {
  it('the embedded data folder on a full tmpfs: exit 1 in one line naming the disk, nothing left behind', async () => {
    const dir = tmpfs('8m');
    const result = await runCli(['status'], { env: { RASDB_DATA_DIR: join(dir, 'data') } });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(
      /^rasdb: cannot create the embedded PostgreSQL in .*: could not write .*No space left on device; run with --verbose/m,
    );
    expect(result.stderr).not.toMatch(/bug in rasdb/);
    // The notice that the embedded server is used, and the one line of the failure.
    expect(
      result.stderr
        .trim()
        .split('\n')
        .filter((line) => line.startsWith('rasdb:')),
    ).toHaveLength(1);
    expect(existsSync(join(dir, 'data', 'pg', 'PG_VERSION'))).toBe(false);
  });

  it('a migration into a private server whose disk is full: one line, nothing recorded, the re-run converges', async () => {
    const disk = tmpfs('160m');
    const data = join(disk, 'data');
    mkdirSync(data);
    server = startPrivateServer(await freePort(), 'disk-pw', data);
    const url = server.url();
    const dir = mkdtempSync(join(MODULES, '.rasdb-adv-disk-'));
    folders.push(dir);
    mkdirSync(join(dir, 'phase-0-x'));
    writeFileSync(
      join(dir, 'phase-0-x', '0001-small.js'),
      `export async function up(db) { await db.schema.createTable('adv_small').addColumn('id', 'integer').execute(); }
export async function down(db) { await db.schema.dropTable('adv_small').execute(); }\n`,
    );
    expect((await runCli(['migrate', '--migrations-dir', dir, '-q'], { env: { DATABASE_URL: url } })).code).toBe(0);
    writeFileSync(
      join(dir, 'phase-0-x', '0002-big.js'),
      `import { sql } from 'kysely';
export async function up(db) { await sql\`CREATE TABLE adv_big AS SELECT g, repeat('x', 200) AS pad FROM generate_series(1, 150000) g\`.execute(db); }
export async function down(db) { await sql\`DROP TABLE adv_big\`.execute(db); }\n`,
    );
    fill(disk);
    const full = await runCli(['migrate', '--migrations-dir', dir], { env: { DATABASE_URL: url } });
    expect([1, 3], full.stderr).toContain(full.code);
    expect(full.stderr).not.toMatch(/bug in rasdb|\n\s+at /);
    expect(full.stderr.split('\n').filter((line) => line.startsWith('rasdb:'))).toHaveLength(1);
    rmSync(join(disk, 'filler'));
    try {
      execFileSync('pg_isready', ['-h', '127.0.0.1', '-p', String(server.port)], { stdio: 'ignore' });
    } catch {
      server.start(); // the server may have stopped on a WAL write it could not make
    }
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query(
        `SELECT to_regclass('adv_big') IS NOT NULL AS t, (SELECT count(*)::int FROM rasdb.migrations WHERE name = '0002-big') AS n`,
      );
      expect(rows).toEqual([{ t: false, n: 0 }]);
    } finally {
      await client.end();
    }
    const again = await runCli(['migrate', '--migrations-dir', dir, '-q'], { env: { DATABASE_URL: url } });
    expect(again.code, again.stderr).toBe(0);
    expect((await runCli(['validate', '--migrations-dir', dir], { env: { DATABASE_URL: url } })).code).toBe(0);
  });
});
