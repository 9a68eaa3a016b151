import type { Command } from 'commander';
import { withExamples } from '../help.js';
import type { CommandOutcome } from '../main.js';
import { RETENTION_RUN_OPTIONS, optionalCountOption } from '../options.js';
import { runCommand } from '../session-command.js';
import { withOptions } from '../settings.js';
import { finalCode, retentionJson } from './retention-words.js';
import { count, timeText } from '../text.js';

const SUMMARIZE_OPTIONS = {
  ...RETENTION_RUN_OPTIONS,
  maxBucketsPerTransaction: optionalCountOption(
    '--buckets-per-transaction <n>',
    'the most buckets one transaction summarizes while catching up (default: a week of hours, 31 days, 3 months)',
    1,
    10_000,
  ),
} as const;

/** `rasdb retention summarize`: roll closed buckets of the detail tables into their summaries. */
export function registerRetentionSummarize(retention: Command, outcome: CommandOutcome): void {
  withExamples(withOptions(retention.command('summarize'), SUMMARIZE_OPTIONS), [
    'rasdb retention summarize',
    'rasdb retention summarize --policy api_call_logs --dry-run',
    'rasdb retention summarize --max-runtime 10min',
  ])
    .description('summarize closed buckets of the detail tables into their summary tables')
    .action(async (_options, command: Command) => {
      outcome.exitCode = await runSummarize(command);
    });
}

async function runSummarize(command: Command): Promise<number> {
  return runCommand(command, SUMMARIZE_OPTIONS, async ({ session, out, settings }) => {
    const { summarize } = await import('../../retention/summarize.js');
    const { progressBar } = await import('../progress.js');
    const progress = progressBar(settings, 'summarized');
    const result = await summarize(session.client, {
      ...settings,
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
      `${result.dryRun ? 'Dry run, nothing changed: would summarize' : 'Summarized'} ${session.label} as of ${timeText(result.asOf)} ${result.timeZone}`,
    );
    for (const s of result.summaries) {
      const late = s.lateBucketsRecomputed
        ? `; ${count(s.lateBucketsRecomputed, 'bucket')} with late rows recomputed`
        : '';
      const merged = s.lateRowsMerged ? `; ${count(s.lateRowsMerged, 'late row')} folded into pruned buckets` : '';
      const lost = s.lateRowsAfterPrune
        ? `; ${count(s.lateRowsAfterPrune, 'late row')} in buckets pruned before rasdb recorded prunes (not summarized)`
        : '';
      const moved = `${s.watermarkBefore ? timeText(s.watermarkBefore) : 'start'} -> ${s.watermarkAfter ? timeText(s.watermarkAfter) : 'start'}`;
      out.line(
        `  ${s.summary.padEnd(40)} ${moved}: ${count(s.bucketsSummarized, 'bucket')}, ${count(s.rowsSummarized, 'row')}${late}${merged}${lost}`,
      );
    }
    const verb = result.dryRun ? 'Would summarize' : 'Summarized';
    const run = result.runId ? ` (run ${result.runId})` : '';
    out.always(
      `${verb} ${count(result.totals.rowsSummarized, 'row')} in ${count(result.totals.bucketsSummarized, 'bucket')}${run}.`,
    );
    return finalCode(out, result, 'buckets');
  });
}
