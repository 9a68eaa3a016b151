import type { Command } from 'commander';
import { ExitCode } from '../../errors.js';
import { asGroup, withExamples } from '../help.js';
import type { CommandOutcome } from '../main.js';
import { flag, requiredText, textOption, timeOption } from '../options.js';
import { parseCount } from '../duration.js';
import { runCommand } from '../session-command.js';
import { withOptions, type OptionSpec, type RawValue } from '../settings.js';
import { describeHold, retentionJson } from './retention-words.js';
import { count } from '../text.js';

const ids: OptionSpec<number[] | undefined> = {
  flags: '--ids <ids>',
  description: 'comma-separated ids of the rows to hold',
  parse: (raw: RawValue, name: string) =>
    // An id given twice is one row: held, recorded and listed once.
    typeof raw === 'string'
      ? [...new Set(raw.split(',').map((id) => parseCount(name, id.trim(), 1, Number.MAX_SAFE_INTEGER)))]
      : undefined,
};

const ADD_OPTIONS = {
  table: { ...requiredText('--table <table>', 'the table the hold applies to') },
  from: timeOption('--from <time>', "first time held (inclusive); without an offset, in the data's time zone", 'from'),
  until: timeOption(
    '--until <time>',
    "end of the held range (exclusive); without an offset, in the data's time zone",
    'until',
  ),
  ids,
  reason: requiredText('--reason <text>', 'why (a case or ticket number): kept in the record'),
  by: textOption('--by <name>', 'who asks for it; your OS account and database role are recorded too'),
} as const;

const LIST_OPTIONS = { all: flag('--all', 'released holds too') } as const;

const RELEASE_OPTIONS = {
  reason: requiredText('--reason <text>', 'why it is released'),
  by: textOption('--by <name>', 'who releases it'),
} as const;

/** `rasdb retention hold add|list|release`: legal holds no retention run may delete under. */
export function registerRetentionHold(retention: Command, outcome: CommandOutcome): void {
  const hold = asGroup(retention.command('hold')).description(
    'legal holds: rows that no retention run may delete while the hold is active',
  );
  withExamples(withOptions(hold.command('add'), ADD_OPTIONS), [
    "rasdb retention hold add --table api_call_logs --from 2025-03-01 --until 2025-04-01 --reason 'case 2025-17'",
    "rasdb retention hold add --table integration_operations --ids 101,102 --reason 'INC-88' --by legal",
  ])
    .description(
      "hold a time range (--from/--until, in the data's time zone unless given an offset) or a list of ids of one table",
    )
    .action(async (_options, command: Command) => {
      outcome.exitCode = await runAdd(command);
    });
  withExamples(withOptions(hold.command('list'), LIST_OPTIONS), [
    'rasdb retention hold list',
    'rasdb retention hold list --all --json',
  ])
    .description('active holds')
    .action(async (_options, command: Command) => {
      outcome.exitCode = await runList(command);
    });
  withExamples(withOptions(hold.command('release <id>'), RELEASE_OPTIONS), [
    "rasdb retention hold release 3 --reason 'case closed'",
    "rasdb retention hold release 3 --reason 'case closed' --by legal",
  ])
    .description('release a hold; it stays in the record with who released it and why')
    .action(async (id: string, _options, command: Command) => {
      outcome.exitCode = await runRelease(command, id);
    });
}

async function runAdd(command: Command): Promise<number> {
  return runCommand(command, ADD_OPTIONS, async ({ session, out, settings }) => {
    const { addHold } = await import('../../retention/holds.js');
    const hold = await addHold(session.client, settings);
    await retentionJson(out, session.client, { ok: true, hold });
    out.always(`Placed ${describeHold(hold)}.`);
    return ExitCode.ok;
  });
}

async function runList(command: Command): Promise<number> {
  return runCommand(command, LIST_OPTIONS, async ({ session, out, settings }) => {
    const { listHolds } = await import('../../ledger/retention-holds.js');
    const holds = await listHolds(session.client, { includeReleased: settings.all });
    await retentionJson(out, session.client, { ok: true, holds });
    for (const h of holds) out.line(describeHold(h));
    out.always(`${count(holds.length, 'hold')}.`);
    return ExitCode.ok;
  });
}

async function runRelease(command: Command, id: string): Promise<number> {
  const holdId = parseCount('hold id', id, 1, 2_147_483_647);
  return runCommand(command, RELEASE_OPTIONS, async ({ session, out, settings }) => {
    const { releaseHold } = await import('../../retention/holds.js');
    const hold = await releaseHold(session.client, holdId, settings);
    await retentionJson(out, session.client, { ok: true, hold });
    out.always(`Released ${describeHold(hold)}.`);
    return ExitCode.ok;
  });
}
