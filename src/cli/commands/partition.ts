import type { Command } from 'commander';
import { ExitCode } from '../../errors.js';
import { asGroup, withExamples } from '../help.js';
import type { CommandOutcome } from '../main.js';
import { PARTITION_ENABLE_OPTIONS, PARTITION_MAINTAIN_OPTIONS } from '../options.js';
import { runCommand } from '../session-command.js';
import { withOptions } from '../settings.js';
import type { Session } from '../../db/session.js';
import type { Output } from '../output.js';
import { count, duration, num } from '../text.js';
import { retentionJson } from './retention-words.js';

/** `rasdb partition enable|status|maintain`: the high-volume logs partitioned by time, adopted in place. */
export function registerPartition(program: Command, outcome: CommandOutcome): void {
  const partition = withExamples(
    asGroup(program.command('partition')).description(
      'partition the high-volume logs by time, in place and online; retention then drops whole partitions',
    ),
    [
      'rasdb partition enable api_call_logs --interval month',
      'rasdb partition status --json',
      'rasdb partition maintain',
    ],
  );
  withExamples(withOptions(partition.command('enable'), PARTITION_ENABLE_OPTIONS), [
    'rasdb partition enable api_call_logs --interval month',
    'rasdb partition enable security_events_extended --interval month --premake 6',
    'rasdb partition enable api_call_logs --interval month --index-workers 2',
  ])
    .argument('<table>', 'api_call_logs, performance_metrics, security_events_extended or data_access_logs')
    .description('partition a table by its time column without copying its rows; a rerun finishes an interrupted one')
    .action(async (table: string, _options, command: Command) => {
      outcome.exitCode = await runEnable(table, command);
    });
  withExamples(withOptions(partition.command('status'), {}), [
    'rasdb partition status',
    'rasdb partition status --json',
  ])
    .description(
      'each partition: bounds, rows, size, when it expires and what holds it back; the deviations from the DDL',
    )
    .action(async (_options, command: Command) => {
      outcome.exitCode = await runStatus(command);
    });
  withExamples(withOptions(partition.command('maintain'), PARTITION_MAINTAIN_OPTIONS), ['rasdb partition maintain'])
    .description('make the partitions ahead of time (retention prune runs this too)')
    .action(async (_options, command: Command) => {
      outcome.exitCode = await runMaintain(command);
    });
}

async function runEnable(table: string, command: Command): Promise<number> {
  return runCommand(command, PARTITION_ENABLE_OPTIONS, async ({ session, out, settings }) => {
    const { enablePartitioning } = await import('../../partition/enable.js');
    const { resolveDataZone } = await import('../../retention/time-zone.js');
    const zone = await resolveDataZone(session.client);
    const result = await enablePartitioning(session.client, table, {
      interval: settings.interval,
      premake: settings.premake,
      indexWorkers: settings.indexWorkers,
      timeZone: zone.timeZone,
      ...lockSettings(settings, session, out),
      onStep: (step) => out.line(`  ${step.step.padEnd(19)} ${duration(step.durationMs).padStart(9)}  ${step.detail}`),
    });
    await retentionJson(
      out,
      session.client,
      { ok: true, database: session.label, timeZone: zone.timeZone, ...result },
      zone.timeZone,
    );
    out.always(
      `${result.table} is partitioned by ${result.interval} on ${result.timeColumn} from ${result.bound} (${zone.timeZone}); ${count(result.maintain.created.length, 'partition')} made ahead.`,
    );
    return ExitCode.ok;
  });
}

async function runStatus(command: Command): Promise<number> {
  return runCommand(command, {}, async ({ session, out }) => {
    const { partitionStatus } = await import('../../partition/status.js');
    const { resolveDataZone } = await import('../../retention/time-zone.js');
    const { partitionHorizons } = await import('../../retention/partition-horizons.js');
    const zone = await resolveDataZone(session.client);
    const report = await partitionStatus(
      session.client,
      zone.timeZone,
      await partitionHorizons(session.client, zone.timeZone),
    );
    await retentionJson(out, session.client, { ok: true, database: session.label, ...report }, zone.timeZone);
    out.line(`Partitions on ${session.label}, as of ${report.asOf} ${report.timeZone}`);
    for (const t of report.tables) {
      out.line(
        `  ${t.table}: ${t.state}, by ${t.interval} on ${t.timeColumn}, bound ${t.bound ?? 'not chosen'}, premake ${t.premake}`,
      );
      for (const p of t.partitions) {
        const range =
          p.kind === 'legacy'
            ? `DEFAULT (before ${t.bound}, and no time)`
            : p.kind === 'default'
              ? 'DEFAULT (what no other partition takes)'
              : `${p.from} .. ${p.to ?? 'MAXVALUE'}`;
        out.line(
          `    ${p.name.padEnd(40)} ${range.padEnd(44)} ~${num(p.rowsEstimate).padStart(11)} rows ${p.size.padStart(9)}  ${p.expires}${p.heldBy.length ? `; held by ${p.heldBy.join(', ')}` : ''}`,
        );
      }
      for (const d of t.deviations) out.line(`    deviation: ${d}`);
    }
    for (const u of report.unpartitioned) out.line(`  ${u}: not partitioned (row-wise prune)`);
    out.always(`${count(report.tables.length, 'table')} partitioned, ${num(report.unpartitioned.length)} not.`);
    return ExitCode.ok;
  });
}

async function runMaintain(command: Command): Promise<number> {
  return runCommand(command, PARTITION_MAINTAIN_OPTIONS, async ({ session, out, settings }) => {
    const { maintainAll } = await import('../../partition/maintain.js');
    const { resolveDataZone } = await import('../../retention/time-zone.js');
    const zone = await resolveDataZone(session.client);
    const results = await maintainAll(session.client, {
      timeZone: zone.timeZone,
      ...lockSettings(settings, session, out),
    });
    await retentionJson(out, session.client, { ok: true, database: session.label, tables: results }, zone.timeZone);
    for (const r of results)
      out.line(
        r.boundLifted
          ? `  ${r.table}: its adoption was left unfinished; the bound ${r.boundLifted} was lifted before writers reached it (run rasdb partition enable ${r.table} to finish)`
          : `  ${r.table}: ${r.created.length ? `created ${r.created.join(', ')}` : 'nothing to make'}${r.movedFromFuture ? `; ${count(r.movedFromFuture, 'row')} moved out of the far-future partition` : ''}`,
      );
    out.always(
      `${count(
        results.reduce((s, r) => s + r.created.length, 0),
        'partition',
      )} created.`,
    );
    return ExitCode.ok;
  });
}

/** The lock waits of a partition command, and its retries shown as warnings. */
function lockSettings(
  settings: { lockWaitMs: number; lockTimeoutMs: number; statementTimeoutMs: number; lockAttempts: number },
  session: Session,
  out: Output,
) {
  return {
    lockWaitMs: settings.lockWaitMs,
    lockTimeoutMs: settings.lockTimeoutMs,
    statementTimeoutMs: settings.statementTimeoutMs,
    lockAttempts: settings.lockAttempts,
    openSibling: session.openSibling,
    onRetry: (r: { table: string; step: string; attempt: number; attempts: number }) =>
      out.warn(`${r.table} ${r.step}: lock wait timed out (attempt ${r.attempt} of ${r.attempts}); retrying`),
  };
}
