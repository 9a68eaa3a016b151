import type { Command } from 'commander';
import { ExitCode } from '../../errors.js';
import { withExamples } from '../help.js';
import type { CommandOutcome } from '../main.js';
import { countOption, nowOption } from '../options.js';
import { runCommand } from '../session-command.js';
import { withOptions } from '../settings.js';
import { describeHold, retentionJson } from './retention-words.js';
import { count, num, timeText } from '../text.js';
import { redactServerText } from '../../db/redact.js';

const STATUS_OPTIONS = {
  runs: countOption('--runs <n>', 'how many recent runs to show', 1, 1000, '10'),
  now: nowOption(),
} as const;

/** `rasdb retention status`: what an auditor reads: policies, watermarks, holds and the last runs. */
export function registerRetentionStatus(retention: Command, outcome: CommandOutcome): void {
  withExamples(withOptions(retention.command('status'), STATUS_OPTIONS), [
    'rasdb retention status',
    'rasdb retention status --runs 50 --json',
  ])
    .description('policies, watermarks, how far each table is pruned, active holds and the last runs')
    .action(async (_options, command: Command) => {
      outcome.exitCode = await runStatus(command);
    });
}

async function runStatus(command: Command): Promise<number> {
  return runCommand(command, STATUS_OPTIONS, async ({ session, out, settings }) => {
    const { retentionStatus } = await import('../../retention/status.js');
    const report = await retentionStatus(session.client, { runs: settings.runs, now: settings.now });
    await retentionJson(out, session.client, { ok: true, database: session.label, ...report }, report.timeZone);
    out.line(`Retention on ${session.label}, as of ${timeText(report.asOf)} ${report.timeZone ?? 'UTC'}`);
    if (report.timeZone) out.line(`  times are in ${report.timeZone}: ${report.timeZoneSource}`);
    if (report.timeZoneProblem) out.error(`rasdb: retention runs would refuse: ${report.timeZoneProblem}`);
    for (const p of report.policies) {
      const loud = p.belowComplianceMinimum
        ? ` !! BELOW THE ${p.minimumKeepDetail?.toUpperCase()} COMPLIANCE MINIMUM (override recorded)`
        : '';
      out.line(
        `  ${p.name}: keep detail ${p.keepDetail}${p.keepSummary ? `, summaries ${p.keepSummary}` : ''}${p.changed ? ' (changed)' : ''}${loud}`,
      );
      out.line(
        `    horizon ${timeText(p.detailCutoff)}; pruned before ${p.prunedBefore ? timeText(p.prunedBefore) : 'never pruned'}`,
      );
      for (const w of p.watermarks)
        out.line(
          `    ${w.summary}: summarized until ${w.summarizedUntil ? timeText(w.summarizedUntil) : 'never summarized'}`,
        );
    }
    out.line(`Active holds: ${report.holds.length ? num(report.holds.length) : 'none'}`);
    for (const h of report.holds) out.line(`  ${describeHold(h)}`);
    out.line('Recent runs:');
    for (const r of report.runs) {
      const deleted = r.steps.reduce((s, x) => s + x.rowsDeleted, 0);
      const summarized = r.steps.reduce((s, x) => s + x.rowsSummarized, 0);
      const held = r.steps.reduce((s, x) => s + x.rowsHeldBack, 0);
      const work =
        r.kind === 'prune'
          ? `deleted ${num(deleted)}, held back ${num(held)}`
          : r.kind === 'summarize'
            ? `summarized ${count(summarized, 'row')}`
            : redactServerText(r.message ?? ''); // an error a failed run recorded: server text
      out.line(
        `  #${r.id} ${r.kind.padEnd(9)} ${timeText(r.startedAt)} ${r.outcome.padEnd(13)} [${r.policies.join(', ')}] ${work} by ${r.actor}`,
      );
    }
    out.always(
      `${count(report.policies.length, 'policy')}, ${count(report.holds.length, 'active hold')}, ${count(report.runs.length, 'run')} shown.`,
    );
    return ExitCode.ok;
  });
}
