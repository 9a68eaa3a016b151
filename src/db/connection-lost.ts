import { isPgServerError, RasdbError } from '../errors.js';

// What node-postgres says when the socket closes under it, or when a client is used after that.
const LOST_MESSAGES = [
  'Connection terminated unexpectedly',
  'Connection terminated',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
];

// The server ended the session: pg_terminate_backend, a shutdown, a crash of another backend.
const LOST_SQLSTATES = new Set(['57P01', '57P02', '57P05', '08000', '08003', '08006']);

// A socket that broke under a query.
const LOST_SOCKET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * True when `error` means the connection to the server is gone: the server terminated the
 * session or shut down, or the socket closed or broke. The run cannot go on on that connection,
 * and it is not a bug in rasdb.
 *
 * @example
 * isConnectionLost(new Error('Connection terminated unexpectedly')) // true
 */
export function isConnectionLost(error: unknown): error is Error {
  if (!(error instanceof Error)) return false;
  // Already said in words by the query guard (query-deadline.ts), which keeps the fact.
  if (error instanceof RasdbError) return error.details.connectionLost === true;
  if (isPgServerError(error)) return LOST_SQLSTATES.has(error.code ?? '');
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && LOST_SOCKET_CODES.has(code)) return true;
  return LOST_MESSAGES.includes(error.message);
}
