import { isPgServerError } from '../errors.js';

/** Server errors that mean this session is gone: the connection class, and a backend shut down or terminated. */
const SESSION_ENDED = new Set(['57P01', '57P02', '57P03']);

/** What node-postgres and Node say when the socket under a client breaks. */
const SOCKET_GONE = /connection terminated|connection error|not queryable|ECONNRESET|EPIPE|ETIMEDOUT|socket hang up/i;

/**
 * Whether `error` means the connection to the server was lost (terminated, crashed, cut), after
 * which nothing more can be learnt on this client: what it committed must be read on a new one.
 *
 * @example
 * if (isConnectionLoss(error)) return readOnANewConnection();
 */
export function isConnectionLoss(error: unknown): boolean {
  if (isPgServerError(error)) {
    const code = error.code ?? '';
    return code.startsWith('08') || SESSION_ENDED.has(code);
  }
  if (!(error instanceof Error)) return false;
  const code = (error as Error & { code?: unknown }).code;
  return SOCKET_GONE.test(error.message) || (typeof code === 'string' && SOCKET_GONE.test(code));
}
