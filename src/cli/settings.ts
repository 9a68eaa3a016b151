import { Option, type Command } from 'commander';
import { RasdbError, usageError } from '../errors.js';
import { wordError } from './words.js';

/** What commander hands over for one option: text, a switch, or repeated values. */
export type RawValue = string | boolean | string[] | undefined;

/**
 * One command-line option, defined once: its flag, help, default, environment variable, and how
 * its text becomes a typed value (throwing a usage error that names the flag).
 */
export interface OptionSpec<T> {
  readonly flags: string;
  readonly description: string;
  readonly defaultValue?: string;
  readonly env?: string;
  readonly hidden?: boolean;
  readonly required?: boolean;
  /** Given on the command line, it means nothing unless this other setting is on: `--scale` needs `--demo`. */
  readonly needs?: string;
  /** Given on the command line, it means nothing while this other setting is on: `--lock-timeout` with `--dry-run`. */
  readonly uselessWith?: string;
  readonly parse: (raw: RawValue, flag: string) => T;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec<unknown>>>;

/** The typed settings a set of specs parses into. */
export type SettingsOf<S extends OptionSpecs> = {
  readonly [K in keyof S]: S[K] extends OptionSpec<infer T> ? T : never;
};

/**
 * Adds each spec to `command` as a commander option.
 *
 * @example
 * withOptions(program.command('migrate'), MIGRATE_OPTIONS).action(...)
 */
export function withOptions(command: Command, specs: OptionSpecs): Command {
  for (const spec of Object.values(specs)) command.addOption(toOption(spec));
  return command;
}

/**
 * Parses every option of `specs` from what commander read for `command` (its own options and the
 * program's), then runs `checks` on the typed result. Every problem is reported together, in one
 * usage error, before anything is opened or written.
 *
 * @example
 * const settings = readSettings(command, { ...GLOBAL_OPTIONS, ...MIGRATE_OPTIONS });
 * settings.lockWaitMs // 60000
 */
export function readSettings<S extends OptionSpecs>(
  command: Command,
  specs: S,
  checks: (settings: SettingsOf<S>) => readonly (string | false | undefined)[] = () => [],
): SettingsOf<S> {
  const raw = command.optsWithGlobals<Record<string, RawValue>>();
  const problems: string[] = [];
  const settings: Record<string, unknown> = {};
  const flagOf = (key: string): string => toOption(specs[key]).long ?? key;
  for (const [key, spec] of Object.entries(specs)) {
    const option = toOption(spec);
    const name = option.long ?? option.flags;
    const value = raw[option.attributeName()];
    const source = command.getOptionValueSourceWithGlobals(option.attributeName());
    // A value from the environment is named as such: the operator typed no such flag.
    const from = source === 'env' && spec.env ? ` (it comes from ${spec.env})` : '';
    // An empty value is a mistake (an unset variable in a script), never "all" or "the default".
    if (typeof value === 'string' ? value.trim() === '' : Array.isArray(value) && value.some((v) => v.trim() === '')) {
      problems.push(`${name} must not be empty${from}`);
      continue;
    }
    try {
      settings[key] = spec.parse(value, name);
    } catch (error) {
      if (!(error instanceof RasdbError)) throw error;
      problems.push(`${wordError(error)}${from}`);
    }
  }
  // Only what the operator typed is refused for having no effect: a variable set for every command is not.
  for (const [key, spec] of Object.entries(specs)) {
    const typed = command.getOptionValueSourceWithGlobals(toOption(spec).attributeName()) === 'cli';
    if (typed && spec.needs && specs[spec.needs] && !settings[spec.needs]) {
      problems.push(`${flagOf(key)} has no effect without ${flagOf(spec.needs)}`);
    }
    if (typed && spec.uselessWith && specs[spec.uselessWith] && settings[spec.uselessWith]) {
      problems.push(`${flagOf(key)} has no effect with ${flagOf(spec.uselessWith)}`);
    }
  }
  if (problems.length === 0) {
    for (const problem of checks(settings as SettingsOf<S>)) if (problem) problems.push(problem);
  }
  if (problems.length) throw usageError(problems.join('; '));
  return settings as SettingsOf<S>;
}

function toOption(spec: OptionSpec<unknown>): Option {
  const option = new Option(spec.flags, spec.required ? `${spec.description} (required)` : spec.description);
  if (spec.defaultValue !== undefined) option.default(spec.defaultValue);
  if (spec.env) option.env(spec.env);
  if (spec.hidden) option.hideHelp();
  if (spec.required) option.makeOptionMandatory();
  return option;
}
