import { Command, CommanderError } from 'commander';
import { cleanupFinished, interruptedBy, SIGNAL_EXIT_CODES, trapSignals } from '../db/cleanup.js';
import { ExitCode } from '../errors.js';
import { rasdbVersion } from '../version.js';
import { registerBaseline } from './commands/baseline.js';
import { registerCapacity } from './commands/capacity.js';
import { registerCodegen } from './commands/codegen.js';
import { registerEmbedded } from './commands/embedded.js';
import { registerMigrate } from './commands/migrate.js';
import { registerNew } from './commands/new.js';
import { registerPsql } from './commands/psql.js';
import { registerPlan } from './commands/plan.js';
import { registerPartition } from './commands/partition.js';
import { registerRepair } from './commands/repair.js';
import { registerRetention } from './commands/retention.js';
import { registerRollback } from './commands/rollback.js';
import { registerSeed } from './commands/seed.js';
import { registerStatus } from './commands/status.js';
import { registerValidate } from './commands/validate.js';
import { registerVerify } from './commands/verify.js';
import { GLOBAL_OPTIONS } from './options.js';
import { jsonDocument, jsonText } from './output.js';
import { addHelpCommand } from './help.js';
import { withOptions } from './settings.js';
import { printable } from './printable.js';

const EXIT_CODES = `
Exit codes:
  0  success
  1  the operation failed (a migration or database error)
  2  usage error: unknown command or flag, invalid value
  3  cannot connect or authenticate
  4  a check failed (drift, checksum mismatch, stale types, tables that need a baseline, a plan --fail-on rule)
  5  busy: another rasdb run holds the lock, or a table lock never came within the retries
  6  stopped early at a time limit; the next run continues
  130, 143  interrupted by SIGINT or SIGTERM, after removing what the run created

Connection, first found wins: --database-url, DATABASE_URL, PGHOST/PGPORT/PGUSER/PGPASSWORD/
PGDATABASE/PGSSLMODE (when PGHOST or PGDATABASE is set), else an embedded PostgreSQL 15 kept in
./.rasdb (RASDB_DATA_DIR moves it).`;

/** The exit code a command's action decided on. */
export interface CommandOutcome {
  exitCode: number;
}

/**
 * Builds the program. Commands load their library code only when they run, so `rasdb --help`
 * starts as fast as Node itself allows.
 *
 * @example
 * buildProgram({ exitCode: 0 }).helpInformation()
 */
export function buildProgram(outcome: CommandOutcome): Command {
  const program = withOptions(
    new Command('rasdb')
      .description('Migrations, schema checks, reference data and retention for the RAS DASH PostgreSQL database.')
      .version(rasdbVersion(), '-V, --version'),
    GLOBAL_OPTIONS,
  )
    .addHelpText('after', EXIT_CODES)
    // Inherited by every command made below: help lists the options every command takes too.
    .configureHelp({ showGlobalOptions: true })
    .showSuggestionAfterError(true)
    .exitOverride();
  for (const register of [
    registerMigrate,
    registerStatus,
    registerRollback,
    registerValidate,
    registerRepair,
    registerBaseline,
    registerCodegen,
    registerSeed,
    registerRetention,
    registerVerify,
    registerCapacity,
    registerPsql,
    registerEmbedded,
    registerNew,
    registerPlan,
    registerPartition,
  ]) {
    register(program, outcome);
  }
  addHelpCommand(program);
  return program;
}

/** How long an interrupted run may spend removing what it created before it exits anyway. */
const CLEANUP_BOUND_MS = 20_000;

/**
 * Runs rasdb with `argv` and returns the exit code; never calls `process.exit`.
 * Expected failures print one line; anything else is reported as a bug. On SIGINT or SIGTERM,
 * what the run created (a scratch database, an embedded server, a temporary folder, the session
 * and its locks) is removed and the answer is 130 or 143, even while the command is still busy.
 *
 * @example
 * process.exit(await main(process.argv.slice(2)));
 */
export async function main(argv: string[]): Promise<number> {
  const interrupted = new Promise<number>((resolve) => {
    trapSignals({
      boundMs: CLEANUP_BOUND_MS,
      onSignal: (signal) => process.stderr.write(`rasdb: interrupted by ${signal}; removing what this run created\n`),
      exit: resolve,
    });
  });
  return Promise.race([run(argv), interrupted]);
}

async function run(argv: string[]): Promise<number> {
  const outcome: CommandOutcome = { exitCode: ExitCode.ok };
  const program = buildProgram(outcome);
  let usageLine: string | undefined;
  // Commander's own complaints (an unknown flag, a missing value) become one line, from every level.
  // Its suggestion ("Did you mean migrate?") follows on a line of its own: both go in the one line.
  const quiet = { writeErr: (text: string) => (usageLine ??= text.trim().split('\n').join(' ')) };
  const everyCommand = (command: Command): Command[] => [command, ...command.commands.flatMap(everyCommand)];
  for (const command of everyCommand(program)) command.exitOverride().configureOutput(quiet);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return await afterSignal(outcome.exitCode);
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return ExitCode.ok; // --help, --version
      // Commander ends some of its sentences with a full stop ("... but got 1."): one before the "; see".
      const line = (usageLine ?? error.message).replace(/^error:\s*/, '').replace(/\.$/, '');
      process.stderr.write(`${printable(`rasdb: ${line}`)}; see rasdb --help\n`);
      // Commander has read the program's flags by the time it complains, wherever --json stood.
      if (program.opts<{ json?: boolean }>().json) {
        process.stdout.write(
          jsonText(jsonDocument({ error: { message: `${line}; see rasdb --help` } }, ExitCode.usage)),
        );
      }
      return ExitCode.usage;
    }
    // A run the clean-up cut short fails as a consequence: the signal is the one thing to report.
    if (interruptedBy()) return afterSignal(ExitCode.failed);
    const { reportFailure } = await import('./report-failure.js');
    return reportFailure(error, program.opts<{ json?: boolean; verbose?: boolean }>());
  }
}

/** Once a signal arrived, the answer is its exit code, given after the clean-up has finished. */
async function afterSignal(exitCode: number): Promise<number> {
  const signal = interruptedBy();
  if (!signal) return exitCode;
  await cleanupFinished();
  return SIGNAL_EXIT_CODES[signal];
}
