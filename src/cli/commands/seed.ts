import { Option, type Command } from 'commander';
import type { CommandOutcome } from '../main.js';

/** `rasdb seed [--only sets] [--check] [--dry-run] [--demo ...]`: wiring only; the work is in seed-action.ts. */
export function registerSeed(program: Command, outcome: CommandOutcome): void {
  program
    .command('seed')
    .description('upsert the reference data every installation shares (controls, integrations, metrics, reports, workflows)')
    .option('--only <sets>', 'seed only these sets, comma-separated: controls, integrations, metrics, reports, workflows')
    .option('--check', 'write nothing; exit 4 naming every reference row that differs from the seeds')
    .option('--dry-run', 'write nothing; report what a run would insert, update and keep')
    .option('--demo', 'after the reference data, load demo data (real Tenable sample export, synthetic activity); needs phase 4 and empty tables')
    .option('--scale <n>', 'with --demo: multiply the synthetic volume (1 gives about 50,000 API call logs)', '1')
    .option('--seed <s>', 'with --demo: the random seed, a whole number; the same seed gives the same rows', '1')
    .option('--as-of <date>', 'with --demo: the UTC day the synthetic history ends, YYYY-MM-DD (default: today)')
    .addOption(new Option('--lock-wait <duration>', 'wait this long for another rasdb run to finish, then exit 5').default('60s').env('RASDB_LOCK_WAIT'))
    .action(async (_options, command: Command) => {
      const { runSeed } = await import('./seed-action.js');
      outcome.exitCode = await runSeed(command);
    });
}
