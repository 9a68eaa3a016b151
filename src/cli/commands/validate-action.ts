import type { Command } from 'commander';
import { ExitCode } from '../../errors.js';
import { repair, validate } from '../../migrate/validate.js';
import { parseDuration } from '../duration.js';
import { withSession } from '../session-command.js';

export async function runValidate(command: Command): Promise<number> {
  return withSession(command, async ({ session, out, flags }) => {
    const result = await validate(session.client, { migrationsDir: flags.migrationsDir as string | undefined });
    out.json({ ok: result.mismatches.length === 0, database: session.label, ...result });
    for (const m of result.mismatches) {
      out.line(`  ${out.color.red('✗')} ${m.name} (phase ${m.phase}): applied as ${m.recorded.slice(0, 12)}…, the file now compiles to ${m.current.slice(0, 12)}…`);
    }
    if (result.mismatches.length) {
      out.error(`rasdb: ${result.mismatches.length} applied ${result.mismatches.length === 1 ? 'migration has' : 'migrations have'} changed: ${result.mismatches.map((m) => m.name).join(', ')}; restore the files, or rasdb repair --accept <migration>`);
      return ExitCode.check;
    }
    out.always(`All ${result.checked} applied migrations match their files.`);
    return ExitCode.ok;
  });
}

export async function runRepair(command: Command): Promise<number> {
  const options = command.opts();
  const lockWaitMs = parseDuration('--lock-wait', options.lockWait, { maxMs: 86_400_000 });
  return withSession(command, async ({ session, out, flags }) => {
    const result = await repair(session.client, { accept: options.accept, lockWaitMs, migrationsDir: flags.migrationsDir as string | undefined });
    out.json({ ok: true, database: session.label, ...result });
    out.always(
      result.changed
        ? `Accepted the change to ${result.name}: checksum ${result.oldChecksum.slice(0, 12)}… is now ${result.newChecksum.slice(0, 12)}… (recorded in the history).`
        : `${result.name} already matches its file; nothing to accept.`,
    );
    return ExitCode.ok;
  });
}
