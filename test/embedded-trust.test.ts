import { spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  lchownSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { dataFolders } from './support/data-folders.js';

/**
 * The embedded server's folder is trusted with a pid rasdb signals, a socket it connects to and
 * files root writes: a folder another local user could write in, or replace, is refused before
 * anything in it is read or written. The attacker here is the `nobody` account (uid 65534); the
 * suite runs as root.
 */
const NOBODY = 65534;
const folders = dataFolders('rasdb-trust-');
const base = folders.make;
const victims: ChildProcess[] = [];
afterAll(() => {
  for (const victim of victims) victim.kill('SIGKILL');
  folders.removeAll();
});

const status = (folder: string) => runCli(['status'], { env: { RASDB_DATA_DIR: folder }, timeoutMs: 120_000 });

describe('an embedded data folder another user could write in', () => {
  it('made in advance by another user, with a link planted for root to write through: refused, nothing written', async () => {
    const folder = join(base(), 'data');
    mkdirSync(join(folder, 'pg'), { recursive: true, mode: 0o777 });
    chmodSync(folder, 0o777);
    chownSync(folder, NOBODY, NOBODY);
    chownSync(join(folder, 'pg'), NOBODY, NOBODY);
    writeFileSync(join(folder, 'pg', 'PG_VERSION'), '15\n');
    const target = join(base(), 'root-only');
    writeFileSync(target, 'root secret\n', { mode: 0o600 });
    symlinkSync(target, join(folder, 'pg', 'pg_hba.conf'));
    const result = await status(folder);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toBe(
      `rasdb: rasdb will not use the embedded PostgreSQL folder ${folder}: it belongs to uid ${NOBODY}, not to you; remove it, or set RASDB_DATA_DIR to a folder of your own\n`,
    );
    expect(readFileSync(target, 'utf8')).toBe('root secret\n');
    expect(readdirSync(folder).sort()).toEqual(['pg']); // no lock file, no socket folder
  });

  it('inside a folder of another user, who could swap it for their own: refused', async () => {
    const theirs = join(base(), 'project');
    mkdirSync(theirs, { mode: 0o755 });
    chownSync(theirs, NOBODY, NOBODY);
    const folder = join(theirs, '.rasdb');
    const result = await status(folder);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(
      new RegExp(
        `^rasdb: rasdb will not use the embedded PostgreSQL folder ${folder}: ${theirs} belongs to uid ${NOBODY}, who could replace it; `,
      ),
    );
  });

  it('writable by everyone, or reached through a link of another user: refused', async () => {
    const open = join(base(), 'open');
    mkdirSync(open, { mode: 0o777 });
    chmodSync(open, 0o777);
    const wide = await status(open);
    expect(wide.code, wide.stderr).toBe(2);
    expect(wide.stderr).toMatch(/: others may write in it \(mode 0777\); remove it, or set RASDB_DATA_DIR/);

    const mine = join(base(), 'mine');
    mkdirSync(mine, { mode: 0o755 });
    const link = join(base(), 'link');
    symlinkSync(mine, link);
    // The link itself belongs to the attacker, the folder it names to root.
    lchownSync(link, NOBODY, NOBODY);
    const linked = await status(link);
    expect(linked.code, linked.stderr).toBe(2);
    expect(linked.stderr).toMatch(new RegExp(`: it is a symbolic link of uid ${NOBODY}; `));
    expect(existsSync(join(mine, 'pg'))).toBe(false);
  });
});

describe('a pid file naming a process that is not the folder’s server', () => {
  it('is never signalled: a stale pid file, removed; the process lives on', async () => {
    const folder = join(base(), 'data');
    const first = await status(folder);
    expect(first.code, first.stderr).toBe(0);
    // A process of another user whose command line says postgres, as a planted pid file would name.
    const victim = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'postgres-victim'], {
      uid: NOBODY,
      gid: NOBODY,
      stdio: 'ignore',
    });
    victims.push(victim);
    await new Promise((resolve) => victim.once('spawn', resolve));
    writeFileSync(join(folder, 'pg', 'postmaster.pid'), `${victim.pid}\n${join(folder, 'pg')}\n0\n5432\n`);
    const second = await status(folder);
    expect(second.code, second.stderr).toBe(0);
    expect(victim.exitCode).toBeNull();
    expect(victim.signalCode).toBeNull();
    expect(() => process.kill(victim.pid!, 0)).not.toThrow();
  });
});
