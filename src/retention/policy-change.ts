import type pg from 'pg';
import { ExitCode, option, RasdbError, usageError } from '../errors.js';
import { withTransaction } from '../db/transaction.js';
import { savePolicyOverride } from '../ledger/retention-policies.js';
import { assertRetentionTables } from './run-context.js';
import { POLICIES, loadPolicies, policyNamed, type EffectivePolicy } from './policies.js';
import { finishRun, startRun } from '../ledger/retention-runs.js';
import { resolveAsOf } from './time.js';
import { resolveDataZone } from './time-zone.js';

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
export async function setPolicy(
  client: pg.Client,
  change: PolicyChange,
): Promise<{ before: EffectivePolicy; after: EffectivePolicy; runId: number }> {
  const name = policyNamed(change.policy);
  const definition = POLICIES.find((p) => p.name === name)!;
  if (!change.reason.trim()) throw usageError(`a policy change needs a ${option('reason')}`);
  await assertRetentionTables(client);
  if (change.keepDetail === undefined && change.keepSummary === undefined)
    throw usageError(`give ${option('keepDetail')} and/or ${option('keepSummary')}`);
  if (change.keepSummary !== undefined && definition.keepSummary === null)
    throw usageError(`${name} has no summary; ${option('keepSummary')} does not apply`);
  const asOf = await resolveAsOf(client, (await resolveDataZone(client, { allowChange: true })).timeZone);
  const [before] = await loadPolicies(client, asOf, [name]);
  const keepDetail = change.keepDetail ?? before.keepDetail;
  if (definition.minimumKeepDetail) {
    const { rows } = await client.query(
      `SELECT ($1::timestamp - $2::interval) > ($1::timestamp - $3::interval) AS below`,
      [asOf, keepDetail, definition.minimumKeepDetail],
    );
    if (rows[0].below && !change.belowComplianceMinimum) {
      throw new RasdbError(
        ExitCode.check,
        `refusing to keep ${name} for ${keepDetail}: the compliance minimum is ${definition.minimumKeepDetail}. If this is really wanted, pass ${option('belowComplianceMinimum')}`,
      );
    }
  }
  return withTransaction(client, async () => {
    const override = {
      policy: name,
      keepDetail,
      keepSummary: change.keepSummary ?? before.keepSummary,
      belowComplianceMinimum: Boolean(change.belowComplianceMinimum),
    };
    await savePolicyOverride(client, override, change.reason.trim());
    const [after] = await loadPolicies(client, asOf, [name]);
    const runId = await startRun(client, 'policy', [name], asOf, {
      reason: change.reason.trim(),
      before: pick(before),
      after: pick(after),
    });
    await finishRun(client, runId, 'succeeded', `policy ${name} changed: ${describe(before)} -> ${describe(after)}`);
    return { before, after, runId };
  });
}

const pick = (p: EffectivePolicy) => ({
  keepDetail: p.keepDetail,
  keepSummary: p.keepSummary,
  belowComplianceMinimum: p.belowComplianceMinimum,
});
const describe = (p: EffectivePolicy) => `detail ${p.keepDetail}${p.keepSummary ? `, summary ${p.keepSummary}` : ''}`;
