import type { Command } from 'commander';
import { withExamples } from '../help.js';
import type { CommandOutcome } from '../main.js';
import { RETENTION_RUN_OPTIONS, countOption, durationOption } from '../options.js';
import { runCommand } from '../session-command.js';
import { withOptions } from '../settings.js';
import { finalCode, heldText, retentionJson } from './retention-words.js';
import { count, duration, num, timeText } from '../text.js';

const PRUNE_OPTIONS = {
  ...RETENTION_RUN_OPTIONS,
  batchSize: countOption(
    '--batch-size <rows>',
    'the most rows one batch deletes; the size adapts below it to --batch-time',
    1,
    1_000_000,
    '50000',
  ),
  batchTargetMs: durationOption('--batch-time <duration>', 'the time one batch should take', {
    defaultValue: '50ms',
    minMs: 1,
    maxMs: 60_000,
  }),
} as const;

/** `rasdb retention prune`: delete detail rows past their horizon (once summarized), in short batches. */
export function registerRetentionPrune(retention: Command, outcome: CommandOutcome): void {
  withExamples(withOptions(retention.command('prune'), PRUNE_OPTIONS), [
    'rasdb retention prune --dry-run',
    'rasdb retention prune --max-runtime 30min --quiet',
    'rasdb retention prune --policy performance_metrics --batch-size 10000',
  ])
    .description('delete detail rows past their horizon (once summarized) and summaries past theirs')
    .action(async (_options, command: Command) => {
      outcome.exitCode = await runPrune(command);
    });
}

async function runPrune(command: Command): Promise<number> {
  return runCommand(command, PRUNE_OPTIONS, async ({ session, out, settings }) => {
    const { prune } = await import('../../retention/prune.js');
    const { progressBar } = await import('../progress.js');
    const progress = progressBar(settings, 'deleted');
    const result = await prune(session.client, {
      ...settings,
      openSibling: session.openSibling,
      onProgress: (p) => progress?.update(p.table, p.done, p.estimated > 0 ? p.estimated : undefined),
    });
    progress?.done();
    await retentionJson(
      out,
      session.client,
      { ok: result.refused.length === 0, database: session.label, ...result },
      result.timeZone,
    );
    out.line(
      `${result.dryRun ? 'Dry run, nothing changed: would prune' : 'Pruned'} ${session.label} as of ${timeText(result.asOf)} ${result.timeZone}`,
    );
    for (const t of result.tables) {
      const horizon = t.effectiveCutoff !== t.cutoff ? ` (horizon ${timeText(t.cutoff)})` : '';
      const cut =
        t.effectiveCutoff === null ? 'nothing summarized yet' : `before ${timeText(t.effectiveCutoff)}${horizon}`;
      const slowest = t.batches ? ` (slowest ${duration(t.slowestBatchMs)})` : '';
      const did = result.dryRun
        ? `would delete ${count(t.eligible ?? 0, 'row')} in ~${count(t.estimatedBatches ?? 0, 'batch')}`
        : `deleted ${count(t.deleted, 'row')} in ${count(t.batches, 'batch')}${slowest}`;
      out.line(`  ${t.table.padEnd(40)} ${cut}: ${did}${heldText(t.heldBack)}`);
      if (t.partitionsDropped?.length)
        out.line(
          `    partitions dropped whole: ${t.partitionsDropped.map((p) => `${p.name} (${count(p.rows, 'row')})`).join(', ')}`,
        );
      for (const p of t.partitionsKept ?? [])
        out.line(`    partition kept: ${p.name} (${p.reason.replace(/_/g, ' ')}); its other rows pruned row by row`);
      if (t.rowWiseCutoff)
        out.line(`    rows from ${timeText(t.rowWiseCutoff)} wait for their partition to pass the horizon whole`);
    }
    const verb = result.dryRun ? 'Would delete' : 'Deleted';
    const rows = result.dryRun ? result.tables.reduce((s, t) => s + (t.eligible ?? 0), 0) : result.totals.deleted;
    const run = result.runId ? ` (run ${result.runId})` : '';
    out.always(`${verb} ${count(rows, 'row')}; held back ${num(result.totals.heldBack)}${run}.`);
    return finalCode(out, result, 'rows');
  });
}
