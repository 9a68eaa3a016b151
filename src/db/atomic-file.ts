import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fchmodSync,
  fchownSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  readlinkSync,
  openSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ExitCode, RasdbError } from '../errors.js';
import { fileSystemReason, isPathMistake } from './file-system-error.js';

/**
 * Writes `text` to `path` so that a reader only ever sees the old file or the whole new one: the
 * bytes go to a temporary file beside the target, are flushed to the disk, and the temporary file
 * is renamed over the target. A full disk or a crash mid-write leaves the old file as it was and
 * no temporary file behind. The target keeps its mode (and, as root, its owner); a symbolic link
 * is followed, so the file it points at is replaced, not the link.
 *
 * Only a regular file can be replaced this way: a folder, a device (`/dev/stdout`, `/dev/full`)
 * or a FIFO is refused with exit 2, before anything is written or read; so is a link another user
 * owns (in a folder everyone may write, such as /tmp, it could point at any file the caller may
 * write) and a link to nothing (the link would be replaced by a file).
 *
 * @example
 * writeFileAtomic('generated/db.ts', text); // throws a RasdbError naming the path on failure
 */
export function writeFileAtomic(path: string, text: string): void {
  const existing = statIfExists(path);
  if (existing) assertRegularFile(path, existing);
  assertTrustedLink(path, existing);
  // A symbolic link is followed: the file it names is replaced, and the link stays a link.
  const target = existing ? realpathSync(path) : path;
  const folder = dirname(target);
  try {
    mkdirSync(folder, { recursive: true });
  } catch (error) {
    throw fileSystemError(error, `cannot create the folder ${folder} for ${path}`);
  }
  const temp = join(folder, `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'wx', existing ? existing.mode & 0o7777 : 0o666);
    writeAll(fd, Buffer.from(text, 'utf8'));
    if (existing) keepModeAndOwner(fd, existing);
    // The data must be on the disk before the rename makes it the file, or a crash could leave an empty file.
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, target);
  } catch (error) {
    if (fd !== undefined) closeQuietly(fd);
    removeQuietly(temp);
    throw fileSystemError(error, `cannot write ${path}`);
  }
  syncFolder(folder);
}

/**
 * Fails with exit 2 unless `path` is a regular file or does not exist yet: reading a device or a
 * FIFO can block forever (`/dev/stdout` on a pipe) or never end (`/dev/full`).
 *
 * @example
 * assertWritableTarget('/dev/full') // throws: /dev/full is not a regular file ...
 */
export function assertWritableTarget(path: string): void {
  const existing = statIfExists(path);
  if (existing) assertRegularFile(path, existing);
  assertTrustedLink(path, existing);
}

function assertRegularFile(path: string, stats: Stats): void {
  if (stats.isFile()) {
    // /dev/stdout sent to a file is that file: renamed over, it would lose what it held.
    if (/^\/(?:dev|proc)\//.test(resolve(path)))
      throw new RasdbError(
        ExitCode.usage,
        `${path} is a device's name, not a file; give a file path (rasdb writes a temporary file beside it and renames it)`,
        { path },
      );
    return;
  }
  const what = stats.isDirectory()
    ? 'a folder'
    : stats.isFIFO()
      ? 'a FIFO'
      : stats.isCharacterDevice() || stats.isBlockDevice()
        ? 'a device'
        : stats.isSocket()
          ? 'a socket'
          : 'not a regular file';
  throw new RasdbError(
    ExitCode.usage,
    `${path} is ${what === 'not a regular file' ? what : `${what}, not a regular file`}; give a file path (rasdb writes a temporary file beside it and renames it)`,
    { path },
  );
}

/**
 * A symbolic link is followed only when the caller (or root) owns it and it leads to a file; so
 * is a link to a folder on the way (`/tmp/theirs/gen -> /root/private` would have root write there).
 */
function assertTrustedLink(path: string, target: Stats | undefined): void {
  const self = process.geteuid?.();
  for (let at = dirname(resolve(path)); self !== undefined && at !== dirname(at); at = dirname(at)) {
    let folder: Stats;
    try {
      folder = lstatSync(at);
    } catch {
      continue; // not there yet: made below
    }
    if (folder.isSymbolicLink() && folder.uid !== self && folder.uid !== 0)
      throw new RasdbError(
        ExitCode.usage,
        `${at}, on the way to ${path}, is a symbolic link owned by another user (uid ${folder.uid}); rasdb does not write through it: give the file's own path`,
        { path },
      );
  }
  let link: Stats;
  try {
    link = lstatSync(path);
  } catch {
    return; // nothing there yet, or unreadable: statIfExists has said what it must
  }
  if (!link.isSymbolicLink()) return;
  if (self !== undefined && link.uid !== self)
    throw new RasdbError(
      ExitCode.usage,
      `${path} is a symbolic link owned by another user (uid ${link.uid}); rasdb does not write through it: give the file's own path`,
      { path },
    );
  if (!target)
    throw new RasdbError(
      ExitCode.usage,
      `${path} is a symbolic link to ${readlinkSync(path)}, which does not exist; create that file or give another path`,
      { path },
    );
}

function statIfExists(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ENOTDIR')
      throw new RasdbError(
        ExitCode.usage,
        `${path} cannot be a file: a part of the path before it is a file, not a folder`,
        { path },
      );
    throw fileSystemError(error, `cannot read ${path}`);
  }
}

function writeAll(fd: number, bytes: Buffer): void {
  for (let offset = 0; offset < bytes.length;) offset += writeSync(fd, bytes, offset, bytes.length - offset);
}

function keepModeAndOwner(fd: number, existing: Stats): void {
  // The mode given to open() is masked by the umask: set it again exactly.
  fchmodSync(fd, existing.mode & 0o7777);
  if (process.getuid?.() === 0) fchownSync(fd, existing.uid, existing.gid);
}

/** The rename is durable once the folder's entry is on the disk; not every file system can say so. */
function syncFolder(folder: string): void {
  try {
    const fd = openSync(folder, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some file systems refuse fsync on a folder; the file itself is already flushed.
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Closing can report the same full disk the write did; the temporary file is removed next.
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Never created, or already gone.
  }
}

function fileSystemError(error: unknown, what: string): RasdbError {
  if (error instanceof RasdbError) return error;
  const exitCode = isPathMistake(error) ? ExitCode.usage : ExitCode.failed;
  return new RasdbError(exitCode, `${what}: ${fileSystemReason(error)}`, {}, { cause: error });
}
