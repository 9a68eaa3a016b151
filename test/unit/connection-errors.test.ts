import { describe, expect, it } from 'vitest';
import { connectionError } from '../../src/db/session.js';

const target = { label: 'old-db', host: 'db.example.org', port: 5432, database: 'rasdb' };

/** An error as pg gives it for a server's FATAL at startup: its message and SQLSTATE. */
const serverError = (code: string, message: string) => Object.assign(new Error(message), { code, severity: 'FATAL' });

describe('connectionError', () => {
  it('a server of PostgreSQL 13 or older refusing the idle_session_timeout every connection sets: exit 4, its version named', () => {
    const error = connectionError(
      serverError('42704', 'unrecognized configuration parameter "idle_session_timeout"'),
      target,
    );
    expect(error.exitCode).toBe(4);
    expect(error.message).toBe(
      'the server at db.example.org:5432/rasdb is older than PostgreSQL 14 (it does not know idle_session_timeout); rasdb needs 15 or newer',
    );
  });

  it('another unknown setting stays a connection failure in the server words', () => {
    const error = connectionError(serverError('42704', 'unrecognized configuration parameter "wal_fancy"'), target);
    expect(error.exitCode).toBe(3);
    expect(error.message).toContain('unrecognized configuration parameter "wal_fancy"');
  });
});
