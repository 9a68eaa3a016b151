import type { Command } from 'commander';
import { isConnectionLoss } from '../db/connection-loss.js';
import { openSession, type Session } from '../db/session.js';
import { ExitCode, RasdbError } from '../errors.js';
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
  const session = await waitingFor(settings.waitMs, out, () =>
    openSession({
      databaseUrl: settings.databaseUrl,
      connectTimeoutMs: settings.connectTimeoutMs,
      lockWaitMs,
      onNotice: (line) => out.warn(wordText(line)),
      onLog: (line) => out.debug(`[embedded] ${line}`),
    }),
  );
  out.debug(`connected to ${session.label}`);
  try {
    const exitCode = await work({ session, out, settings });
    out.finish(exitCode);
    return exitCode;
  } catch (error) {
    throw lostConnection(error, session.label);
  } finally {
    await session.close().catch((error: unknown) => {
      // A session whose server died cannot be closed cleanly; the loss is what to report.
      if (!isConnectionLoss(error)) throw error;
    });
  }
}

/**
 * A server that crashed, restarted or cut the connection mid-command is a connection failure
 * (exit 3), not a bug of rasdb: every command works in transactions, so what it had not committed
 * was rolled back, and running it again continues.
 */
function lostConnection(error: unknown, label: string): unknown {
  if (error instanceof RasdbError || !isConnectionLoss(error)) return error;
  const why = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
  return new RasdbError(
    ExitCode.connect,
    `lost the connection to ${label} (${why}); what was not committed was rolled back: run the command again once the server is up`,
    { connectionLost: true },
    { cause: error },
  );
}

/**
 * Opens the session, and with --wait keeps trying, once a second, while the server is not up yet
 * (refused, starting up, not reachable), until the wait is over: then the last error stands.
 */
async function waitingFor(waitMs: number | undefined, out: Output, open: () => Promise<Session>): Promise<Session> {
  const deadline = Date.now() + (waitMs ?? 0);
  for (let attempt = 1; ; attempt++) {
    try {
      return await open();
    } catch (error) {
      const notUpYet = error instanceof RasdbError && error.exitCode === ExitCode.connect && error.details.notUpYet === true;
      const remaining = deadline - Date.now();
      if (!notUpYet || remaining <= 0) throw error;
      if (attempt === 1) out.notice(`rasdb: waiting for the server (--wait): ${(error).message}`);
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, remaining)));
    }
  }
}
