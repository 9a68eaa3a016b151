import type pg from 'pg';
import { ExitCode, RasdbError, usageError } from '../errors.js';
import { actor } from '../migrate/ledger.js';
import { assertRetentionTables } from './run-context.js';
import { POLICIES, loadPolicies, selectPolicies, type EffectivePolicy } from './policies.js';
import { finishRun, startRun } from './runs.js';
import { resolveAsOf } from './time.js';

export interface PolicyChange {
  policy: string;
  /** PostgreSQL intervals, from parseKeep; omitted: unchanged. */
  keepDetail?: string;
  keepSummary?: string;
  reason: string;
  /** The loud override: accept keeping rows less than a compliance minimum (7 years for security events). */
  belowComplianceMinimum?: boolean;
}

/**
 * Changes a policy and records the change, with who, why, and the values before and after, as
 * a run of kind `policy` in the retention history. Refuses (exit 4) to go below a compliance
 * minimum unless `belowComplianceMinimum` is set.
 *
 * @example
 * await setPolicy(client, { policy: 'api_call_logs', keepDetail: '120 days', reason: 'ticket OPS-12' });
 */
export async function setPolicy(client: pg.Client, change: PolicyChange): Promise<{ before: EffectivePolicy; after: EffectivePolicy; runId: number }> {
  await assertRetentionTables(client);
  const [name] = selectPolicies([change.policy]);
  const definition = POLICIES.find((p) => p.name === name)!;
  if (!change.reason.trim()) throw usageError('a policy change needs a --reason');
  if (change.keepDetail === undefined && change.keepSummary === undefined) throw usageError('give --keep-detail and/or --keep-summary');
  if (change.keepSummary !== undefined && definition.keepSummary === null) throw usageError(`${name} has no summary; --keep-summary does not apply`);
  const asOf = await resolveAsOf(client);
  const [before] = await loadPolicies(client, asOf, [name]);
  const keepDetail = change.keepDetail ?? before.keepDetail;
  if (definition.minimumKeepDetail) {
    const { rows } = await client.query(`SELECT ($1::timestamp - $2::interval) > ($1::timestamp - $3::interval) AS below`, [asOf, keepDetail, definition.minimumKeepDetail]);
    if (rows[0].below && !change.belowComplianceMinimum) {
      throw new RasdbError(
        ExitCode.check,
        `refusing to keep ${name} for ${keepDetail}: the compliance minimum is ${definition.minimumKeepDetail}. If this is really wanted, pass --violate-7-year-security-retention`,
      );
    }
  }
  await client.query('BEGIN');
  try {
    await client.query(
      `INSERT INTO rasdb.retention_policies (policy, keep_detail, keep_summary, below_compliance_minimum, changed_by, reason)
       VALUES ($1, $2::interval, $3::interval, $4, current_user || ' (' || $5 || ')', $6)
       ON CONFLICT (policy) DO UPDATE SET keep_detail = excluded.keep_detail, keep_summary = excluded.keep_summary,
         below_compliance_minimum = excluded.below_compliance_minimum, changed_at = now(), changed_by = excluded.changed_by, reason = excluded.reason`,
      [name, keepDetail, change.keepSummary ?? before.keepSummary, Boolean(change.belowComplianceMinimum), actor(), change.reason.trim()],
    );
    const [after] = await loadPolicies(client, asOf, [name]);
    const runId = await startRun(client, 'policy', [name], asOf, { reason: change.reason.trim(), before: pick(before), after: pick(after) });
    await finishRun(client, runId, 'succeeded', `policy ${name} changed: ${describe(before)} -> ${describe(after)}`);
    await client.query('COMMIT');
    return { before, after, runId };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

const pick = (p: EffectivePolicy) => ({ keepDetail: p.keepDetail, keepSummary: p.keepSummary, belowComplianceMinimum: p.belowComplianceMinimum });
const describe = (p: EffectivePolicy) => `detail ${p.keepDetail}${p.keepSummary ? `, summary ${p.keepSummary}` : ''}`;
