import type { Command } from 'commander';
import { openSession, type Session } from '../db/session.js';
import { Output, type GlobalFlags } from './output.js';
import { parseDuration } from './duration.js';

export interface CommandContext {
  session: Session;
  out: Output;
  flags: GlobalFlags & Record<string, unknown>;
}

/**
 * Opens the command's database session (printing the embedded-server notice when it applies),
 * runs `work`, and always closes the session, stopping the embedded server if one was started.
 */
export async function withSession(command: Command, work: (context: CommandContext) => Promise<number>): Promise<number> {
  const flags = command.optsWithGlobals() as CommandContext['flags'];
  const out = new Output(flags);
  const lockWaitMs = typeof flags.lockWait === 'string' ? parseDuration('--lock-wait', flags.lockWait, { maxMs: 86_400_000 }) : 60_000;
  const session = await openSession({
    databaseUrl: flags.databaseUrl,
    connectTimeoutMs: parseDuration('--connect-timeout', String(flags.connectTimeout ?? '10s'), { minMs: 100, maxMs: 600_000 }),
    lockWaitMs,
    onNotice: (line) => out.notice(line),
    onLog: (line) => out.debug(`[embedded] ${line}`),
  });
  out.debug(`connected to ${session.label}`);
  try {
    return await work({ session, out, flags });
  } finally {
    await session.close();
  }
}
