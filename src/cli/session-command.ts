import type { Command } from 'commander';
import { isConnectionLost } from '../db/connection-lost.js';
import type { Session } from '../db/session.js';
import { ExitCode, RasdbError, option } from '../errors.js';
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
 * when it applies), refuses a server older than rasdb supports, runs `work`, and always closes the session, stopping the embedded server if one
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
  const lockWaitMs = durationSetting(settings, 'lockWaitMs');
  // A command's statement timeout also bounds how long rasdb waits for a server that stopped answering.
  const statementTimeoutMs = durationSetting(settings, 'statementTimeoutMs');
  const lockTimeoutMs = durationSetting(settings, 'lockTimeoutMs');
  // Loaded here, not at start-up: `rasdb --help` and usage errors need no database driver.
  const [{ openSession }, { assertSupportedServer }, lockTimeout] = await Promise.all([
    import('../db/session.js'),
    import('../db/server-version.js'),
    import('../db/lock-timeout.js'),
  ]);
  const session = await waitingFor(settings.waitMs, out, () =>
    openSession({
      databaseUrl: settings.databaseUrl,
      connectTimeoutMs: settings.connectTimeoutMs,
      lockWaitMs,
      statementTimeoutMs,
      lockTimeoutMs,
      onNotice: (line) => out.warn(wordText(line)),
      onLog: (line) => out.debug(`[embedded] ${line}`),
    }),
  );
  out.debug(`connected to ${session.label}`);
  try {
    // Before any command reads or writes: on a server too old, a migration would fail part-way.
    const warning = await assertSupportedServer(session.client);
    if (warning) out.warn(warning);
    const exitCode = await work({ session, out, settings }).catch(async (error: unknown) => {
      // A statement the connection's lock_timeout cancelled: say who holds the lock.
      if (!lockTimeout.isLockTimeout(error)) throw error;
      const pid = (session.client as { processID?: number }).processID;
      throw await lockTimeout.lockTimeoutError(
        session.openSibling,
        error,
        lockTimeoutMs ?? lockTimeout.DEFAULT_LOCK_TIMEOUT_MS,
        pid === undefined ? [] : [pid],
        'lockTimeoutMs' in specs ? `run again once it is released, or raise ${option('lockTimeoutMs')}` : undefined,
      );
    });
    out.finish(exitCode);
    return exitCode;
  } finally {
    await session.close().catch((error: unknown) => {
      // A session whose server died cannot be closed cleanly; the loss is what to report.
      if (!isConnectionLost(error)) throw error;
    });
  }
}

/** A duration the command has among its options (milliseconds), or undefined where it has none. */
function durationSetting(
  settings: object,
  name: 'lockWaitMs' | 'statementTimeoutMs' | 'lockTimeoutMs',
): number | undefined {
  const value: unknown = (settings as Record<string, unknown>)[name];
  return typeof value === 'number' ? value : undefined;
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
      const notUpYet =
        error instanceof RasdbError && error.exitCode === ExitCode.connect && error.details.notUpYet === true;
      const remaining = deadline - Date.now();
      if (!notUpYet || remaining <= 0) throw error;
      if (attempt === 1) out.notice(`rasdb: waiting for the server (--wait): ${error.message}`);
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, remaining)));
    }
  }
}
