import { Option, type Command } from 'commander';
import type { CommandOutcome } from '../main.js';

/** `rasdb rollback --phase N [--force]`: revert the phases above N. */
export function registerRollback(program: Command, outcome: CommandOutcome): void {
  program
    .command('rollback')
    .description('revert every migration of the phases above N, newest first')
    .option('--phase <n>', 'keep phases 0 to N (0-4); the ones above are reverted')
    .option('--all', 'revert every migration rasdb applied, phase 0 included')
    .option('--force', 'drop tables even when they hold rows')
    .addOption(new Option('--lock-wait <duration>', 'wait this long for another rasdb run to finish, then exit 5').default('60s').env('RASDB_LOCK_WAIT'))
    .action(async (_options, command: Command) => {
      const { runRollback } = await import('./rollback-action.js');
      outcome.exitCode = await runRollback(command);
    });
}
