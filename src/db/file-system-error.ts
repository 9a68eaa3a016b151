import { accessSync, constants, existsSync } from 'node:fs';
import { dirname } from 'node:path';

/** What Node.js puts on an error from a system call: `code` is errno's name (ENOSPC), never a SQLSTATE. */
export interface SystemError extends Error {
  readonly code: string;
  readonly syscall: string;
  readonly path?: string;
  readonly errno?: number;
}

/**
 * True for an error a system call raised (a file, a socket): it has errno's name as `code` and the
 * call's name as `syscall`. A server's SQLSTATE error has neither `syscall` nor `errno`.
 *
 * @example
 * isSystemError(Object.assign(new Error('x'), { code: 'EROFS', syscall: 'open' })) // true
 */
export function isSystemError(error: unknown): error is SystemError {
  if (!(error instanceof Error)) return false;
  const { code, syscall } = error as Partial<SystemError>;
  return typeof code === 'string' && /^E[A-Z0-9_]+$/.test(code) && typeof syscall === 'string';
}

const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exhausted',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'the operation is not permitted',
  ENOENT: 'no such file or folder',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'it is a folder',
  EEXIST: 'it already exists',
  EMFILE: 'too many open files',
  EIO: 'an input/output error',
  EPIPE: 'the reader closed the pipe',
  ENXIO: 'no reader on the other end',
  ENAMETOOLONG: 'a name in the path is too long',
  ELOOP: 'too many symbolic links in the path',
};

/** Failures of a path that cannot be one (a file where a folder must be, a name too long): the user's to fix. */
const PATH_MISTAKES = new Set(['ENOTDIR', 'EISDIR', 'ENAMETOOLONG', 'ELOOP']);

/**
 * True when a system error says the path given cannot be one, so the answer is exit 2 (usage).
 *
 * @example
 * isPathMistake(Object.assign(new Error('x'), { code: 'ENAMETOOLONG', syscall: 'stat' })) // true
 */
export function isPathMistake(error: unknown): boolean {
  return isSystemError(error) && PATH_MISTAKES.has(error.code);
}

/**
 * A short reason for a file-system failure, errno's name kept in parentheses for a search engine.
 *
 * @example
 * fileSystemReason(enospcError) // 'no space left on the device (ENOSPC)'
 */
export function fileSystemReason(error: unknown): string {
  if (!isSystemError(error)) return error instanceof Error ? error.message.split('\n')[0] : String(error);
  const reason = REASONS[error.code];
  return reason ? `${reason} (${error.code})` : error.message.split('\n')[0];
}

/**
 * One line for a system error that reached the top without a caller giving it words: the call, the
 * path and the reason.
 *
 * @example
 * describeSystemError(erofs) // 'cannot mkdir /data/.rasdb: the file system is read-only (EROFS)'
 */
export function describeSystemError(error: SystemError): string {
  const verb = VERBS[error.syscall] ?? error.syscall;
  return `cannot ${verb}${error.path ? ` ${error.path}` : ''}: ${fileSystemReason(realCause(error))}`;
}

/**
 * A recursive mkdir reports ENOENT when the folder it should create in is read-only or not
 * writable: the nearest folder that exists says what really stands in the way.
 */
function realCause(error: SystemError): unknown {
  if (error.syscall !== 'mkdir' || error.code !== 'ENOENT' || !error.path) return error;
  let folder = dirname(error.path);
  while (!existsSync(folder) && folder !== dirname(folder)) folder = dirname(folder);
  try {
    accessSync(folder, constants.W_OK);
    return error;
  } catch (cause) {
    return cause;
  }
}

const VERBS: Record<string, string> = {
  open: 'open',
  mkdir: 'create the folder',
  mkdtemp: 'create a temporary folder in',
  write: 'write',
  rename: 'rename',
  unlink: 'remove',
  rmdir: 'remove the folder',
  scandir: 'read the folder',
  stat: 'read',
  lstat: 'read',
  access: 'reach',
  chmod: 'change the mode of',
  copyfile: 'copy',
  read: 'read',
};
