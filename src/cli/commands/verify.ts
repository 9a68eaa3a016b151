import type { Command } from 'commander';
import { ExitCode } from '../../errors.js';
import type { VerifyResult } from '../../schema/verify.js';
import { withExamples } from '../help.js';
import type { CommandOutcome } from '../main.js';
import { VERIFY_OPTIONS } from '../options.js';
import type { Output } from '../output.js';
import { runCommand } from '../session-command.js';
import { withOptions } from '../settings.js';
import { count, duration } from '../text.js';

/** `rasdb verify [--scratch-url url] [--strict]`: the database against a replay of its migrations. */
export function registerVerify(program: Command, outcome: CommandOutcome): void {
  withExamples(withOptions(program.command('verify'), VERIFY_OPTIONS), [
    'rasdb verify',
    'rasdb verify --scratch-url postgres://postgres@ci-db:5432/postgres --strict',
  ])
    .description(
      'prove the database is what its applied migrations produce: replay them on a scratch database and compare',
    )
    .action(async (_options, command: Command) => {
      outcome.exitCode = await runVerify(command);
    });
}

async function runVerify(command: Command): Promise<number> {
  return runCommand(command, VERIFY_OPTIONS, async ({ session, out, settings }) => {
    const { verify } = await import('../../schema/verify.js');
    const started = performance.now();
    const result = await verify(session.client, { ...settings, onLog: (line) => out.debug(`[scratch] ${line}`) });
    const durationMs = Math.round(performance.now() - started);
    out.json({ database: session.label, durationMs, ...result });
    render(out, result);
    const summary = summarize(result);
    if (result.ok) {
      const shown = summary ? ` (${summary})` : '';
      out.always(
        `${session.label} matches its ${count(result.replayed.length, 'applied migration')}${shown}; checked in ${duration(durationMs)}.`,
      );
      return ExitCode.ok;
    }
    out.error(`rasdb: ${session.label} does not match its migrations: ${summary}`);
    return ExitCode.check;
  });
}

function render(out: Output, result: VerifyResult): void {
  const c = out.color;
  out.line(
    `Replayed ${count(result.replayed.length, 'applied migration')} on ${result.scratch} and compared the public schemas.`,
  );
  for (const d of result.differences) {
    const how = d.detail || (d.expected && d.actual ? `${d.expected} -> ${d.actual}` : (d.expected ?? d.actual ?? ''));
    out.always(`  ${c.red(d.kind.padEnd(9))} ${`${d.type} ${d.object}`.padEnd(48)} ${how}`);
  }
  for (const m of result.pending)
    out.always(`  ${c.yellow('pending'.padEnd(9))} migration ${m.name} (phase ${m.phase}): run rasdb migrate`);
  for (const m of result.checksumMismatches) {
    out.always(
      `  ${c.red('checksum'.padEnd(9))} migration ${m.name}: applied ${m.recorded.slice(0, 12)}, file now ${m.current.slice(0, 12)}`,
    );
  }
  for (const u of result.unmanaged) {
    const note = result.strict ? 'no migration makes it (--strict)' : 'no migration makes it; allowed without --strict';
    out.always(
      `  ${(result.strict ? c.red : c.dim)('unmanaged'.padEnd(9))} ${`${u.type} ${u.name}`.padEnd(48)} ${note}`,
    );
  }
}

function summarize(result: VerifyResult): string {
  const parts: string[] = [];
  if (result.differences.length) parts.push(count(result.differences.length, 'difference'));
  if (result.pending.length) parts.push(count(result.pending.length, 'pending migration'));
  if (result.checksumMismatches.length)
    parts.push(count(result.checksumMismatches.length, 'checksum mismatch', 'checksum mismatches'));
  if (result.unmanaged.length)
    parts.push(
      `${count(result.unmanaged.length, 'unmanaged object')}${result.strict ? '' : ', allowed without --strict'}`,
    );
  return parts.join(', ');
}
