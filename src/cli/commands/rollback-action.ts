import type { Command } from 'commander';
import { ExitCode, usageError } from '../../errors.js';
import { parsePhase } from '../../migrate/plan.js';
import { rollback } from '../../migrate/rollback.js';
import { parseDuration } from '../duration.js';
import { withSession } from '../session-command.js';
import { phaseName, printStep } from './migrate-action.js';

export async function runRollback(command: Command): Promise<number> {
  const options = command.opts();
  if (options.all && options.phase !== undefined) throw usageError('give either --phase N or --all, not both');
  if (!options.all && options.phase === undefined) throw usageError('rollback needs --phase N (keep phases 0 to N) or --all');
  const phase = options.all ? -1 : (parsePhase(options.phase) as number);
  const lockWaitMs = parseDuration('--lock-wait', options.lockWait, { maxMs: 86_400_000 });
  return withSession(command, async ({ session, out, flags }) => {
    out.line(`Rolling back ${session.label} to ${phaseName(phase)}`);
    const result = await rollback(session.client, {
      phase,
      force: Boolean(options.force),
      lockWaitMs,
      migrationsDir: flags.migrationsDir as string | undefined,
      onStep: (step) => printStep(out, step),
    });
    out.json({ ok: !result.failed, database: session.label, ...result });
    for (const table of result.droppedTables.filter((t) => t.rows > 0)) out.line(`  dropped ${table.table} with ${table.rows} rows (--force)`);
    const reverted = result.steps.filter((s) => s.status === 'Success').length;
    if (result.failed) {
      out.error(`rasdb: reverting ${result.failed.name} failed: ${result.failed.error?.message}; it was rolled back and is still applied`);
      return ExitCode.failed;
    }
    out.always(reverted ? `Reverted ${reverted} ${reverted === 1 ? 'migration' : 'migrations'}; the database is at ${phaseName(result.phaseAfter)}.` : `Nothing to revert: the database is at ${phaseName(result.phaseAfter)}.`);
    return ExitCode.ok;
  });
}
