import type { Command } from 'commander';
import { ExitCode } from '../../errors.js';
import { withExamples } from '../help.js';
import type { CommandOutcome } from '../main.js';
import { BASELINE_OPTIONS } from '../options.js';
import { runCommand } from '../session-command.js';
import { withOptions } from '../settings.js';
import { count } from '../text.js';

/** `rasdb baseline [--phase N]`: adopt a live RAS DASH database. */
export function registerBaseline(program: Command, outcome: CommandOutcome): void {
  withExamples(withOptions(program.command('baseline'), BASELINE_OPTIONS), [
    'rasdb baseline',
    'rasdb baseline --phase 2',
  ])
    .description(
      'adopt a live database: check its existing tables, then record their phases as applied without running them',
    )
    .action(async (_options, command: Command) => {
      outcome.exitCode = await runBaseline(command);
    });
}

async function runBaseline(command: Command): Promise<number> {
  return runCommand(command, BASELINE_OPTIONS, async ({ session, out, settings }) => {
    const { baseline } = await import('../../migrate/baseline.js');
    const phase = settings.phase ?? 0;
    const result = await baseline(session.client, { ...settings, phase });
    out.json({ ok: result.adopted, database: session.label, ...result });
    const c = out.color;
    for (const check of result.checks) {
      out.line(`  ${check.passed ? c.green('pass') : c.red('FAIL')}  ${check.check} (${check.found})`);
      if (!check.passed && check.fix) out.line(`        fix: ${check.fix}`);
    }
    for (const d of result.differences) {
      const detail =
        d.kind === 'changed'
          ? (d.detail ?? `expected ${d.expected}, found ${d.actual}`)
          : d.kind === 'missing'
            ? `expected ${d.expected}`
            : `found ${d.actual}`;
      out.line(`  ${d.blocking ? c.red(d.kind.toUpperCase()) : c.yellow(d.kind)}  ${d.type} ${d.object}: ${detail}`);
    }
    if (!result.adopted) {
      const failed =
        result.checks.filter((ch) => !ch.passed).length + result.differences.filter((d) => d.blocking).length;
      out.error(
        `rasdb: baseline refused: ${count(failed, 'check')} failed; nothing was recorded. Apply the fixes above and run rasdb baseline again`,
      );
      return ExitCode.check;
    }
    out.always(
      result.recorded.length
        ? `Adopted: recorded ${result.recorded.join(', ')} as applied without running them; existing tables were not touched. Next: rasdb migrate`
        : `Nothing to baseline: phases 0 to ${phase} are already recorded.`,
    );
    return ExitCode.ok;
  });
}
