import type { Command } from 'commander';
import { ExitCode } from '../../errors.js';
import { withExamples } from '../help.js';
import type { CommandOutcome } from '../main.js';
import { ROLLBACK_OPTIONS } from '../options.js';
import { failedStepExit, phaseName, printStep, retryLine } from '../render-steps.js';
import { runCommand } from '../session-command.js';
import { withOptions } from '../settings.js';
import { redactServerText } from '../../db/redact.js';
import { count } from '../text.js';
import type { Session } from '../../db/session.js';
import { RasdbError } from '../../errors.js';
import type { LockPlan } from '../../plan/types.js';
import { renderLockPlan } from '../lock-report.js';
import type { Output } from '../output.js';
import { wordError } from '../words.js';

/** `rasdb rollback --phase N | --all [--force]`: revert the phases above N. */
export function registerRollback(program: Command, outcome: CommandOutcome): void {
  withExamples(withOptions(program.command('rollback'), ROLLBACK_OPTIONS), [
    'rasdb rollback --phase 2',
    'rasdb rollback --all --force',
    'rasdb rollback --phase 3 --lock-timeout 2s --lock-retries 10',
    'rasdb rollback --phase 2 --dry-run',
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
      const phase = settings.all ? -1 : (settings.phase ?? -1);
      if (settings.dryRun) return rollbackDryRun(session, out, { ...settings, phase });
      const { rollback } = await import('../../migrate/rollback.js');
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
        return failedStepExit(result.failed);
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

/** `rollback --dry-run`: the down SQL of each migration it would revert, then what each would lock. */
async function rollbackDryRun(
  session: Session,
  out: Output,
  settings: { phase: number; force: boolean; migrationsDir?: string; scratchUrl?: string; connectTimeoutMs: number },
): Promise<number> {
  const { rollbackDryRun: dryRun } = await import('../../migrate/rollback.js');
  const { planRollbackLocks } = await import('../../plan/plan.js');
  const dry = await dryRun(session.client, settings);
  if (dry.migrations.length === 0)
    out.always(`-- nothing to revert: ${session.label} is at ${phaseName(dry.phaseBefore)}`);
  const rows = new Map(dry.droppedTables.map((t) => [t.table, t.rows]));
  for (const m of dry.migrations) {
    const drops = m.drops.map((t) => `${t} (${rows.get(t) ?? 0} rows)`).join(', ');
    out.always(
      `-- ${m.name} (phase ${m.phase}), down, ${m.transactional ? 'in its own transaction' : 'outside a transaction'}${drops ? `; drops ${drops}` : ''}`,
    );
    for (const statement of m.statements) out.always(`${statement};`);
    out.always('');
  }
  let locks: LockPlan | undefined;
  let skipped: string | undefined;
  if (dry.migrations.length) {
    try {
      locks = await planRollbackLocks(session.client, { ...settings, besideTarget: session });
    } catch (error) {
      // Where no scratch database can be made, the SQL above is what the dry run can give.
      if (!(error instanceof RasdbError) || error.exitCode !== ExitCode.connect) throw error;
      skipped = wordError(error);
      out.warn(`rasdb: the lock report of the reverts was skipped: ${skipped}`);
    }
  }
  if (locks) renderLockPlan(out, locks, session.label);
  const refusal = dry.refusal;
  out.json({
    ok: !refusal,
    dryRun: true,
    database: session.label,
    targetPhase: dry.targetPhase,
    phaseBefore: dry.phaseBefore,
    migrations: dry.migrations,
    droppedTables: dry.droppedTables,
    ...(refusal ? { refusal: { message: wordError(refusal), ...refusal.details } } : {}),
    ...(locks ? { locks } : { locksSkipped: skipped ?? null }),
  });
  if (refusal) {
    out.error(`rasdb: ${wordError(refusal)}`);
    return refusal.exitCode;
  }
  return ExitCode.ok;
}
