import { Chalk, type ChalkInstance } from 'chalk';
import { redactUrls } from '../db/redact.js';
import { inline, printable } from './printable.js';

export interface GlobalFlags {
  databaseUrl?: string;
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  /** Prefix every human-readable line with the time, ISO 8601 in UTC, for a log file. */
  timestamps?: boolean;
  /** `--no-color`: false. */
  color?: boolean;
}

/**
 * Whether to colour: never under --json, --no-color or NO_COLOR (any value); always with
 * FORCE_COLOR set to anything but 0 or false (a CI log that renders colour); else only on a terminal.
 *
 * @example
 * wantsColor({}, false, { FORCE_COLOR: '1' }) // true
 */
export function wantsColor(flags: GlobalFlags, terminal: boolean, env: NodeJS.ProcessEnv): boolean {
  if (flags.json || flags.color === false || 'NO_COLOR' in env) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !['0', 'false'].includes(force.trim().toLowerCase());
  return terminal;
}

/** The version of the shape of every `--json` document; fields are only ever added. */
export const JSON_SCHEMA_VERSION = 1;

/**
 * Where a command's words go. Results go to stdout (JSON with `--json`); notices and progress go
 * to stderr so a pipe or a cron log of stdout stays clean. Every human-readable line passes through
 * `printable` (control characters escaped, URL passwords masked); JSON stays exact, as
 * JSON.stringify already escapes control characters. No secret is masked by search and replace
 * here: rasdb's own words never hold one, and server messages are netted where they are quoted
 * (redactServerText). Colour only on a terminal and never when NO_COLOR is set.
 *
 * --quiet means silence unless something failed: the lines a command says whatever happens (its
 * summary) are held back and written only when it ends with a non-zero exit code. Warnings about
 * the configuration (the embedded-server notice) are never held back: cron should mail those.
 * Under --json the command's one document is written when it ends, on one line, with its
 * `schemaVersion`, `ok` and `exitCode`.
 */
export class Output {
  readonly color: ChalkInstance;

  constructor(
    readonly flags: GlobalFlags,
    private readonly stdout: NodeJS.WriteStream = process.stdout,
    private readonly stderr: NodeJS.WriteStream = process.stderr,
  ) {
    const useColor = wantsColor(flags, Boolean(stdout.isTTY), process.env);
    this.color = new Chalk({ level: useColor ? 1 : 0 });
    this.colors = useColor;
  }

  private readonly colors: boolean;
  private readonly held: string[] = [];
  private document: Record<string, unknown> | undefined;

  /**
   * One call, one line: a line feed inside (a table's or a role's name, a path the operator gave)
   * is shown as \n, so text from the database or the operator can never end a line of rasdb's and
   * forge the next ("The database is at phase 4"). Only --verbose's server log keeps its lines.
   */
  private text(line: string, keepLines = false): string {
    const stamp = this.flags.timestamps ? `${new Date().toISOString()} ` : '';
    const shown = printable(line, this.colors);
    return stamp + (keepLines ? shown : inline(shown)) + '\n';
  }

  /** A line of the human-readable result (stdout); silent under --json and --quiet. */
  line(text: string): void {
    if (!this.flags.json && !this.flags.quiet) this.stdout.write(this.text(text));
  }

  /** A line the command says whatever happens (a summary, a refusal): stdout, not under --json; under --quiet only on failure. */
  always(text: string): void {
    if (this.flags.json) return;
    if (this.flags.quiet) this.held.push(this.text(text));
    else this.stdout.write(this.text(text));
  }

  /** Side information (stderr): progress, retries. Silent under --quiet. */
  notice(text: string): void {
    if (!this.flags.quiet) this.stderr.write(this.text(text));
  }

  /** A warning about the configuration (stderr), shown even under --quiet. */
  warn(text: string): void {
    this.stderr.write(this.text(text));
  }

  /** Only with --verbose (stderr). */
  debug(text: string): void {
    if (this.flags.verbose) this.stderr.write(this.text(text, true));
  }

  /** The machine-readable result, under --json only: written by `finish`, with the exit code. */
  json(value: Record<string, unknown>): void {
    if (this.flags.json) this.document = value;
  }

  /**
   * Ends the command's output: its JSON document, or under --quiet the held lines when it failed.
   *
   * @example
   * out.finish(ExitCode.check);
   */
  finish(exitCode: number): void {
    if (this.document) this.stdout.write(jsonText(jsonDocument(this.document, exitCode)));
    this.document = undefined;
    if (exitCode !== 0) for (const line of this.held) this.stdout.write(line);
    this.held.length = 0;
  }

  /** The one line an error gets (stderr), always. */
  error(text: string): void {
    this.stderr.write(this.text(text));
  }
}

/**
 * One JSON document with its newline: exact, but for the password part of a URL in a string.
 *
 * @example
 * process.stdout.write(jsonText({ ok: false }));
 */
export function jsonText(value: unknown): string {
  // One line: a log collector, or `jq -c` over a night of cron runs, reads one document a line.
  return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'string' ? redactUrls(item) : item)) + '\n';
}

/**
 * A command's document as every `--json` output has it: `schemaVersion`, `ok` (the exit code is 0)
 * and `exitCode` first, then the command's own fields.
 *
 * @example
 * jsonDocument({ database: 'db:5432/x' }, 0) // { schemaVersion: 1, ok: true, exitCode: 0, database: 'db:5432/x' }
 */
export function jsonDocument(value: Record<string, unknown>, exitCode: number): Record<string, unknown> {
  const { ok: _ok, exitCode: _code, ...fields } = value;
  return { schemaVersion: JSON_SCHEMA_VERSION, ok: exitCode === 0, exitCode, ...fields };
}
