import type { Command } from 'commander';
import { ExitCode } from '../../errors.js';
import type { StepResult } from '../../migrate/executor.js';
import { dryRun, migrate } from '../../migrate/migrate.js';
import { parsePhase } from '../../migrate/plan.js';
import { describeBlockers } from '../../migrate/blockers.js';
import { parseCount, parseDuration } from '../duration.js';
import { formatMs, type Output } from '../output.js';
import { withSession } from '../session-command.js';

export async function runMigrate(command: Command): Promise<number> {
  const options = command.opts();
  const phase = parsePhase(options.phase);
  const timeouts = {
    lockWaitMs: parseDuration('--lock-wait', options.lockWait, { maxMs: 86_400_000 }),
    lockTimeoutMs: parseDuration('--lock-timeout', options.lockTimeout, { minMs: 1, maxMs: 3_600_000 }),
    statementTimeoutMs: parseDuration('--statement-timeout', options.statementTimeout, { minMs: 1, maxMs: 86_400_000 }),
    lockAttempts: parseCount('--lock-retries', options.lockRetries, 1, 100),
  };
  return withSession(command, async ({ session, out, flags }) => {
    const migrationsDir = flags.migrationsDir as string | undefined;
    if (options.dryRun) {
      const plan = await dryRun(session.client, { phase, migrationsDir });
      out.json({ ok: true, dryRun: true, database: session.label, ...plan });
      if (plan.migrations.length === 0) out.always(`-- nothing to apply: ${session.label} is at ${phaseName(plan.currentPhase)}`);
      for (const m of plan.migrations) {
        out.always(`-- ${m.name} (phase ${m.phase})${m.transactional ? ', in its own transaction' : ', outside a transaction'}`);
        for (const statement of m.statements) out.always(`${statement};`);
        out.always('');
      }
      return ExitCode.ok;
    }
    out.line(`Migrating ${session.label} up to phase ${phase ?? 4}`);
    const result = await migrate(session.client, {
      phase,
      migrationsDir,
      ...timeouts,
      openSibling: session.openSibling,
      onStep: (step) => printStep(out, step),
      onRetry: (n) =>
        out.notice(
          `  ${n.name} timed out waiting for a lock (blocked by ${describeBlockers(n.blockers)}); retrying in ${formatMs(n.delayMs)} (attempt ${n.attempt + 1} of ${n.attempts})`,
        ),
    });
    out.json({ ok: !result.failed, database: session.label, ...result });
    const applied = result.steps.filter((s) => s.status === 'Success');
    const total = applied.reduce((sum, s) => sum + (s.durationMs ?? 0), 0);
    if (result.failed) {
      const error = result.failed.error;
      out.always(
        `Applied ${applied.length} of ${result.steps.length} pending migrations; ${result.failed.name} failed and was rolled back alone. Fix the cause and run rasdb migrate again.`,
      );
      out.error(`rasdb: migration ${result.failed.name} failed: ${error?.message}${error?.sqlstate ? ` (SQLSTATE ${error.sqlstate})` : ''}`);
      return ExitCode.failed;
    }
    out.always(
      applied.length === 0
        ? `Nothing to apply: the database is at ${phaseName(result.phaseAfter)}.`
        : `Applied ${applied.length} ${applied.length === 1 ? 'migration' : 'migrations'} in ${formatMs(total)}; the database is at ${phaseName(result.phaseAfter)}.`,
    );
    return ExitCode.ok;
  });
}

export function printStep(out: Output, step: StepResult): void {
  const c = out.color;
  if (step.status === 'Success') {
    out.line(`  ${c.green('✓')} ${step.name.padEnd(36)} phase ${step.phase}  ${c.dim(formatMs(step.durationMs ?? 0))}`);
  } else if (step.status === 'Error') {
    const e = step.error;
    out.always(`  ${c.red('✗')} ${step.name.padEnd(36)} phase ${step.phase}  ${e?.message}${e?.sqlstate ? ` (SQLSTATE ${e.sqlstate})` : ''}`);
    if (e?.statement) out.always(`      while running: ${e.statement.slice(0, 200)}`);
  }
}

export function phaseName(phase: number): string {
  return phase < 0 ? 'no complete phase yet' : `phase ${phase}`;
}
