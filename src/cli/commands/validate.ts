import type { Command } from 'commander';
import { ExitCode } from '../../errors.js';
import { withExamples } from '../help.js';
import type { CommandOutcome } from '../main.js';
import { runCommand } from '../session-command.js';
import { count } from '../text.js';

/** `rasdb validate`: checksums of the applied migrations against their files. */
export function registerValidate(program: Command, outcome: CommandOutcome): void {
  withExamples(program.command('validate'), ['rasdb validate', 'rasdb validate --json'])
    .description('check that every applied migration still matches its file (exit 4 naming those that changed)')
    .action(async (_options, command: Command) => {
      outcome.exitCode = await runValidate(command);
    });
}

async function runValidate(command: Command): Promise<number> {
  return runCommand(command, {}, async ({ session, out, settings }) => {
    const { validate } = await import('../../migrate/validate.js');
    const result = await validate(session.client, { migrationsDir: settings.migrationsDir });
    out.json({ ok: result.mismatches.length === 0, database: session.label, ...result });
    for (const m of result.mismatches) {
      const was = `applied as ${m.recorded.slice(0, 12)}…, the file now compiles to ${m.current.slice(0, 12)}…`;
      out.line(`  ${out.color.red('✗')} ${m.name} (phase ${m.phase}): ${was}`);
    }
    if (result.mismatches.length) {
      const n = result.mismatches.length;
      const names = result.mismatches.map((m) => m.name).join(', ');
      out.error(
        `rasdb: ${count(n, 'applied migration has', 'applied migrations have')} changed: ${names}; restore the files, or rasdb repair --accept <migration>`,
      );
      return ExitCode.check;
    }
    out.always(
      result.checked === 1
        ? 'The 1 applied migration matches its file.'
        : `All ${count(result.checked, 'applied migration')} match their files.`,
    );
    return ExitCode.ok;
  });
}
