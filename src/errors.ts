/**
 * Exit codes are part of rasdb's interface: cron jobs and CI pipelines branch on them.
 * Keep this table and the README's in step.
 */
export const ExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
  connect: 3,
  check: 4,
  busy: 5,
  timeLimit: 6,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * An expected failure: it carries the exit code and one line for the user.
 * Anything else that reaches the top-level handler is a bug and is reported as one.
 *
 * @example
 * throw new RasdbError(ExitCode.usage, '--phase must be a whole number from 0 to 4, got "7"');
 */
export class RasdbError extends Error {
  readonly exitCode: ExitCodeValue;
  /** Extra machine-readable facts for `--json` output. */
  readonly details: Record<string, unknown>;

  constructor(exitCode: ExitCodeValue, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RasdbError';
    this.exitCode = exitCode;
    this.details = details;
  }
}

export const usageError = (message: string): RasdbError => new RasdbError(ExitCode.usage, message);

/** The fields node-postgres puts on an error that came from the server. */
export interface PgServerError {
  code?: string;
  message: string;
  detail?: string;
  hint?: string;
  position?: string;
}

export function isPgServerError(error: unknown): error is PgServerError & Error {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}
