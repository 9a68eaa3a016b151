import { Option, type Command } from 'commander';
import type { CommandOutcome } from '../main.js';

type ActionName = 'summarize' | 'prune' | 'status' | 'holdAdd' | 'holdList' | 'holdRelease' | 'policySet';

/** Shared by the commands that run retention work: the lock, timeouts, time limit and the hidden clock. */
function runOptions(command: Command): Command {
  return command
    .option('--policy <names...>', 'only these policies (api_call_logs, performance_metrics, security_events_extended, integration_operations)')
    .option('--dry-run', 'change nothing; print what would be done per table')
    .option('--max-runtime <duration>', 'stop between batches after this long and exit 6; the next run continues')
    .addOption(new Option('--lock-wait <duration>', 'wait this long for another retention run to finish, then exit 5').default('0s'))
    .addOption(new Option('--lock-timeout <duration>', 'lock_timeout for each statement (a batch that waits longer is retried)').default('2s'))
    .addOption(new Option('--statement-timeout <duration>', 'statement_timeout for each statement').default('60s'))
    .addOption(new Option('--now <time>', 'compute horizons from this UTC time instead of the server clock').env('RASDB_NOW').hideHelp());
}

/**
 * `rasdb retention summarize|prune|status|hold|policy`: wiring only. The library is loaded inside
 * each action (retention-action.ts), so `rasdb --help` does not pay for it.
 */
export function registerRetention(program: Command, outcome: CommandOutcome): void {
  const run = (name: ActionName) => async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const actions = await import('./retention-action.js');
    outcome.exitCode = await actions[name](command, args.slice(0, -2) as string[]);
  };
  const retention = program
    .command('retention')
    .description('summarize and prune logs by the retention policies; legal holds; the run history for auditors');
  runOptions(retention.command('summarize').description('summarize closed buckets of the detail tables into their summary tables'))
    .option('--buckets-per-transaction <n>', 'the most buckets one transaction summarizes while catching up (default: a week of hours, 31 days, 3 months)')
    .action(run('summarize'));
  runOptions(retention.command('prune').description('delete detail rows past their horizon (once summarized) and summaries past theirs'))
    .option('--batch-size <rows>', 'the most rows one batch deletes; the size adapts below it to --batch-time', '50000')
    .option('--batch-time <duration>', 'the time one batch should take', '50ms')
    .action(run('prune'));
  retention
    .command('status')
    .description('policies, watermarks, how far each table is pruned, active holds and the last runs')
    .option('--runs <n>', 'how many recent runs to show', '10')
    .addOption(new Option('--now <time>').env('RASDB_NOW').hideHelp())
    .action(run('status'));

  const hold = retention.command('hold').description('legal holds: rows that no retention run may delete while the hold is active');
  hold
    .command('add')
    .description('hold a time range (--from/--until, UTC) or a list of ids of one table')
    .requiredOption('--table <table>', 'the table the hold applies to')
    .option('--from <time>', 'first time held (inclusive, UTC)')
    .option('--until <time>', 'end of the held range (exclusive, UTC)')
    .option('--ids <ids>', 'comma-separated ids of the rows to hold')
    .requiredOption('--reason <text>', 'why (a case or ticket number): kept in the record')
    .option('--by <name>', 'who asks for it; your OS account and database role are recorded too')
    .action(run('holdAdd'));
  hold.command('list').description('active holds').option('--all', 'released holds too').action(run('holdList'));
  hold
    .command('release <id>')
    .description('release a hold; it stays in the record with who released it and why')
    .requiredOption('--reason <text>', 'why it is released')
    .option('--by <name>', 'who releases it')
    .action(run('holdRelease'));

  retention
    .command('policy')
    .description('change a retention policy (recorded in the run history)')
    .command('set <policy>')
    .description('set how long a policy keeps detail rows and summaries')
    .option('--keep-detail <period>', 'keep detail rows this long: 90d, 12w, 18mo, 1y')
    .option('--keep-summary <period>', 'keep summaries this long')
    .requiredOption('--reason <text>', 'why: kept in the record')
    .option('--violate-7-year-security-retention', 'allow keeping security events less than the 7 years compliance requires')
    .action(run('policySet'));

  // main.ts routes the top-level commands' usage errors to its one-line report; the nested ones
  // here are created before it does, so let them reach the same place through `retention`.
  const viaRetention = (text: string) => (retention.configureOutput().writeErr ?? ((t: string) => process.stderr.write(t)))(text);
  const nested = (command: Command): Command[] => command.commands.flatMap((c) => [c, ...nested(c)]);
  for (const command of nested(retention)) command.configureOutput({ writeErr: viaRetention });
}
