import type { Command } from 'commander';
import { ExitCode } from '../../errors.js';
import { verify, type VerifyResult } from '../../schema/verify.js';
import { parseDuration } from '../duration.js';
import { formatMs, type Output } from '../output.js';
import { withSession } from '../session-command.js';

export async function runVerify(command: Command): Promise<number> {
  const options = command.opts();
  return withSession(command, async ({ session, out, flags }) => {
    const started = performance.now();
    const result = await verify(session.client, {
      scratchUrl: options.scratchUrl,
      strict: Boolean(options.strict),
      migrationsDir: flags.migrationsDir as string | undefined,
      connectTimeoutMs: parseDuration('--connect-timeout', String(flags.connectTimeout ?? '10s'), { minMs: 100, maxMs: 600_000 }),
      onLog: (line) => out.debug(`[scratch] ${line}`),
    });
    const durationMs = Math.round(performance.now() - started);
    out.json({ database: session.label, durationMs, ...result });
    render(out, result);
    const summary = summarize(result);
    if (result.ok) {
      out.always(`${session.label} matches its ${result.replayed.length} applied migrations${summary ? ` (${summary})` : ''}; checked in ${formatMs(durationMs)}.`);
      return ExitCode.ok;
    }
    out.error(`rasdb: ${session.label} does not match its migrations: ${summary}`);
    return ExitCode.check;
  });
}

function render(out: Output, result: VerifyResult): void {
  const c = out.color;
  out.line(`Replayed ${result.replayed.length} applied migrations on ${result.scratch} and compared the public schemas.`);
  for (const d of result.differences) {
    const how = d.detail || (d.expected && d.actual ? `${d.expected} -> ${d.actual}` : (d.expected ?? d.actual ?? ''));
    out.always(`  ${c.red(d.kind.padEnd(9))} ${`${d.type} ${d.object}`.padEnd(48)} ${how}`);
  }
  for (const m of result.pending) out.always(`  ${c.yellow('pending'.padEnd(9))} migration ${m.name} (phase ${m.phase}): run rasdb migrate`);
  for (const m of result.checksumMismatches) {
    out.always(`  ${c.red('checksum'.padEnd(9))} migration ${m.name}: applied ${m.recorded.slice(0, 12)}, file now ${m.current.slice(0, 12)}`);
  }
  for (const u of result.unmanaged) {
    const note = result.strict ? 'no migration makes it (--strict)' : 'no migration makes it; allowed without --strict';
    out.always(`  ${(result.strict ? c.red : c.dim)('unmanaged'.padEnd(9))} ${`${u.type} ${u.name}`.padEnd(48)} ${note}`);
  }
}

function summarize(result: VerifyResult): string {
  const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
  const parts: string[] = [];
  if (result.differences.length) parts.push(count(result.differences.length, 'difference'));
  if (result.pending.length) parts.push(count(result.pending.length, 'pending migration'));
  if (result.checksumMismatches.length) parts.push(count(result.checksumMismatches.length, 'checksum mismatch', 'checksum mismatches'));
  if (result.unmanaged.length) parts.push(`${count(result.unmanaged.length, 'unmanaged object')}${result.strict ? '' : ', allowed without --strict'}`);
  return parts.join(', ');
}
