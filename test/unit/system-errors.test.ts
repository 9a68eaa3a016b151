import { describe, expect, it } from 'vitest';
import { isConnectionLost } from '../../src/db/connection-lost.js';
import { describeSystemError, fileSystemReason, isSystemError } from '../../src/db/file-system-error.js';
import { isPgServerError } from '../../src/errors.js';

/** An error as Node.js raises it for a failed system call. */
const systemError = (code: string, syscall: string, path?: string): Error =>
  Object.assign(new Error(`${code}: failed, ${syscall}${path ? ` '${path}'` : ''}`), {
    code,
    syscall,
    errno: -1,
    path,
  });

/** An error as node-postgres builds it from the server's ErrorResponse. */
const serverError = (code: string, message: string): Error =>
  Object.assign(new Error(message), { code, severity: 'ERROR' });

describe('isPgServerError', () => {
  it('takes a SQLSTATE from the server', () => {
    expect(isPgServerError(serverError('42P01', 'relation "x" does not exist'))).toBe(true);
    expect(isPgServerError(serverError('57P01', 'terminating connection due to administrator command'))).toBe(true);
  });

  it('never takes a Node.js error code for a SQLSTATE, five capitals or not', () => {
    for (const code of ['EROFS', 'EPIPE', 'EPERM', 'EBADF', 'ENOSPC', 'ENOENT']) {
      expect(isPgServerError(systemError(code, 'write')), code).toBe(false);
    }
  });
});

describe('isSystemError and its words', () => {
  it('knows a system call failure from a server error', () => {
    expect(isSystemError(systemError('ENOSPC', 'write'))).toBe(true);
    expect(isSystemError(serverError('53100', 'could not extend file'))).toBe(false);
  });

  it('says what went wrong, keeping the errno name', () => {
    expect(fileSystemReason(systemError('ENOSPC', 'write'))).toBe('no space left on the device (ENOSPC)');
    const erofs = systemError('EROFS', 'open', '/srv/db.ts');
    expect(isSystemError(erofs) && describeSystemError(erofs)).toBe(
      'cannot open /srv/db.ts: the file system is read-only (EROFS)',
    );
  });
});

describe('isConnectionLost', () => {
  it('recognises a terminated session, a closed socket and a client used after either', () => {
    expect(isConnectionLost(serverError('57P01', 'terminating connection due to administrator command'))).toBe(true);
    expect(isConnectionLost(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isConnectionLost(new Error('Client has encountered a connection error and is not queryable'))).toBe(true);
    expect(isConnectionLost(systemError('ECONNRESET', 'read'))).toBe(true);
  });

  it('leaves every other failure alone', () => {
    expect(isConnectionLost(serverError('57014', 'canceling statement due to statement timeout'))).toBe(false);
    expect(isConnectionLost(serverError('42P01', 'relation "x" does not exist'))).toBe(false);
    expect(isConnectionLost(new Error('something else'))).toBe(false);
  });
});
