import type { Command } from 'commander';
import { ExitCode } from '../../errors.js';
import { withExamples } from '../help.js';
import type { CommandOutcome } from '../main.js';
import { CAPACITY_OPTIONS, CAPACITY_SNAPSHOT_OPTIONS } from '../options.js';
import { runCommand } from '../session-command.js';
import { withOptions } from '../settings.js';
import { count, num, timeText } from '../text.js';

/** `rasdb capacity` (the report) and `rasdb capacity snapshot` (for cron). */
export function registerCapacity(program: Command, outcome: CommandOutcome): void {
  const capacity = withExamples(withOptions(program.command('capacity'), CAPACITY_OPTIONS), [
    'rasdb capacity',
    'rasdb capacity --chart capacity.svg --category performance_metrics=analytics',
    'rasdb capacity --fail-over 1.2 --quiet',
    'rasdb capacity snapshot',
  ])
    .description("table sizes, growth per day and the design document's storage estimates against the live data")
    .action(async (_options, command: Command) => {
      outcome.exitCode = await runReport(command);
    });
  withExamples(withOptions(capacity.command('snapshot'), CAPACITY_SNAPSHOT_OPTIONS), ['rasdb capacity snapshot'])
    .description("record every table's size now, for the report's trend (run it from cron, e.g. daily)")
    .action(async (_options, command: Command) => {
      outcome.exitCode = await runSnapshot(command);
    });
}

async function runReport(command: Command): Promise<number> {
  return runCommand(
    command,
    CAPACITY_OPTIONS,
    async ({ session, out, settings }) => {
      const { capacityReport } = await import('../../capacity/capacity.js');
      const { overruns } = await import('../../capacity/fail-over.js');
      const { renderCapacity, describeOverrun } = await import('../capacity-render.js');
      if (settings.chart) {
        const { assertWritableTarget } = await import('../../db/atomic-file.js');
        assertWritableTarget(settings.chart);
      }
      const report = await capacityReport(session.client, {
        windowDays: settings.windowDays,
        categories: settings.categories,
        now: settings.now,
      });
      const over =
        settings.failOver === undefined
          ? []
          : overruns(
              report.categories.flatMap((c) =>
                c.estimateBytes === null
                  ? []
                  : [{ name: c.name, yearlyBytes: c.bytesPerYear, estimateBytes: c.estimateBytes }],
              ),
              settings.failOver,
            );
      let chart: string | null = null;
      if (settings.chart) {
        const { writeCapacityChart } = await import('../../capacity/chart.js');
        chart = (await writeCapacityChart(settings.chart, report)).path;
      }
      out.json({ database: session.label, ...report, chart, failOver: settings.failOver ?? null, overruns: over });
      for (const line of renderCapacity(session.label, report)) out.line(line);
      if (chart) out.line(`Chart written to ${chart}`);
      for (const o of over) out.error(`rasdb: ${describeOverrun(o, report, settings.failOver ?? 1)}`);
      const firm = report.categories.filter((c) => c.ratio !== null);
      out.always(
        `${count(report.tables.filter((t) => t.present).length, 'table')} in ${count(firm.length, 'category', 'categories')}; ${over.length ? `${num(over.length)} over --fail-over ${settings.failOver}` : `as of ${timeText(report.asOf)} ${report.timeZone}`}.`,
      );
      return over.length ? ExitCode.check : ExitCode.ok;
    },
    (s) => [s.chart !== undefined && !/\.svg$/i.test(s.chart) && `--chart must name an .svg file, got "${s.chart}"`],
  );
}

async function runSnapshot(command: Command): Promise<number> {
  return runCommand(command, CAPACITY_SNAPSHOT_OPTIONS, async ({ session, out, settings }) => {
    const { takeSnapshot } = await import('../../capacity/capacity.js');
    const snapshot = await takeSnapshot(session.client, { now: settings.now });
    out.json({ database: session.label, ...snapshot });
    out.always(
      `Snapshot #${snapshot.id} of ${snapshot.tables} tables taken at ${snapshot.takenAt} on ${session.label}.`,
    );
    return ExitCode.ok;
  });
}
