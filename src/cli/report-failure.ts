import { ExitCode, RasdbError, isPgServerError, type ExitCodeValue } from '../errors.js';
import { describeSystemError, isPathMistake, isSystemError } from '../db/file-system-error.js';
import { isConnectionLost } from '../db/connection-lost.js';
import { redactServerText } from '../db/redact.js';
import { jsonDocument, jsonText } from './output.js';
import { inline, printable } from './printable.js';
import { wordError } from './words.js';

/** What the error report needs to know of the command line: read by commander, not from argv. */
export interface ReportFlags {
  readonly json?: boolean;
  readonly verbose?: boolean;
}

/**
 * The one place an error becomes output and an exit code. A `RasdbError` is expected: one line.
 * So are the server's refusals, a file system's failures (a full disk, a read-only mount) and a
 * lost connection: the machine's answer, not a bug. Anything else is a bug in rasdb: one line
 * that says so, and the stack with --verbose.
 *
 * @example
 * return reportFailure(error, program.opts());
 */
export function reportFailure(error: unknown, flags: ReportFlags): ExitCodeValue {
  const { exitCode, message, details } = describe(error);
  // One line, whatever the message quotes: a line feed in a path or a server's text is shown as \n.
  process.stderr.write(inline(printable(`rasdb: ${message}`)) + '\n');
  if (flags.verbose && error instanceof Error && error.stack)
    process.stderr.write(printable(redactServerText(error.stack)) + '\n');
  if (flags.json) {
    process.stdout.write(jsonText(jsonDocument({ error: { message, ...details } }, exitCode)));
  }
  return exitCode;
}

function describe(error: unknown): { exitCode: ExitCodeValue; message: string; details: Record<string, unknown> } {
  if (error instanceof RasdbError)
    return { exitCode: error.exitCode, message: wordError(error), details: error.details };
  if (isConnectionLost(error)) {
    return {
      exitCode: ExitCode.failed,
      message: `the connection to the database was lost (${redactServerText(firstLine(error.message))})`,
      details: {},
    };
  }
  if (isPgServerError(error) && error.code === READ_ONLY_TRANSACTION) {
    // Whichever statement met it first, the fix is the same: another server, or another setting.
    return {
      exitCode: ExitCode.connect,
      message: `the database refused a write: this session is read-only (a standby, or default_transaction_read_only is on; SQLSTATE ${error.code}); point rasdb at a writable primary`,
      details: { sqlstate: error.code },
    };
  }
  if (isPgServerError(error)) {
    const denied = error.code === '42501';
    const hint = denied ? '; run as a role with the privilege, or grant it' : '';
    const message = `the database refused: ${redactServerText(firstLine(error.message))} (SQLSTATE ${error.code})${hint}`;
    return { exitCode: denied ? ExitCode.check : ExitCode.failed, message, details: { sqlstate: error.code } };
  }
  if (isSystemError(error)) {
    // A path that cannot be one (a file where a folder must be) is the user's to fix: a usage error.
    const exitCode = isPathMistake(error) ? ExitCode.usage : ExitCode.failed;
    return { exitCode, message: describeSystemError(error), details: { code: error.code, path: error.path } };
  }
  const text = error instanceof Error ? error.message : String(error);
  return {
    exitCode: ExitCode.failed,
    message: `internal error: ${redactServerText(text)} (this is a bug in rasdb; run with --verbose and report it)`,
    details: {},
  };
}

/** SQLSTATE read_only_sql_transaction: a write in a read-only transaction. */
const READ_ONLY_TRANSACTION = '25006';

function firstLine(text: string): string {
  return text.split('\n')[0];
}
