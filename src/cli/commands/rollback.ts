import type { Command } from 'commander';
import { ExitCode } from '../../errors.js';
import { withExamples } from '../help.js';
import type { CommandOutcome } from '../main.js';
import { ROLLBACK_OPTIONS } from '../options.js';
import { phaseName, printStep, retryLine } from '../render-steps.js';
import { runCommand } from '../session-command.js';
import { withOptions } from '../settings.js';
import { redactServerText } from '../../db/redact.js';
import { count } from '../text.js';

/** `rasdb rollback --phase N | --all [--force]`: revert the phases above N. */
export function registerRollback(program: Command, outcome: CommandOutcome): void {
  withExamples(withOptions(program.command('rollback'), ROLLBACK_OPTIONS), [
    'rasdb rollback --phase 2',
    'rasdb rollback --all --force',
    'rasdb rollback --phase 3 --lock-timeout 2s --lock-retries 10',
  ])
    .description('revert every migration of the phases above N, newest first')
    .action(async (_options, command: Command) => {
      outcome.exitCode = await runRollback(command);
    });
}

async function runRollback(command: Command): Promise<number> {
  const target = (s: { all: boolean; phase: number | undefined }) => [
    s.all && s.phase !== undefined && 'give either --phase N or --all, not both',
    !s.all && s.phase === undefined && 'rollback needs --phase N (keep phases 0 to N) or --all',
  ];
  return runCommand(
    command,
    ROLLBACK_OPTIONS,
    async ({ session, out, settings }) => {
      const { rollback } = await import('../../migrate/rollback.js');
      const phase = settings.all ? -1 : (settings.phase ?? -1);
      out.line(`Rolling back ${session.label} to ${phaseName(phase)}`);
      const result = await rollback(session.client, {
        ...settings,
        phase,
        openSibling: session.openSibling,
        onStep: (step) => printStep(out, step),
        onRetry: (notice) => out.notice(retryLine(notice)),
      });
      out.json({ ok: !result.failed, database: session.label, ...result });
      for (const table of result.droppedTables.filter((t) => t.rows > 0))
        out.line(`  dropped ${table.table} with ${count(table.rows, 'row')} (--force)`);
      const reverted = result.steps.filter((s) => s.status === 'Success').length;
      if (result.failed) {
        out.error(
          `rasdb: reverting ${result.failed.name} failed: ${redactServerText(result.failed.error?.message ?? '')}; it was rolled back and is still applied`,
        );
        return ExitCode.failed;
      }
      out.always(
        reverted
          ? `Reverted ${count(reverted, 'migration')}; the database is at ${phaseName(result.phaseAfter)}.`
          : `Nothing to revert: the database is at ${phaseName(result.phaseAfter)}.`,
      );
      return ExitCode.ok;
    },
    target,
  );
}
