import { Option, type Command } from 'commander';
import type { CommandOutcome } from '../main.js';

/** `rasdb seed [--only sets] [--check] [--dry-run]`: wiring only; the work is in seed-action.ts. */
export function registerSeed(program: Command, outcome: CommandOutcome): void {
  program
    .command('seed')
    .description('upsert the reference data every installation shares (controls, integrations, metrics, reports, workflows)')
    .option('--only <sets>', 'seed only these sets, comma-separated: controls, integrations, metrics, reports, workflows')
    .option('--check', 'write nothing; exit 4 naming every reference row that differs from the seeds')
    .option('--dry-run', 'write nothing; report what a run would insert, update and keep')
    .addOption(new Option('--lock-wait <duration>', 'wait this long for another rasdb run to finish, then exit 5').default('60s').env('RASDB_LOCK_WAIT'))
    .action(async (_options, command: Command) => {
      const { runSeed } = await import('./seed-action.js');
      outcome.exitCode = await runSeed(command);
    });
}
