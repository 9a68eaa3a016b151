import { Command, CommanderError, Option } from 'commander';
import { rasdbVersion } from '../version.js';
import { registerBaseline } from './commands/baseline.js';
import { registerCodegen } from './commands/codegen.js';
import { registerMigrate } from './commands/migrate.js';
import { registerRetention } from './commands/retention.js';
import { registerRollback } from './commands/rollback.js';
import { registerSeed } from './commands/seed.js';
import { registerVerify } from './commands/verify.js';
import { registerStatus } from './commands/status.js';
import { registerValidate } from './commands/validate.js';

const EXIT_CODES = `
Exit codes:
  0  success
  1  the operation failed (a migration or database error)
  2  usage error: unknown command or flag, invalid value
  3  cannot connect or authenticate
  4  a check failed (drift, checksum mismatch, stale types, tables that need a baseline)
  5  busy: another rasdb run holds the lock
  6  stopped early at a time limit; the next run continues

Connection, first found wins: --database-url, DATABASE_URL, PGHOST/PGPORT/PGUSER/PGPASSWORD/
PGDATABASE/PGSSLMODE (when PGHOST or PGDATABASE is set), else an embedded PostgreSQL 15 kept in
./.rasdb (RASDB_DATA_DIR moves it).`;

/** The exit code a command's action decided on; set by `report` in each command. */
export interface CommandOutcome {
  exitCode: number;
}

/**
 * Builds the program. Commands load their library code only when they run, so `rasdb --help`
 * starts as fast as Node itself allows.
 */
export function buildProgram(outcome: CommandOutcome): Command {
  const program = new Command('rasdb')
    .description('Migrations, schema checks, reference data and retention for the RAS DASH PostgreSQL database.')
    .version(rasdbVersion(), '-V, --version')
    .addOption(new Option('--database-url <url>', 'PostgreSQL URL (overrides DATABASE_URL and PG* variables)'))
    .option('--json', 'print one JSON document on stdout, for machines')
    .option('-q, --quiet', 'print only errors and the final summary')
    .option('-v, --verbose', 'print more detail, including stack traces of errors')
    .addOption(new Option('--connect-timeout <duration>', 'give up connecting after this long').default('10s'))
    .addOption(new Option('--migrations-dir <dir>', 'read migrations from this folder instead of the built-in plan').env('RASDB_MIGRATIONS_DIR'))
    .addHelpText('after', EXIT_CODES)
    .showSuggestionAfterError(true)
    .exitOverride();
  registerMigrate(program, outcome);
  registerStatus(program, outcome);
  registerRollback(program, outcome);
  registerValidate(program, outcome);
  registerBaseline(program, outcome);
  registerCodegen(program, outcome);
  registerSeed(program, outcome);
  registerRetention(program, outcome);
  registerVerify(program, outcome);
  for (const command of program.commands) command.exitOverride();
  return program;
}

/**
 * Runs rasdb with `argv` and returns the exit code; never calls `process.exit`.
 * Expected failures print one line; anything else is reported as a bug.
 */
export async function main(argv: string[]): Promise<number> {
  const outcome: CommandOutcome = { exitCode: 0 };
  const program = buildProgram(outcome);
  let usageLine: string | undefined;
  program.configureOutput({ writeErr: (text) => (usageLine ??= text.trim().split('\n')[0]) });
  for (const command of program.commands) command.configureOutput({ writeErr: (text) => (usageLine ??= text.trim().split('\n')[0]) });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return outcome.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return 0; // --help, --version
      const line = (usageLine ?? error.message).replace(/^error:\s*/, '');
      process.stderr.write(`rasdb: ${line}; see rasdb --help\n`);
      return 2;
    }
    const { reportFailure } = await import('./report-failure.js');
    return reportFailure(error, argv);
  }
}
