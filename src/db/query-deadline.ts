import type pg from 'pg';
import { ExitCode, RasdbError } from '../errors.js';
import { isConnectionLost } from './connection-lost.js';

/** How much longer than the server's own statement_timeout rasdb waits for an answer. */
export const DEADLINE_MARGIN_MS = 10_000;

/** The statement_timeout rasdb assumes when a command sets none: the longest a migration may run by default. */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 15 * 60_000;

/**
 * The client-side deadline of every query on a connection: the server's statement_timeout plus a
 * margin. A server that cancels its own statements answers well within it; only a server that
 * does not answer at all (stopped, frozen, cut off without a reset) reaches it.
 *
 * @example
 * queryDeadlineMs(60_000) // 70_000
 */
export function queryDeadlineMs(statementTimeoutMs = DEFAULT_STATEMENT_TIMEOUT_MS): number {
  return statementTimeoutMs + DEADLINE_MARGIN_MS;
}

/**
 * The deadline of a query that sends `statements` statements as one simple query: PostgreSQL
 * (13 and later) applies statement_timeout to each of them, so the client allows one per statement.
 *
 * @example
 * batchDeadlineMs(60_000, 3) // 190_000
 */
export function batchDeadlineMs(statementTimeoutMs: number, statements: number): number {
  return statementTimeoutMs * Math.max(1, statements) + DEADLINE_MARGIN_MS;
}

/** A query that sets its own deadline (see batchDeadlineMs) instead of the connection's. */
export interface QueryWithDeadline extends pg.QueryConfig {
  deadlineMs: number;
}

/**
 * Makes every promise-returning query on `client` end within `deadlineMs`: past it, the socket is
 * destroyed (a stopped server never answers, and pg would queue every later query behind the
 * silent one, `end()` included) and the query fails with one line naming the server. A lost
 * connection (the server terminated the session or went away) also becomes one line naming it.
 * Queries given a submittable (a cursor) are passed through untouched.
 *
 * @example
 * guardQueries(client, '127.0.0.1:5432/rasdash', queryDeadlineMs(settings.statementTimeoutMs));
 */
export function guardQueries(client: pg.Client, where: string, deadlineMs: number): void {
  const original = client.query.bind(client);
  let timedOut = false;
  const guarded = (...args: unknown[]): unknown => {
    const result: unknown = Reflect.apply(original, client, args);
    if (!(result instanceof Promise)) return result;
    const own = ownDeadline(args[0]);
    const limit = own ?? deadlineMs;
    const timer = setTimeout(() => {
      timedOut = true;
      client.connection.stream.destroy();
    }, limit);
    return result.then(
      (value: unknown) => {
        clearTimeout(timer);
        return value;
      },
      (error: unknown) => {
        clearTimeout(timer);
        throw explain(error, where, timedOut, limit);
      },
    );
  };
  client.query = guarded as typeof client.query;
}

function ownDeadline(query: unknown): number | undefined {
  if (typeof query !== 'object' || query === null || !('deadlineMs' in query)) return undefined;
  return typeof query.deadlineMs === 'number' ? query.deadlineMs : undefined;
}

function explain(error: unknown, where: string, timedOut: boolean, deadlineMs: number): unknown {
  if (timedOut) {
    return new RasdbError(
      ExitCode.failed,
      `the server at ${where} did not answer within ${seconds(deadlineMs)} (the statement timeout plus ${seconds(DEADLINE_MARGIN_MS)}); ` +
        'rasdb closed the connection: check that the server is running and not frozen',
      { host: where, timedOutMs: deadlineMs, connectionLost: true },
      { cause: error },
    );
  }
  if (isConnectionLost(error)) {
    return new RasdbError(
      ExitCode.failed,
      `the connection to ${where} was lost (${error.message.split('\n')[0]})`,
      { database: where, connectionLost: true },
      { cause: error },
    );
  }
  return error;
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`;
}
