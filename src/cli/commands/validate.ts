import { Option, type Command } from 'commander';
import type { CommandOutcome } from '../main.js';

/** `rasdb validate` and `rasdb repair --accept <migration>`: checksums of applied migrations. */
export function registerValidate(program: Command, outcome: CommandOutcome): void {
  program
    .command('validate')
    .description('check that every applied migration still matches its file (exit 4 naming those that changed)')
    .action(async (_options, command: Command) => {
      const { runValidate } = await import('./validate-action.js');
      outcome.exitCode = await runValidate(command);
    });
  program
    .command('repair')
    .description("accept a deliberate change to an applied migration: record its file's new checksum")
    .requiredOption('--accept <migration>', 'the migration whose new checksum to record')
    .addOption(new Option('--lock-wait <duration>', 'wait this long for another rasdb run to finish, then exit 5').default('60s').env('RASDB_LOCK_WAIT'))
    .action(async (_options, command: Command) => {
      const { runRepair } = await import('./validate-action.js');
      outcome.exitCode = await runRepair(command);
    });
}
