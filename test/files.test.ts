import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  lstatSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli } from './support/cli.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

/**
 * Every file rasdb writes goes to a temporary file beside it and is renamed over it: a full disk
 * or a read-only mount leaves the old file byte for byte and no temporary file behind, with one
 * line naming the path. A target that cannot be renamed over (a folder, a device, a FIFO) is
 * refused before anything is read, so nothing blocks on it. These tests mount small tmpfs of
 * their own (the suite runs as root).
 */
let db: TestDatabase;
let work: string;
const mounts: string[] = [];
// Far beyond what codegen needs; a run that blocks on its target is killed and fails the test.
const HANG_MS = 30_000;

beforeAll(async () => {
  db = await createTestDatabase('files');
  expect((await runCli(['migrate', '--phase', '0'], { env: { DATABASE_URL: db.url } })).code).toBe(0);
  work = mkdtempSync('/var/tmp/rasdb-files-');
});
afterAll(async () => {
  for (const dir of mounts) execFileSync('umount', [dir]);
  rmSync(work, { recursive: true, force: true });
  await db.drop();
});

const codegen = (args: string[], env: Record<string, string> = {}) =>
  runCli(['codegen', ...args], { env: { DATABASE_URL: db.url, ...env }, timeoutMs: HANG_MS });

/** A 64 KiB tmpfs of the test's own, unmounted after the file. */
function smallDisk(name: string): string {
  const dir = join(work, name);
  execFileSync('mkdir', ['-p', dir]);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]);
  mounts.push(dir);
  return dir;
}

/** Fills the disk to the last byte. */
function fill(dir: string): void {
  try {
    execFileSync('dd', ['if=/dev/zero', `of=${join(dir, 'filler')}`, 'bs=1k'], { stdio: 'ignore' });
  } catch {
    // dd stops with an error when the disk is full: that is the point
  }
}

/** A link to `target` that the `nobody` account made in a folder everyone may write (as /tmp is). */
function foreignLink(target: string, name: string): { shared: string; link: string } {
  const shared = mkdtempSync('/var/tmp/rasdb-shared-');
  chmodSync(shared, 0o1777);
  const link = join(shared, name);
  execFileSync('su', ['nobody', '-s', '/bin/sh', '-c', `ln -s ${target} ${link}`]);
  return { shared, link };
}

let schemaChanges = 0;
/** Changes the schema, so that codegen has something new to write. */
const changeSchema = () => db.query(`CREATE TABLE files_change_${++schemaChanges} (id int)`);

describe('codegen on a full disk', () => {
  it('fails with one line naming the path, exit 1, and leaves the old file byte-identical and no temporary file', async () => {
    const disk = smallDisk('full');
    const out = join(disk, 'db.ts');
    expect((await codegen(['--out', out])).code).toBe(0);
    const before = readFileSync(out);
    fill(disk);
    await changeSchema();
    const result = await codegen(['--out', out]);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(`cannot write ${out}: no space left on the device (ENOSPC)`);
    expect(result.stderr).not.toMatch(/internal error|bug|SQLSTATE/);
    expect(readFileSync(out).equals(before)).toBe(true);
    expect(readdirSync(disk).sort()).toEqual(['db.ts', 'filler']);
  });
});

describe('codegen on a read-only file system', () => {
  it('fails with one line naming the path, exit 1, and leaves the file as it was', async () => {
    const disk = smallDisk('readonly');
    const out = join(disk, 'db.ts');
    expect((await codegen(['--out', out])).code).toBe(0);
    const before = readFileSync(out);
    execFileSync('mount', ['-o', 'remount,ro', disk]);
    await changeSchema();
    const result = await codegen(['--out', out]);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(`cannot write ${out}: the file system is read-only (EROFS)`);
    expect(result.stderr).not.toMatch(/internal error|bug|SQLSTATE/);
    expect(readFileSync(out).equals(before)).toBe(true);
  });

  it('as RASDB_DATA_DIR, is one line naming the folder, exit 1, never a bug', async () => {
    const disk = smallDisk('readonly-data');
    execFileSync('mount', ['-o', 'remount,ro', disk]);
    const result = await runCli(['status'], { env: { RASDB_DATA_DIR: join(disk, 'data') }, timeoutMs: HANG_MS });
    expect(result.code, result.stderr).toBe(1);
    const lines = result.stderr
      .trim()
      .split('\n')
      .filter((line) => !line.startsWith('Using the embedded PostgreSQL'));
    expect(lines).toEqual([
      `rasdb: cannot create the folder ${join(disk, 'data')}: the file system is read-only (EROFS)`,
    ]);
  });
});

describe('the file codegen replaces', () => {
  it('keeps its mode, and a symbolic link to it stays a link', async () => {
    const out = join(work, 'kept.ts');
    writeFileSync(out, 'old\n');
    chmodSync(out, 0o640);
    const link = join(work, 'link.ts');
    symlinkSync(out, link);
    await changeSchema();
    expect((await codegen(['--out', link])).code).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o640);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(out, 'utf8')).toMatch(/export interface DB/);
    expect(readdirSync(work).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('is never reached through a link another user owns (one line, exit 2, the file untouched)', async () => {
    // In a folder everyone may write (/tmp), another user's link could point anywhere root can write.
    const victim = join(work, 'victim.conf');
    writeFileSync(victim, 'precious\n');
    const { shared, link } = foreignLink(victim, 'evil.ts');
    try {
      await changeSchema();
      const result = await codegen(['--out', link]);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/is a symbolic link owned by another user/);
      expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    } finally {
      rmSync(shared, { recursive: true, force: true });
    }
  });

  it('is never reached through a folder link another user owns on the way (one line, exit 2, nothing written)', async () => {
    const private_ = mkdtempSync(join(work, 'private-'));
    const { shared, link } = foreignLink(private_, 'gen');
    try {
      await changeSchema();
      const result = await codegen(['--out', join(link, 'db.ts')]);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toBe(
        `rasdb: ${link}, on the way to ${join(link, 'db.ts')}, is a symbolic link owned by another user (uid 65534); rasdb does not write through it: give the file's own path\n`,
      );
      expect(readdirSync(private_)).toEqual([]);
    } finally {
      rmSync(shared, { recursive: true, force: true });
    }
  });

  it('is not made in place of a link that points nowhere (one line, exit 2, the link kept)', async () => {
    const link = join(work, 'dangling.ts');
    symlinkSync(join(work, 'missing', 'db.ts'), link);
    const result = await codegen(['--out', link]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/is a symbolic link to .*missing\/db\.ts, which does not exist/);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
  });

  it('(/dev/stdout sent to a file) is refused, and the file keeps what it had', () => {
    const log = join(work, 'stdout.log');
    writeFileSync(log, 'earlier lines\n');
    const script = `"${process.execPath}" "${BIN}" codegen --out /dev/stdout >> "${log}"`;
    const env = { ...process.env, DATABASE_URL: db.url, NO_COLOR: '1' };
    const result = spawnSync('bash', ['-c', script], { env, encoding: 'utf8', timeout: HANG_MS });
    expect(result.status, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/\/dev\/stdout is a device's name, not a file/);
    expect(readFileSync(log, 'utf8')).toBe('earlier lines\n');
  });
});

describe('a target that is not a regular file', () => {
  const fifo = () => {
    const path = join(work, `fifo-${Date.now()}`);
    execFileSync('mkfifo', [path]);
    return path;
  };
  const cases: [label: string, target: () => string, check: boolean, what: RegExp][] = [
    ['a folder', () => work, false, /is a folder, not a regular file/],
    ['/dev/full', () => '/dev/full', false, /\/dev\/full is a device, not a regular file/],
    ['/dev/full with --check', () => '/dev/full', true, /\/dev\/full is a device/],
    // The test's pipes are socket pairs; a shell's `| head` is a FIFO, tested below.
    ['/dev/stdout on a pipe', () => '/dev/stdout', false, /\/dev\/stdout is a socket, not a regular file/],
    ['/dev/stdout with --check', () => '/dev/stdout', true, /\/dev\/stdout is a socket/],
    ['a FIFO', fifo, false, /is a FIFO, not a regular file/],
    ['a path under a file', () => '/etc/hostname/db.ts', false, /a part of the path before it is a file/],
    [
      'a file name longer than the file system allows',
      () => join(work, `${'a'.repeat(300)}.ts`),
      false,
      /^rasdb: cannot read \/var\/tmp\/rasdb-files-\w+\/a{300}\.ts: a name in the path is too long \(ENAMETOOLONG\)\n$/,
    ],
  ];
  for (const [label, target, check, what] of cases) {
    it(`(${label}) is refused at once with one line, exit 2`, async () => {
      const result = await codegen(['--out', target(), ...(check ? ['--check'] : [])]);
      expect(result.code, `${result.stderr} (null: killed as hung)`).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(what);
    });
  }

  it('(/dev/stdout of `| head`) is refused at once, exit 2', () => {
    const script = `"${process.execPath}" "${BIN}" codegen --out /dev/stdout | head -1; echo "exit=\${PIPESTATUS[0]}" >&2`;
    const env = { ...process.env, DATABASE_URL: db.url, NO_COLOR: '1' };
    const result = spawnSync('bash', ['-c', script], { env, encoding: 'utf8', timeout: HANG_MS });
    expect(result.error, 'killed as hung').toBeUndefined();
    expect(result.stderr).toMatch(/\/dev\/stdout is a FIFO, not a regular file/);
    expect(result.stderr).toMatch(/exit=2/);
  });
});
