import type { Command } from 'commander';
import { asGroup, withExamples } from '../help.js';
import type { CommandOutcome } from '../main.js';
import { registerRetentionHold } from './retention-hold.js';
import { registerRetentionPolicy } from './retention-policy.js';
import { registerRetentionPrune } from './retention-prune.js';
import { registerRetentionStatus } from './retention-status.js';
import { registerRetentionSummarize } from './retention-summarize.js';

/** `rasdb retention summarize|prune|status|hold|policy`: each subcommand in a file of its own. */
export function registerRetention(program: Command, outcome: CommandOutcome): void {
  const retention = withExamples(
    asGroup(program.command('retention')).description(
      'summarize and prune logs by the retention policies; legal holds; the run history for auditors',
    ),
    [
      'rasdb retention summarize && rasdb retention prune --max-runtime 30min',
      'rasdb retention status',
      'rasdb help retention prune',
    ],
  );
  registerRetentionSummarize(retention, outcome);
  registerRetentionPrune(retention, outcome);
  registerRetentionStatus(retention, outcome);
  registerRetentionHold(retention, outcome);
  registerRetentionPolicy(retention, outcome);
}
