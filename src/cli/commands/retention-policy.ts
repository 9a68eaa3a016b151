import type { Command } from 'commander';
import { ExitCode, usageError } from '../../errors.js';
import { parseKeep } from '../../retention/policies.js';
import { asGroup, withExamples } from '../help.js';
import type { CommandOutcome } from '../main.js';
import { flag, lockWaitOption, requiredText, textOption } from '../options.js';
import { runCommand } from '../session-command.js';
import { withOptions, type OptionSpec, type RawValue } from '../settings.js';
import { retentionJson } from './retention-words.js';

const keep = (flags: string, description: string): OptionSpec<string | undefined> => ({
  flags,
  description,
  parse: (raw: RawValue, name: string) =>
    typeof raw === 'string' ? withinACentury(name, parseKeep(name, raw)) : undefined,
});

/** The server would take 99999999999 years and overflow later; no retention policy means more than a century. */
function withinACentury(name: string, interval: string): string {
  const [count, unit] = interval.split(' ');
  const years = Number(count) / ({ days: 365, weeks: 52, months: 12, years: 1 } as Record<string, number>)[unit];
  if (!(years <= 100)) throw usageError(`${name} must be at most 100 years, got "${interval}"`);
  return interval;
}

const SET_OPTIONS = {
  keepDetail: keep('--keep-detail <period>', 'keep detail rows this long: 90d, 12w, 18mo, 1y'),
  keepSummary: keep('--keep-summary <period>', 'keep summaries this long'),
  reason: requiredText('--reason <text>', 'why: kept in the record'),
  belowComplianceMinimum: flag(
    '--violate-7-year-security-retention',
    'allow keeping security events less than the 7 years compliance requires',
  ),
} as const;

const ZONE_OPTIONS = {
  reason: requiredText('--reason <text>', 'why: kept in the record'),
  by: textOption('--by <name>', 'who asks for it; your OS account and database role are recorded too'),
  lockWaitMs: lockWaitOption('0s', 'a retention run'),
} as const;

/**
 * `rasdb retention policy set <policy>`: a recorded change of how long a policy keeps rows;
 * `rasdb retention policy time-zone <zone>`: the recorded zone the data is written in.
 */
export function registerRetentionPolicy(retention: Command, outcome: CommandOutcome): void {
  const policy = asGroup(retention.command('policy')).description(
    'change a retention policy (recorded in the run history)',
  );
  withExamples(withOptions(policy.command('set <policy>'), SET_OPTIONS), [
    "rasdb retention policy set api_call_logs --keep-detail 120d --reason 'OPS-12'",
    "rasdb retention policy set performance_metrics --keep-summary 3y --reason 'capacity review'",
  ])
    .description('set how long a policy keeps detail rows and summaries')
    .action(async (name: string, _options, command: Command) => {
      outcome.exitCode = await runSet(command, name);
    });
  withOptions(policy.command('time-zone <zone>'), ZONE_OPTIONS)
    .description("declare the time zone the application writes its times in, when the server's settings do not say it")
    .action(async (zone: string, _options, command: Command) => {
      outcome.exitCode = await runTimeZone(command, zone);
    });
}

async function runTimeZone(command: Command, zone: string): Promise<number> {
  return runCommand(command, ZONE_OPTIONS, async ({ session, out, settings }) => {
    const { declareZone } = await import('../../retention/time-zone.js');
    const result = await declareZone(session.client, { ...settings, timeZone: zone });
    await retentionJson(out, session.client, { ok: true, ...result });
    out.always(
      `Retention now computes in ${result.timeZone} (before: ${result.before ?? 'none recorded'}; recorded as run ${result.runId}).`,
    );
    return ExitCode.ok;
  });
}

async function runSet(command: Command, policy: string): Promise<number> {
  const given = (s: { keepDetail?: string; keepSummary?: string }) => [
    s.keepDetail === undefined && s.keepSummary === undefined && 'give --keep-detail and/or --keep-summary',
  ];
  return runCommand(
    command,
    SET_OPTIONS,
    async ({ session, out, settings }) => {
      const { setPolicy } = await import('../../retention/policy-change.js');
      const result = await setPolicy(session.client, { ...settings, policy });
      await retentionJson(out, session.client, { ok: true, ...result });
      if (result.after.belowComplianceMinimum) {
        out.error(
          `rasdb: WARNING: ${policy} now keeps rows less than the ${result.after.minimumKeepDetail} compliance minimum`,
        );
      }
      const summaries = result.after.keepSummary ? `, summaries ${result.after.keepSummary}` : '';
      out.always(`Policy ${policy}: detail ${result.after.keepDetail}${summaries} (recorded as run ${result.runId}).`);
      return ExitCode.ok;
    },
    given,
  );
}
