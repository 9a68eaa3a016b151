import type { Command } from 'commander';
import { ExitCode } from '../../errors.js';
import { withExamples } from '../help.js';
import type { CommandOutcome } from '../main.js';
import { MIGRATE_OPTIONS } from '../options.js';
import { failedStepExit, phaseName, printStep, retryLine } from '../render-steps.js';
import { runCommand } from '../session-command.js';
import { withOptions } from '../settings.js';
import { redactServerText } from '../../db/redact.js';
import { count, duration, num } from '../text.js';

/** `rasdb migrate [--phase N] [--dry-run]`: the library loads only when the command runs. */
export function registerMigrate(program: Command, outcome: CommandOutcome): void {
  withExamples(withOptions(program.command('migrate'), MIGRATE_OPTIONS), [
    'rasdb migrate --phase 2',
    'rasdb migrate --dry-run --phase 4 > plan.sql',
    'DATABASE_URL=postgres://dba@db:5432/rasdash rasdb migrate --lock-timeout 2s --lock-retries 10',
  ])
    .description('apply pending migrations, phase by phase, each in its own transaction')
    .action(async (_options, command: Command) => {
      outcome.exitCode = await runMigrate(command);
    });
}

async function runMigrate(command: Command): Promise<number> {
  // The library loads while the connection opens (compiling it takes longer than the round trips).
  const library = import('../../migrate/migrate.js');
  library.catch(() => undefined); // a failure to load surfaces where it is awaited
  return runCommand(command, MIGRATE_OPTIONS, async ({ session, out, settings }) => {
    const { dryRun, migrate } = await library;
    const { phase, migrationsDir } = settings;
    if (settings.dryRun) {
      const plan = await dryRun(session.client, { phase, migrationsDir });
      out.json({ ok: true, dryRun: true, database: session.label, ...plan });
      if (plan.migrations.length === 0)
        out.always(`-- nothing to apply: ${session.label} is at ${phaseName(plan.currentPhase)}`);
      for (const m of plan.migrations) {
        out.always(
          `-- ${m.name} (phase ${m.phase})${m.transactional ? ', in its own transaction' : ', outside a transaction'}`,
        );
        for (const statement of m.statements) out.always(`${statement};`);
        out.always('');
      }
      return ExitCode.ok;
    }
    out.line(`Migrating ${session.label} up to phase ${phase ?? 4}`);
    const result = await migrate(session.client, {
      ...settings,
      openSibling: session.openSibling,
      onStep: (step) => printStep(out, step),
      onRetry: (notice) => out.notice(retryLine(notice)),
    });
    out.json({ ok: !result.failed, database: session.label, ...result });
    const applied = result.steps.filter((s) => s.status === 'Success');
    const total = applied.reduce((sum, s) => sum + (s.durationMs ?? 0), 0);
    const lost = result.afterConnectionLoss;
    if (result.failed && lost) {
      const error = result.failed.error;
      out.always(
        lost.ledgerRead
          ? `The connection was lost while applying ${result.failed.name}; read again on a new connection, the ledger lists ` +
              `${num(lost.survived.length)} of the ${count(applied.length, 'migration')} this run applied` +
              (lost.lost.length ? ` (not there: ${lost.lost.join(', ')}, lost with the server)` : '') +
              `; the database is at ${phaseName(result.phaseAfter)}.`
          : `The connection was lost while applying ${result.failed.name}, and no new connection could be made to read the ledger: ` +
              "which of this run's migrations survived is not known; run rasdb status once the server is back.",
      );
      out.error(
        `rasdb: the connection to ${session.label} was lost while applying ${result.failed.name}: ${error?.message}`,
      );
      return ExitCode.failed;
    }
    if (result.failed) {
      const error = result.failed.error;
      out.always(
        `Applied ${num(applied.length)} of ${count(result.steps.length, 'pending migration')}; ${result.failed.name} failed and was rolled back alone. ` +
          'Fix the cause and run rasdb migrate again.',
      );
      out.error(
        `rasdb: migration ${result.failed.name} failed: ${redactServerText(error?.message ?? '')}${error?.sqlstate ? ` (SQLSTATE ${error.sqlstate})` : ''}`,
      );
      return failedStepExit(result.failed);
    }
    out.always(
      applied.length === 0
        ? `Nothing to apply: the database is at ${phaseName(result.phaseAfter)}.`
        : `Applied ${count(applied.length, 'migration')} in ${duration(total)}; ` +
            `the database is at ${phaseName(result.phaseAfter)}.`,
    );
    return ExitCode.ok;
  });
}
