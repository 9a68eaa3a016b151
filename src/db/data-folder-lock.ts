import { closeSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode, RasdbError } from '../errors.js';

/**
 * One rasdb process at a time owns an embedded data folder. The lock is a file holding the owner's
 * pid, created with O_EXCL; a lock whose pid is gone (a killed run) is taken over. PostgreSQL's own
 * postmaster.pid interlock stays the last word: two servers can never share the folder.
 */
export interface FolderLock {
  release(): void;
}

export async function lockDataFolder(folder: string, waitMs: number): Promise<FolderLock> {
  const path = join(folder, 'rasdb.lock');
  const deadline = Date.now() + waitMs;
  for (;;) {
    const lock = tryCreate(path);
    if (lock) return lock;
    const owner = readOwner(path);
    // An unreadable lock younger than a second is a newcomer between create and write: wait.
    const stale = owner === undefined ? ageMs(path) > 1000 : !isAlive(owner);
    if (stale) {
      takeOverStale(path, owner);
      continue;
    }
    if (Date.now() >= deadline) {
      throw new RasdbError(
        ExitCode.busy,
        `another rasdb run (pid ${owner ?? 'starting'}) is using the embedded database in ${folder}; wait for it or point rasdb at a server with DATABASE_URL`,
        { holderPid: owner },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function tryCreate(path: string): FolderLock | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw error;
  }
  writeSync(fd, String(process.pid));
  closeSync(fd);
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    if (readOwner(path) === process.pid) unlinkSafe(path);
  };
  process.once('exit', release);
  return { release };
}

/** Moves a dead owner's lock aside atomically, so two newcomers cannot both delete a fresh lock. */
function takeOverStale(path: string, owner: number | undefined): void {
  const aside = `${path}.stale-${process.pid}`;
  try {
    renameSync(path, aside);
  } catch {
    return; // someone else moved it first; loop and try again
  }
  const moved = readOwner(aside);
  if (moved !== owner && moved !== undefined && isAlive(moved)) {
    // We raced with a newcomer who had just taken the lock: put theirs back.
    try {
      renameSync(aside, path);
    } catch {
      /* the folder changed under us; the next loop sorts it out */
    }
    return;
  }
  unlinkSafe(aside);
}

function readOwner(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function unlinkSafe(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    /* already gone */
  }
}
