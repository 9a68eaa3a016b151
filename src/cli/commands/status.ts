import type { Command } from 'commander';
import { ExitCode } from '../../errors.js';
import { withExamples } from '../help.js';
import type { CommandOutcome } from '../main.js';
import { phaseName } from '../render-steps.js';
import { flag } from '../options.js';
import { runCommand } from '../session-command.js';
import { withOptions } from '../settings.js';
import { redactServerText } from '../../db/redact.js';
import { count, duration, num, timeText } from '../text.js';

const STATUS_OPTIONS = {
  exitCode: flag('--exit-code', 'exit 4 while any migration is pending, for CI'),
} as const;

/** `rasdb status`: applied and pending migrations per phase. */
export function registerStatus(program: Command, outcome: CommandOutcome): void {
  withExamples(withOptions(program.command('status'), STATUS_OPTIONS), [
    'rasdb status',
    'rasdb status --json | jq .currentPhase',
  ])
    .description('show, per phase, which migrations are applied (and when) and which are pending')
    .action(async (_options, command: Command) => {
      outcome.exitCode = await runStatus(command);
    });
}

async function runStatus(command: Command): Promise<number> {
  return runCommand(command, STATUS_OPTIONS, async ({ session, out, settings }) => {
    const { status } = await import('../../migrate/status.js');
    const report = await status(session.client, { migrationsDir: settings.migrationsDir });
    out.json({ ok: !(settings.exitCode && report.pending > 0), database: session.label, ...report });
    const c = out.color;
    out.line(`Database: ${session.label}${report.ledger.present ? '' : ' (no rasdb ledger yet)'}`);
    for (const phase of report.phases) {
      out.line(
        `Phase ${phase.phase}${phase.folder ? ` (${phase.folder})` : ''}: ${num(phase.applied)} applied, ${num(phase.pending)} pending`,
      );
      for (const m of phase.migrations) {
        // Baselined migrations never ran here: they have a time, not a duration.
        const took = m.durationMs !== null && !m.baselined ? ` in ${duration(m.durationMs)}` : '';
        const when = m.appliedAt
          ? `${m.baselined ? 'baselined' : 'applied'} ${timeText(m.appliedAt)}${took} by ${m.appliedBy}`
          : 'pending';
        out.line(`  ${m.state === 'applied' ? c.green('✓') : c.yellow('·')} ${m.name.padEnd(36)} ${when}`);
        const f = m.lastFailure;
        if (f)
          out.line(
            `      ${c.red('last failed')} ${timeText(f.at)}${f.sqlstate ? ` (SQLSTATE ${f.sqlstate})` : ''}: ${redactServerText(f.message ?? '')}`,
          );
      }
    }
    for (const set of report.seedSets) {
      out.line(
        `Seed set ${set.name.padEnd(13)} ${set.checksum.slice(0, 12)}  applied ${timeText(set.appliedAt)} by ${set.appliedBy}`,
      );
    }
    const pending = count(report.pending, 'migration pending', 'migrations pending');
    out.always(`The database is at ${phaseName(report.currentPhase)}; ${pending}.`);
    // For CI: fail while migrations are pending, as dbmate's status --exit-code does (4: a check failed).
    return settings.exitCode && report.pending > 0 ? ExitCode.check : ExitCode.ok;
  });
}
