import type { Command } from 'commander';
import type { CommandOutcome } from '../main.js';

/** `rasdb codegen [--out file] [--check]`: wiring only; the work is in codegen-action.ts. */
export function registerCodegen(program: Command, outcome: CommandOutcome): void {
  program
    .command('codegen')
    .description("write typed table interfaces (kysely-codegen) of the live database, rasdb's ledger left out")
    .option('--out <file>', 'the file to write or check', 'generated/db.ts')
    .option('--check', 'write nothing; exit 4 with a diff when the file does not match the database')
    .action(async (_options, command: Command) => {
      const { runCodegen } = await import('./codegen-action.js');
      outcome.exitCode = await runCodegen(command);
    });
}
