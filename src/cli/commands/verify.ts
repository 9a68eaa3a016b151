import { Option, type Command } from 'commander';
import type { CommandOutcome } from '../main.js';

/** `rasdb verify [--scratch-url url] [--strict]`: wiring only; the work is in verify-action.ts. */
export function registerVerify(program: Command, outcome: CommandOutcome): void {
  program
    .command('verify')
    .description('prove the database is what its applied migrations produce: replay them on a scratch database and compare')
    .addOption(
      new Option('--scratch-url <url>', 'a server to replay on, in a temporary database it creates and drops (default: a throwaway embedded PostgreSQL)').env(
        'RASDB_SCRATCH_URL',
      ),
    )
    .option('--strict', 'also fail on objects no migration makes (tables, views, sequences)')
    .action(async (_options, command: Command) => {
      const { runVerify } = await import('./verify-action.js');
      outcome.exitCode = await runVerify(command);
    });
}
