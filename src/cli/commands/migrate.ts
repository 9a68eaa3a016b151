import { Option, type Command } from 'commander';
import type { CommandOutcome } from '../main.js';

/** `rasdb migrate [--phase N] [--dry-run]`: wiring only; the work is in migrate-action.ts. */
export function registerMigrate(program: Command, outcome: CommandOutcome): void {
  program
    .command('migrate')
    .description('apply pending migrations, phase by phase, each in its own transaction')
    .option('--phase <n>', 'apply phases 0 to N (0-4); default: all phases')
    .option('--dry-run', 'print the SQL each pending migration would run, in order, and change nothing')
    .addOption(new Option('--lock-wait <duration>', 'wait this long for another rasdb run to finish, then exit 5').default('60s').env('RASDB_LOCK_WAIT'))
    .addOption(new Option('--lock-timeout <duration>', 'lock_timeout for each migration').default('5s').env('RASDB_LOCK_TIMEOUT'))
    .addOption(new Option('--statement-timeout <duration>', 'statement_timeout for each migration').default('15min').env('RASDB_STATEMENT_TIMEOUT'))
    .addOption(new Option('--lock-retries <n>', 'tries per migration that times out waiting for a lock, with backoff').default('5').env('RASDB_LOCK_RETRIES'))
    .action(async (_options, command: Command) => {
      const { runMigrate } = await import('./migrate-action.js');
      outcome.exitCode = await runMigrate(command);
    });
}
