import type { Command } from 'commander';
import { ExitCode } from '../../errors.js';
import { baseline } from '../../migrate/baseline.js';
import { parsePhase } from '../../migrate/plan.js';
import { parseDuration } from '../duration.js';
import { withSession } from '../session-command.js';

export async function runBaseline(command: Command): Promise<number> {
  const options = command.opts();
  const phase = parsePhase(options.phase) ?? 0;
  const lockWaitMs = parseDuration('--lock-wait', options.lockWait, { maxMs: 86_400_000 });
  return withSession(command, async ({ session, out, flags }) => {
    const result = await baseline(session.client, { phase, lockWaitMs, migrationsDir: flags.migrationsDir as string | undefined });
    out.json({ ok: result.adopted, database: session.label, ...result });
    const c = out.color;
    for (const check of result.checks) {
      out.line(`  ${check.passed ? c.green('pass') : c.red('FAIL')}  ${check.check} (${check.found})`);
      if (!check.passed && check.fix) out.line(`        fix: ${check.fix}`);
    }
    for (const d of result.differences) {
      const detail = d.kind === 'changed' ? (d.detail ?? `expected ${d.expected}, found ${d.actual}`) : d.kind === 'missing' ? `expected ${d.expected}` : `found ${d.actual}`;
      out.line(`  ${d.blocking ? c.red(d.kind.toUpperCase()) : c.yellow(d.kind)}  ${d.type} ${d.object}: ${detail}`);
    }
    if (!result.adopted) {
      const failed = result.checks.filter((ch) => !ch.passed).length + result.differences.filter((d) => d.blocking).length;
      out.error(`rasdb: baseline refused: ${failed} ${failed === 1 ? 'check' : 'checks'} failed; nothing was recorded. Apply the fixes above and run rasdb baseline again`);
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
