import type { Command } from 'commander';
import { ExitCode } from '../../errors.js';
import { withExamples } from '../help.js';
import type { CommandOutcome } from '../main.js';
import { PLAN_OPTIONS } from '../options.js';
import { count, duration } from '../text.js';
import { renderLockPlan } from '../lock-report.js';
import { phaseName } from '../render-steps.js';
import { runCommand } from '../session-command.js';
import { withOptions } from '../settings.js';

/** `rasdb plan [--phase N] [--fail-on rule...]`: what each pending migration will lock, observed. */
export function registerPlan(program: Command, outcome: CommandOutcome): void {
  withExamples(withOptions(program.command('plan'), PLAN_OPTIONS), [
    'rasdb plan --phase 2',
    'rasdb plan --json | jq .tables',
    'rasdb plan --fail-on "access-exclusive>100MB" share-row-exclusive:users',
  ])
    .description(
      'show what each pending migration will lock on this database, observed on a scratch database beside it; writes nothing to it',
    )
    .action(async (_options, command: Command) => {
      outcome.exitCode = await runPlan(command);
    });
}

async function runPlan(command: Command): Promise<number> {
  return runCommand(command, PLAN_OPTIONS, async ({ session, out, settings }) => {
    const { planLocks } = await import('../../plan/plan.js');
    const { assertRuleTablesExist, describeViolation, violations } = await import('../../plan/fail-on.js');
    await assertRuleTablesExist(session.client, settings.failOn);
    const started = performance.now();
    const plan = await planLocks(session.client, {
      phase: settings.phase,
      migrationsDir: settings.migrationsDir,
      scratchUrl: settings.scratchUrl,
      connectTimeoutMs: settings.connectTimeoutMs,
      besideTarget: session,
    });
    const durationMs = Math.round(performance.now() - started);
    const broken = violations(plan, settings.failOn);
    out.json({
      database: session.label,
      durationMs,
      ...plan,
      failOn: settings.failOn.map((r) => r.text),
      violations: broken,
    });
    if (plan.migrations.length === 0) {
      out.always(
        `Nothing to plan: ${session.label} is at ${phaseName(plan.currentPhase)}, with no migration pending up to phase ${plan.targetPhase}.`,
      );
      return ExitCode.ok;
    }
    renderLockPlan(out, plan, session.label);
    for (const v of broken) out.always(`  FAIL ${describeViolation(v)}`);
    if (broken.length) {
      out.error(
        `rasdb: the plan breaks ${count(broken.length, '--fail-on rule', '--fail-on rules')}: ${broken.map((v) => describeViolation(v)).join('; ')}`,
      );
      return ExitCode.check;
    }
    out.always(
      `Planned ${count(plan.migrations.length, 'migration')} in ${duration(durationMs)}: ${count(plan.tables.length, 'existing table')} locked.`,
    );
    return ExitCode.ok;
  });
}
