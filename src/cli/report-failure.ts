import { ExitCode, RasdbError, isPgServerError, type ExitCodeValue } from '../errors.js';
import { redactServerText } from '../db/redact.js';
import { jsonDocument, jsonText } from './output.js';
import { printable } from './printable.js';
import { wordError } from './words.js';

/** What the error report needs to know of the command line: read by commander, not from argv. */
export interface ReportFlags {
  readonly json?: boolean;
  readonly verbose?: boolean;
}

/**
 * The one place an error becomes output and an exit code. A `RasdbError` is expected: one line.
 * Anything else is a bug in rasdb: one line that says so, and the stack with --verbose.
 *
 * @example
 * return reportFailure(error, program.opts());
 */
export function reportFailure(error: unknown, flags: ReportFlags): ExitCodeValue {
  const expected = error instanceof RasdbError;
  const fromServer = !expected && isPgServerError(error);
  // A refusal by the server is the database's answer, not a bug in rasdb: say what it said.
  const exitCode = expected ? error.exitCode : fromServer && error.code === '42501' ? ExitCode.check : ExitCode.failed;
  const message = expected
    ? wordError(error)
    : fromServer
      ? `the database refused: ${redactServerText(error.message.split('\n')[0])} (SQLSTATE ${error.code})${error.code === '42501' ? '; run as a role with the privilege, or grant it' : ''}`
      : `internal error: ${redactServerText(error instanceof Error ? error.message : String(error))} (this is a bug in rasdb; run with --verbose and report it)`;
  process.stderr.write(printable(`rasdb: ${message}`) + '\n');
  if (flags.verbose && error instanceof Error && error.stack) process.stderr.write(printable(redactServerText(error.stack)) + '\n');
  if (flags.json) {
    const details = expected ? error.details : {};
    process.stdout.write(jsonText(jsonDocument({ error: { message, ...details } }, exitCode)));
  }
  return exitCode;
}
