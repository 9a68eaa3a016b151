import type { Command } from 'commander';
import { ExitCode } from '../../errors.js';
import { withExamples } from '../help.js';
import type { CommandOutcome } from '../main.js';
import { CODEGEN_OPTIONS } from '../options.js';
import { runCommand } from '../session-command.js';
import { withOptions } from '../settings.js';
import { count } from '../text.js';

const DEFAULT_OUT = 'generated/db.ts';

/** `rasdb codegen [--out file] [--check]`: typed table interfaces of the live database. */
export function registerCodegen(program: Command, outcome: CommandOutcome): void {
  withExamples(withOptions(program.command('codegen'), CODEGEN_OPTIONS), [
    'rasdb codegen',
    'rasdb codegen --check',
    'rasdb codegen --out src/db-types.ts',
  ])
    .description("write typed table interfaces (kysely-codegen) of the live database, rasdb's ledger left out")
    .action(async (_options, command: Command) => {
      outcome.exitCode = await runCodegen(command);
    });
}

async function runCodegen(command: Command): Promise<number> {
  return runCommand(command, CODEGEN_OPTIONS, async ({ session, out, settings }) => {
    const { codegen } = await import('../../schema/codegen.js');
    const { CODEGEN_COMMAND } = await import('../../schema/codegen-header.js');
    const outFile = settings.out ?? DEFAULT_OUT;
    const result = await codegen(session.client, { outFile, check: settings.check });
    const ok = result.status !== 'stale' && result.status !== 'missing';
    out.json({ ok, database: session.label, ...result });
    const source = `${count(result.tables.length, 'table')}, ${count(result.migrations.length, 'applied migration')}`;
    const rerun = `${CODEGEN_COMMAND}${outFile === DEFAULT_OUT ? '' : ` --out ${outFile}`}`;
    switch (result.status) {
      case 'written':
        out.always(`Wrote ${result.outFile} (${source}).`);
        return ExitCode.ok;
      case 'unchanged':
        out.always(`${result.outFile} is already up to date (${source}).`);
        return ExitCode.ok;
      case 'current':
        out.always(`${result.outFile} matches ${session.label} (${source}).`);
        return ExitCode.ok;
      case 'missing':
        out.error(`rasdb: ${result.outFile} does not exist; run \`${rerun}\` and commit it`);
        return ExitCode.check;
      case 'stale':
        for (const line of (result.diff ?? '').trimEnd().split('\n')) out.always(line);
        out.error(
          `rasdb: ${result.outFile} does not match ${session.label} (diff above: - on disk, + from the database); run \`${rerun}\` and commit it`,
        );
        return ExitCode.check;
    }
  });
}
