import type { Command } from 'commander';
import { withExamples } from '../help.js';
import type { CommandOutcome } from '../main.js';
import { runCommand } from '../session-command.js';

/** `rasdb psql [-- psql args]`: psql on the database rasdb uses, the embedded one included. */
export function registerPsql(program: Command, outcome: CommandOutcome): void {
  withExamples(program.command('psql'), [
    'rasdb psql',
    "rasdb psql -- -c 'select name, applied_at from rasdb.migrations'",
    'rasdb psql -- -f report.sql -v ON_ERROR_STOP=1',
  ])
    .argument('[psql-args...]', 'passed to psql as they are (after --)')
    .description(
      "open psql on the database rasdb uses (starting the embedded server for as long as psql runs); exits with psql's exit code",
    )
    .action(async (args: string[], _options, command: Command) => {
      outcome.exitCode = await runPsqlCommand(command, args);
    });
}

async function runPsqlCommand(command: Command, args: string[]): Promise<number> {
  return runCommand(
    command,
    {},
    async ({ session }) => {
      const { findPsql, runPsql } = await import('../../db/psql.js');
      return runPsql(await findPsql(process.env), session.libpq, args);
    },
    (settings) => [settings.json && "psql's output is its own: rasdb psql does not take --json"],
  );
}
