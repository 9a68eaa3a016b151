import type { Command } from 'commander';
import { ExitCode, usageError } from '../../errors.js';
import { listHolds, type Hold } from '../../ledger/retention-holds.js';
import { addHold, releaseHold } from '../../retention/holds.js';
import { parseKeep } from '../../retention/policies.js';
import { setPolicy } from '../../retention/policy-change.js';
import { prune } from '../../retention/prune.js';
import type { RunSettings } from '../../retention/run-context.js';
import { retentionStatus } from '../../retention/status.js';
import { summarize } from '../../retention/summarize.js';
import { parseCount, parseDuration } from '../duration.js';
import { formatMs, type Output } from '../output.js';
import { withSession } from '../session-command.js';
import { progressLine } from './retention-progress.js';

const n = (value: number): string => value.toLocaleString('en-US');
const heldText = (held: Record<string, number>): string =>
  Object.keys(held).length ? `; held back ${Object.entries(held).map(([why, count]) => `${n(count)} (${why.replace(/_/g, ' ')})`).join(', ')}` : '';

function runSettings(options: Record<string, unknown>): RunSettings {
  return {
    now: options.now as string | undefined,
    dryRun: Boolean(options.dryRun),
    maxRuntimeMs: options.maxRuntime === undefined ? undefined : parseDuration('--max-runtime', String(options.maxRuntime), { minMs: 1, maxMs: 7 * 86_400_000 }),
    lockWaitMs: parseDuration('--lock-wait', String(options.lockWait), { maxMs: 86_400_000 }),
    lockTimeoutMs: parseDuration('--lock-timeout', String(options.lockTimeout), { minMs: 1, maxMs: 3_600_000 }),
    statementTimeoutMs: parseDuration('--statement-timeout', String(options.statementTimeout), { minMs: 1, maxMs: 86_400_000 }),
  };
}

/** A run that stopped at --max-runtime exits 6: the scheduler's cue that the next run continues. */
function finalCode(out: Output, stoppedEarly: boolean, what: string): number {
  if (!stoppedEarly) return ExitCode.ok;
  out.error(`rasdb: stopped at --max-runtime with ${what} left; the next run continues (exit 6)`);
  return ExitCode.timeLimit;
}

export async function summarizeAction(command: Command): Promise<number> {
  const options = command.opts();
  const settings = runSettings(options);
  const maxBucketsPerTransaction =
    options.bucketsPerTransaction === undefined ? undefined : parseCount('--buckets-per-transaction', String(options.bucketsPerTransaction), 1, 10_000);
  return withSession(command, async ({ session, out, flags }) => {
    const progress = progressLine(flags);
    const result = await summarize(session.client, { ...settings, policies: options.policy, maxBucketsPerTransaction, onProgress: progress?.update });
    progress?.done();
    out.json({ ok: true, database: session.label, ...result });
    out.line(`${result.dryRun ? 'Dry run, nothing changed: would summarize' : 'Summarized'} ${session.label} as of ${result.asOf} UTC`);
    for (const s of result.summaries) {
      const late = s.lateBucketsRecomputed ? `; ${s.lateBucketsRecomputed} buckets with late rows recomputed` : '';
      const merged = s.lateRowsMerged ? `; ${n(s.lateRowsMerged)} late rows folded into pruned buckets` : '';
      const lost = s.lateRowsAfterPrune ? `; ${n(s.lateRowsAfterPrune)} late rows in buckets pruned before rasdb recorded prunes (not summarized)` : '';
      out.line(`  ${s.summary.padEnd(40)} ${s.watermarkBefore ?? 'start'} -> ${s.watermarkAfter ?? 'start'}: ${n(s.bucketsSummarized)} buckets, ${n(s.rowsSummarized)} rows${late}${merged}${lost}`);
    }
    out.always(`${result.dryRun ? 'Would summarize' : 'Summarized'} ${n(result.totals.rowsSummarized)} rows in ${n(result.totals.bucketsSummarized)} buckets${result.runId ? ` (run ${result.runId})` : ''}.`);
    return finalCode(out, result.stoppedEarly, 'buckets');
  });
}

export async function pruneAction(command: Command): Promise<number> {
  const options = command.opts();
  const settings = runSettings(options);
  const batchSize = parseCount('--batch-size', String(options.batchSize), 1, 1_000_000);
  const batchTargetMs = parseDuration('--batch-time', String(options.batchTime), { minMs: 1, maxMs: 60_000 });
  return withSession(command, async ({ session, out, flags }) => {
    const progress = progressLine(flags);
    const result = await prune(session.client, { ...settings, policies: options.policy, batchSize, batchTargetMs, onProgress: progress?.update });
    progress?.done();
    out.json({ ok: true, database: session.label, ...result });
    out.line(`${result.dryRun ? 'Dry run, nothing changed: would prune' : 'Pruned'} ${session.label} as of ${result.asOf} UTC`);
    for (const t of result.tables) {
      const cut = t.effectiveCutoff === null ? 'nothing summarized yet' : `before ${t.effectiveCutoff}${t.effectiveCutoff !== t.cutoff ? ` (horizon ${t.cutoff})` : ''}`;
      const did = result.dryRun
        ? `would delete ${n(t.eligible ?? 0)} rows in ~${n(t.estimatedBatches ?? 0)} batches`
        : `deleted ${n(t.deleted)} rows in ${n(t.batches)} batches${t.batches ? ` (slowest ${formatMs(t.slowestBatchMs)})` : ''}`;
      out.line(`  ${t.table.padEnd(40)} ${cut}: ${did}${heldText(t.heldBack)}`);
    }
    const verb = result.dryRun ? 'Would delete' : 'Deleted';
    out.always(`${verb} ${n(result.dryRun ? result.tables.reduce((s, t) => s + (t.eligible ?? 0), 0) : result.totals.deleted)} rows; held back ${n(result.totals.heldBack)}${result.runId ? ` (run ${result.runId})` : ''}.`);
    return finalCode(out, result.stoppedEarly, 'rows');
  });
}

export async function status(command: Command): Promise<number> {
  const options = command.opts();
  const runs = parseCount('--runs', String(options.runs), 1, 1000);
  return withSession(command, async ({ session, out }) => {
    const report = await retentionStatus(session.client, { runs, now: options.now });
    out.json({ ok: true, database: session.label, ...report });
    out.line(`Retention on ${session.label}, as of ${report.asOf} UTC`);
    for (const p of report.policies) {
      const loud = p.belowComplianceMinimum ? ` !! BELOW THE ${p.minimumKeepDetail?.toUpperCase()} COMPLIANCE MINIMUM (override recorded)` : '';
      out.line(`  ${p.name}: keep detail ${p.keepDetail}${p.keepSummary ? `, summaries ${p.keepSummary}` : ''}${p.changed ? ' (changed)' : ''}${loud}`);
      out.line(`    horizon ${p.detailCutoff}; pruned before ${p.prunedBefore ?? 'never pruned'}`);
      for (const w of p.watermarks) out.line(`    ${w.summary}: summarized until ${w.summarizedUntil ?? 'never summarized'}`);
    }
    out.line(`Active holds: ${report.holds.length || 'none'}`);
    for (const h of report.holds) out.line(`  ${describeHold(h)}`);
    out.line('Recent runs:');
    for (const r of report.runs) {
      const deleted = r.steps.reduce((s, x) => s + x.rowsDeleted, 0);
      const summarized = r.steps.reduce((s, x) => s + x.rowsSummarized, 0);
      const held = r.steps.reduce((s, x) => s + x.rowsHeldBack, 0);
      const work = r.kind === 'prune' ? `deleted ${n(deleted)}, held back ${n(held)}` : r.kind === 'summarize' ? `summarized ${n(summarized)} rows` : (r.message ?? '');
      out.line(`  #${r.id} ${r.kind.padEnd(9)} ${r.startedAt} ${r.outcome.padEnd(13)} [${r.policies.join(', ')}] ${work} by ${r.actor}`);
    }
    out.always(`${report.policies.length} policies, ${report.holds.length} active holds, ${report.runs.length} runs shown.`);
    return ExitCode.ok;
  });
}

function describeHold(h: Hold): string {
  const what = h.ids ? `ids ${h.ids.join(',')}` : `${h.from ?? 'the beginning'} to ${h.until ?? 'no end'}`;
  const released = h.releasedAt ? `; released ${h.releasedAt} by ${h.releasedBy}: ${h.releaseReason}` : '';
  return `hold ${h.id} on ${h.table}, ${what}: "${h.reason}", placed ${h.placedAt} by ${h.placedBy}${released}`;
}

export async function holdAdd(command: Command): Promise<number> {
  const o = command.opts();
  const ids = o.ids === undefined ? undefined : String(o.ids).split(',').map((id) => parseCount('--ids', id.trim(), 1, Number.MAX_SAFE_INTEGER));
  return withSession(command, async ({ session, out }) => {
    const hold = await addHold(session.client, { table: o.table, from: o.from, until: o.until, ids, reason: o.reason, by: o.by });
    out.json({ ok: true, hold });
    out.always(`Placed ${describeHold(hold)}.`);
    return ExitCode.ok;
  });
}

export async function holdList(command: Command): Promise<number> {
  return withSession(command, async ({ session, out }) => {
    const holds = await listHolds(session.client, { includeReleased: Boolean(command.opts().all) });
    out.json({ ok: true, holds });
    for (const h of holds) out.line(describeHold(h));
    out.always(`${holds.length} ${holds.length === 1 ? 'hold' : 'holds'}.`);
    return ExitCode.ok;
  });
}

export async function holdRelease(command: Command, [id]: string[]): Promise<number> {
  const o = command.opts();
  const holdId = parseCount('hold id', id, 1, 2_147_483_647);
  return withSession(command, async ({ session, out }) => {
    const hold = await releaseHold(session.client, holdId, { reason: o.reason, by: o.by });
    out.json({ ok: true, hold });
    out.always(`Released ${describeHold(hold)}.`);
    return ExitCode.ok;
  });
}

export async function policySet(command: Command, [policy]: string[]): Promise<number> {
  const o = command.opts();
  if (o.keepDetail === undefined && o.keepSummary === undefined) throw usageError('give --keep-detail and/or --keep-summary');
  const change = {
    policy,
    keepDetail: o.keepDetail === undefined ? undefined : parseKeep('--keep-detail', o.keepDetail),
    keepSummary: o.keepSummary === undefined ? undefined : parseKeep('--keep-summary', o.keepSummary),
    reason: o.reason,
    belowComplianceMinimum: Boolean(o.violate7YearSecurityRetention),
  };
  return withSession(command, async ({ session, out }) => {
    const result = await setPolicy(session.client, change);
    out.json({ ok: true, ...result });
    if (result.after.belowComplianceMinimum) out.error(`rasdb: WARNING: ${policy} now keeps rows less than the ${result.after.minimumKeepDetail} compliance minimum`);
    out.always(`Policy ${policy}: detail ${result.after.keepDetail}${result.after.keepSummary ? `, summaries ${result.after.keepSummary}` : ''} (recorded as run ${result.runId}).`);
    return ExitCode.ok;
  });
}

export { pruneAction as prune, summarizeAction as summarize };
