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
  /** The message with each option it points at marked by `option()`, for the CLI to word as a flag. */
  readonly template: string;
  /** The options the message points at, in order. */
  readonly options: readonly OptionName[];

  constructor(
    exitCode: ExitCodeValue,
    message: string,
    details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(
      wordOptions(message, (name) => name),
      options,
    );
    this.name = 'RasdbError';
    this.exitCode = exitCode;
    this.details = details;
    this.template = message;
    this.options = [...message.matchAll(OPTION_MARK)].map((match) => match[1] as OptionName);
  }

  /**
   * The message with each option it points at worded by `word`: the CLI names its flags.
   *
   * @example
   * error.worded((name) => FLAGS[name]) // '... wait for it to finish, or raise --lock-wait'
   */
  worded(word: (name: OptionName) => string): string {
    return wordOptions(this.template, word);
  }
}

/**
 * The options of the library's functions that an error may point at ("raise lockWaitMs"). The
 * library names no command-line flags: the CLI words each of these as its flag.
 */
export type OptionName =
  | 'accept'
  | 'all'
  | 'asOf'
  | 'batchSize'
  | 'belowComplianceMinimum'
  | 'category'
  | 'chart'
  | 'databaseUrl'
  | 'demo'
  | 'force'
  | 'from'
  | 'ids'
  | 'indexWorkers'
  | 'keepDetail'
  | 'keepSummary'
  | 'lockTimeoutMs'
  | 'lockWaitMs'
  | 'maxRuntimeMs'
  | 'now'
  | 'only'
  | 'phase'
  | 'policies'
  | 'reason'
  | 'scale'
  | 'scratchUrl'
  | 'seed'
  | 'statementTimeoutMs'
  | 'until'
  | 'verbose';

// Private-use characters: no user text, SQL or server message carries them by accident.
const OPTION_MARK = /\uE000([A-Za-z]+)\uE001/g;

/**
 * Marks an option inside a library error's message.
 *
 * @example
 * new RasdbError(ExitCode.busy, `another run holds the lock; raise ${option('lockWaitMs')}`);
 */
export const option = (name: OptionName): string => `\uE000${name}\uE001`;

/**
 * Any text with options marked by `option()`, each worded by `word`.
 *
 * @example
 * wordOptions(`set ${option('databaseUrl')}`, (name) => name) // 'set databaseUrl'
 */
export function wordOptions(template: string, word: (name: OptionName) => string): string {
  return template.replace(OPTION_MARK, (_match, name: string) => word(name as OptionName));
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

/**
 * True for an error the PostgreSQL server sent (a SQLSTATE in `code`). Node.js's own errors also
 * carry a `code` of five capitals now and then (EPIPE, EROFS, EPERM), but always with the system
 * call that failed (`syscall`) or its number (`errno`), which a server's error never has.
 *
 * @example
 * isPgServerError(serverError)                                           // true: code '42P01'
 * isPgServerError(Object.assign(new Error(), { code: 'EROFS', syscall: 'open' })) // false
 */
export function isPgServerError(error: unknown): error is PgServerError & Error {
  if (!(error instanceof Error)) return false;
  const { code, syscall, errno } = error as { code?: unknown; syscall?: unknown; errno?: unknown };
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && syscall === undefined && errno === undefined;
}
