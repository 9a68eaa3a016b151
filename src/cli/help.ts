import type { Command } from 'commander';
import { usageError } from '../errors.js';

/**
 * Adds an "Examples:" block to a command's help.
 *
 * @example
 * withExamples(program.command('status'), ['rasdb status', 'rasdb status --json | jq .currentPhase']);
 */
export function withExamples(command: Command, examples: readonly string[]): Command {
  return command.addHelpText('after', `\nExamples:\n${examples.map((line) => `  $ ${line}`).join('\n')}`);
}

/** The command path as typed: `rasdb retention hold`. */
function pathOf(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/**
 * A command that only groups others (`rasdb retention`, `rasdb retention hold`): run alone or with
 * an unknown subcommand, it says which subcommands it has, in one line (exit 2).
 *
 * @example
 * asGroup(program.command('retention'));
 */
export function asGroup(command: Command): Command {
  return command.argument('[command]').action((given: string | undefined) => {
    const names = command.commands.map((c) => c.name());
    const near = given ? names.find((name) => name.startsWith(given.slice(0, 2))) : undefined;
    const what = given
      ? `unknown command '${given}' for ${pathOf(command)}${near ? ` (did you mean ${near}?)` : ''}`
      : `${pathOf(command)} needs a command`;
    throw usageError(`${what}: ${names.join(', ')}; see ${pathOf(command)} --help`);
  });
}

/**
 * `rasdb help [command...]`: the help of any command, however deep (`rasdb help retention prune`).
 *
 * @example
 * addHelpCommand(program);
 */
export function addHelpCommand(program: Command): void {
  program.helpCommand(false);
  program
    .command('help [command...]')
    .description('show the help of rasdb or of one of its commands')
    .action((path: string[]) => {
      let command: Command = program;
      for (const name of path) {
        const next = command.commands.find((c) => c.name() === name || c.aliases().includes(name));
        if (!next) throw usageError(`unknown command '${[pathOf(command), name].join(' ')}'; see rasdb --help`);
        command = next;
      }
      command.outputHelp();
    });
}
