import type { Command } from 'commander';
import { ExitCode } from '../../errors.js';
import { withExamples } from '../help.js';
import type { CommandOutcome } from '../main.js';
import { REPAIR_OPTIONS } from '../options.js';
import { runCommand } from '../session-command.js';
import { withOptions } from '../settings.js';

/** `rasdb repair --accept <migration>`: record a deliberate change to an applied migration. */
export function registerRepair(program: Command, outcome: CommandOutcome): void {
  withExamples(withOptions(program.command('repair'), REPAIR_OPTIONS), [
    'rasdb repair --accept 1001-integration-configuration',
    'rasdb validate && rasdb repair --accept 2001-asset-management --json',
  ])
    .description("accept a deliberate change to an applied migration: record its file's new checksum")
    .action(async (_options, command: Command) => {
      outcome.exitCode = await runRepair(command);
    });
}

async function runRepair(command: Command): Promise<number> {
  return runCommand(command, REPAIR_OPTIONS, async ({ session, out, settings }) => {
    const { repair } = await import('../../migrate/validate.js');
    const result = await repair(session.client, settings);
    out.json({ ok: true, database: session.label, ...result });
    out.always(
      result.changed
        ? `Accepted the change to ${result.name}: checksum ${result.oldChecksum.slice(0, 12)}… is now ${result.newChecksum.slice(0, 12)}… (recorded in the history).`
        : `${result.name} already matches its file; nothing to accept.`,
    );
    return ExitCode.ok;
  });
}
