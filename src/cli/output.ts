import { Chalk, type ChalkInstance } from 'chalk';
import { redactUrls } from '../db/redact.js';
import { printable } from './printable.js';

export interface GlobalFlags {
  databaseUrl?: string;
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

/**
 * Where a command's words go. Results go to stdout (JSON with `--json`); notices and progress go
 * to stderr so a pipe or a cron log of stdout stays clean. Every human-readable line passes through
 * `printable` (control characters escaped, URL passwords masked); JSON stays exact, as
 * JSON.stringify already escapes control characters. No secret is masked by search and replace
 * here: rasdb's own words never hold one, and server messages are netted where they are quoted
 * (redactServerText). Colour only on a terminal and never when NO_COLOR is set.
 */
export class Output {
  readonly color: ChalkInstance;

  constructor(
    readonly flags: GlobalFlags,
    private readonly stdout: NodeJS.WriteStream = process.stdout,
    private readonly stderr: NodeJS.WriteStream = process.stderr,
  ) {
    const useColor = Boolean(stdout.isTTY) && !('NO_COLOR' in process.env) && !flags.json;
    this.color = new Chalk({ level: useColor ? 1 : 0 });
    this.colors = useColor;
  }

  private readonly colors: boolean;

  private text(line: string): string {
    return printable(line, this.colors) + '\n';
  }

  /** A line of the human-readable result (stdout); silent under --json and --quiet. */
  line(text: string): void {
    if (!this.flags.json && !this.flags.quiet) this.stdout.write(this.text(text));
  }

  /** A line that must reach a human even under --quiet (a summary, a refusal): stdout, not under --json. */
  always(text: string): void {
    if (!this.flags.json) this.stdout.write(this.text(text));
  }

  /** Side information (stderr): the embedded-server notice, progress. Silent under --quiet. */
  notice(text: string): void {
    if (!this.flags.quiet) this.stderr.write(this.text(text));
  }

  /** Only with --verbose (stderr). */
  debug(text: string): void {
    if (this.flags.verbose) this.stderr.write(this.text(text));
  }

  /** The machine-readable result: one JSON document on stdout, under --json only. */
  json(value: unknown): void {
    if (this.flags.json) this.stdout.write(jsonText(value));
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
  return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'string' ? redactUrls(item) : item), 2) + '\n';
}

/** `12 ms`, `1.4 s`: short enough for a migration list. */
export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
