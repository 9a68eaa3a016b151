/** What the run record's message needs to know of one summary's run. */
export interface LateRowTally {
  readonly summary: string;
  readonly lateRowsMerged: number;
  readonly lateRowsAfterPrune: number;
}

/**
 * The message of a summarize run's record: an early stop, and late rows that could not be
 * summarized the usual way (auditors read it); undefined when there is nothing to say.
 *
 * @example
 * describeSummarizeRun(true, []) // 'stopped at --max-runtime; the next run continues from the watermark'
 */
export function describeSummarizeRun(stoppedEarly: boolean, summaries: readonly LateRowTally[]): string | undefined {
  const parts: string[] = [];
  if (stoppedEarly) parts.push('stopped at --max-runtime; the next run continues from the watermark');
  for (const s of summaries.filter((s) => s.lateRowsMerged > 0)) {
    parts.push(
      `${s.summary}: ${s.lateRowsMerged} late rows folded into buckets prune had thinned (percentiles unchanged)`,
    );
  }
  for (const s of summaries.filter((s) => s.lateRowsAfterPrune > 0)) {
    parts.push(
      `${s.summary}: ${s.lateRowsAfterPrune} late rows in buckets thinned before rasdb recorded prunes; ` +
        'counted, not summarized',
    );
  }
  return parts.length ? parts.join('; ') : undefined;
}
