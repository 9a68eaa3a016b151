import { describeBlockers } from '../db/blockers.js';
import type { RetryNotice, StepResult } from '../migrate/executor.js';
import type { Output } from './output.js';
import { duration, num } from './text.js';
import { redactServerText } from '../db/redact.js';
import { LOCK_TIMEOUT_SQLSTATE } from '../db/lock-timeout.js';
import { ExitCode } from '../errors.js';

/**
 * One migration's line: a tick and its time, or a cross with the error and the failing statement.
 *
 * @example
 * migrate(client, { onStep: (step) => printStep(out, step) });
 */
export function printStep(out: Output, step: StepResult): void {
  const c = out.color;
  if (step.status === 'Success') {
    out.line(`  ${c.green('✓')} ${step.name.padEnd(36)} phase ${step.phase}  ${c.dim(duration(step.durationMs ?? 0))}`);
  } else if (step.status === 'Error') {
    const e = step.error;
    out.always(
      `  ${c.red('✗')} ${step.name.padEnd(36)} phase ${step.phase}  ${redactServerText(e?.message ?? '')}${e?.sqlstate ? ` (SQLSTATE ${e.sqlstate})` : ''}`,
    );
    if (e?.statement) out.always(`      while running: ${redactServerText(e.statement.slice(0, 200))}`);
  }
}

/** `phase 2`, or what to say when not even phase 0 is complete. */
export function phaseName(phase: number): string {
  return phase < 0 ? 'no complete phase yet' : `phase ${phase}`;
}

/**
 * What a migration waiting for a lock says before it tries again.
 *
 * @example
 * migrate(client, { onRetry: (notice) => out.notice(retryLine(notice)) });
 */
export function retryLine(n: RetryNotice): string {
  return (
    `  ${n.name} timed out waiting for a lock (blocked by ${describeBlockers(n.blockers)}); ` +
    `retrying in ${duration(n.delayMs)} (attempt ${num(n.attempt + 1)} of ${num(n.attempts)})`
  );
}

/**
 * The exit code of a migration that failed: busy (5) when it gave up on a lock after every retry,
 * as every other command that waits for a table lock does; failed (1) for anything else.
 */
export function failedStepExit(step: StepResult): number {
  return step.error?.sqlstate === LOCK_TIMEOUT_SQLSTATE ? ExitCode.busy : ExitCode.failed;
}
