import { Option, type Command } from 'commander';
import type { CommandOutcome } from '../main.js';

/** `rasdb baseline [--phase N]`: adopt a live RAS DASH database. */
export function registerBaseline(program: Command, outcome: CommandOutcome): void {
  program
    .command('baseline')
    .description("adopt a live database: check its existing tables, then record their phases as applied without running them")
    .option('--phase <n>', 'the database already holds the tables of phases 0 to N (default 0)')
    .addOption(new Option('--lock-wait <duration>', 'wait this long for another rasdb run to finish, then exit 5').default('60s').env('RASDB_LOCK_WAIT'))
    .action(async (_options, command: Command) => {
      const { runBaseline } = await import('./baseline-action.js');
      outcome.exitCode = await runBaseline(command);
    });
}
