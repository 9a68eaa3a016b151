import type { Command } from 'commander';
import { openSession, type Session } from '../db/session.js';
import { GLOBAL_OPTIONS } from './options.js';
import { Output } from './output.js';
import { wordText } from './words.js';
import { readSettings, type OptionSpecs, type SettingsOf } from './settings.js';

export type GlobalSettings = SettingsOf<typeof GLOBAL_OPTIONS>;

export interface CommandContext<S> {
  readonly session: Session;
  readonly out: Output;
  readonly settings: GlobalSettings & S;
}

/**
 * Parses the global options and the command's own (every problem reported together, before
 * anything is opened), opens the command's database session (printing the embedded-server notice
 * when it applies), runs `work`, and always closes the session, stopping the embedded server if one
 * was started.
 *
 * @example
 * return runCommand(command, MIGRATE_OPTIONS, async ({ session, out, settings }) => { ...; return ExitCode.ok; });
 */
export async function runCommand<S extends OptionSpecs>(
  command: Command,
  specs: S,
  work: (context: CommandContext<SettingsOf<S>>) => Promise<number>,
  checks?: (settings: SettingsOf<S & typeof GLOBAL_OPTIONS>) => readonly (string | false | undefined)[],
): Promise<number> {
  const settings = readSettings(command, { ...GLOBAL_OPTIONS, ...specs }, checks) as GlobalSettings & SettingsOf<S>;
  const out = new Output(settings);
  const lockWaitMs = 'lockWaitMs' in settings && typeof settings.lockWaitMs === 'number' ? settings.lockWaitMs : undefined;
  // A command's statement timeout also bounds how long rasdb waits for a server that stopped answering.
  const statementTimeoutMs = 'statementTimeoutMs' in settings && typeof settings.statementTimeoutMs === 'number' ? settings.statementTimeoutMs : undefined;
  const session = await openSession({
    databaseUrl: settings.databaseUrl,
    connectTimeoutMs: settings.connectTimeoutMs,
    lockWaitMs,
    statementTimeoutMs,
    onNotice: (line) => out.notice(wordText(line)),
    onLog: (line) => out.debug(`[embedded] ${line}`),
  });
  out.debug(`connected to ${session.label}`);
  try {
    return await work({ session, out, settings });
  } finally {
    await session.close();
  }
}
