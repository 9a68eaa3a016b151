import { Chalk, type ChalkInstance } from 'chalk';
import { redact } from '../db/redact.js';

export interface GlobalFlags {
  databaseUrl?: string;
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

/**
 * Where a command's words go. Results go to stdout (JSON with `--json`); notices and progress go
 * to stderr so a pipe or a cron log of stdout stays clean. Every line passes through `redact`.
 * Colour only on a terminal and never when NO_COLOR is set.
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
  }

  /** A line of the human-readable result (stdout); silent under --json and --quiet. */
  line(text: string): void {
    if (!this.flags.json && !this.flags.quiet) this.stdout.write(redact(text) + '\n');
  }

  /** A line that must reach a human even under --quiet (a summary, a refusal): stdout, not under --json. */
  always(text: string): void {
    if (!this.flags.json) this.stdout.write(redact(text) + '\n');
  }

  /** Side information (stderr): the embedded-server notice, progress. Silent under --quiet. */
  notice(text: string): void {
    if (!this.flags.quiet) this.stderr.write(redact(text) + '\n');
  }

  /** Only with --verbose (stderr). */
  debug(text: string): void {
    if (this.flags.verbose) this.stderr.write(redact(text) + '\n');
  }

  /** The machine-readable result: one JSON document on stdout, under --json only. */
  json(value: unknown): void {
    if (this.flags.json) this.stdout.write(redact(JSON.stringify(value, null, 2)) + '\n');
  }

  /** The one line an error gets (stderr), always. */
  error(text: string): void {
    this.stderr.write(redact(text) + '\n');
  }
}

/** `12 ms`, `1.4 s`: short enough for a migration list. */
export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
