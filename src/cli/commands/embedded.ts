import type { Command } from 'commander';
import { ExitCode, RasdbError } from '../../errors.js';
import { asGroup, withExamples } from '../help.js';
import type { CommandOutcome } from '../main.js';
import { GLOBAL_OPTIONS, lockWaitOption } from '../options.js';
import { Output } from '../output.js';
import { readSettings, withOptions } from '../settings.js';

const EMBEDDED_OPTIONS = { lockWaitMs: lockWaitOption() } as const;

/** `rasdb embedded start|stop|url`: keep the embedded server running between commands. */
export function registerEmbedded(program: Command, outcome: CommandOutcome): void {
  const group = withExamples(
    asGroup(program.command('embedded')).description(
      'keep the embedded PostgreSQL running between commands, and print its URL for psql and other tools',
    ),
    ['rasdb embedded start && psql "$(rasdb embedded url)"', 'rasdb embedded stop'],
  );
  const sub = (name: string, description: string, run: (command: Command) => Promise<number>): void => {
    withOptions(group.command(name), EMBEDDED_OPTIONS)
      .description(description)
      .action(async (_options, command: Command) => {
        outcome.exitCode = await run(command);
      });
  };
  sub('start', 'start the embedded server in the background (every rasdb command then uses it); prints its URL', start);
  sub('stop', 'stop the embedded server that `rasdb embedded start` left running', stop);
  sub('url', 'print the libpq URL of the running embedded server (Unix socket, no password)', url);
}

async function context(command: Command) {
  const settings = readSettings(command, { ...GLOBAL_OPTIONS, ...EMBEDDED_OPTIONS });
  const { embeddedFolder } = await import('../../db/embedded.js');
  return { settings, out: new Output(settings), folder: embeddedFolder(process.env, process.cwd()) };
}

async function start(command: Command): Promise<number> {
  const { settings, out, folder } = await context(command);
  const { openEmbeddedSession } = await import('../../db/session.js');
  const session = await openEmbeddedSession(folder, {
    keepEmbedded: true,
    lockWaitMs: settings.lockWaitMs,
    onLog: (line) => out.debug(`[embedded] ${line}`),
  });
  await session.close();
  out.json({ ok: true, folder, server: session.label, url: session.libpq.url });
  out.notice(`rasdb: ${session.label}; stop it with rasdb embedded stop`);
  out.always(session.libpq.url);
  out.finish(ExitCode.ok);
  return ExitCode.ok;
}

async function stop(command: Command): Promise<number> {
  const { settings, out, folder } = await context(command);
  const { stopKeptServer } = await import('../../db/embedded-kept.js');
  const result = await stopKeptServer(folder, settings.lockWaitMs);
  out.json({ ok: true, folder, ...result });
  out.always(
    result.stopped
      ? `Stopped the embedded PostgreSQL in ${folder} (pid ${result.pid}).`
      : `No embedded PostgreSQL was running in ${folder}.`,
  );
  out.finish(ExitCode.ok);
  return ExitCode.ok;
}

async function url(command: Command): Promise<number> {
  const { out, folder } = await context(command);
  const { embeddedUrl, keptServer } = await import('../../db/embedded-kept.js');
  const kept = keptServer(folder);
  if (!kept) {
    throw new RasdbError(
      ExitCode.connect,
      `no embedded PostgreSQL is running in ${folder}; start one with rasdb embedded start`,
    );
  }
  out.json({ ok: true, folder, pid: kept.pid, url: embeddedUrl(kept.socket) });
  out.always(embeddedUrl(kept.socket));
  out.finish(ExitCode.ok);
  return ExitCode.ok;
}
