import type pg from 'pg';
import { readingLedger } from './first-use.js';
import { actor } from './actor.js';

/** A policy change an operator recorded: it overrides the built-in default of that policy. */
export interface PolicyOverride {
  policy: string;
  /** PostgreSQL interval text, e.g. `90 days`. */
  keepDetail: string;
  keepSummary: string | null;
  belowComplianceMinimum: boolean;
}

/**
 * Every recorded policy change, by policy name.
 *
 * @example
 * (await readPolicyOverrides(client)).get('api_call_logs')?.keepDetail // '120 days'
 */
export async function readPolicyOverrides(client: pg.Client): Promise<Map<string, PolicyOverride>> {
  const rows = await readingLedger(client, () => client.query<PolicyOverrideRow>(POLICY_OVERRIDES_SQL));
  return policyOverridesFrom(rows);
}

/** The statement readPolicyOverrides runs (no parameters), for a caller that batches reads. */
export const POLICY_OVERRIDES_SQL = `SELECT policy, keep_detail::text, keep_summary::text, below_compliance_minimum FROM rasdb.retention_policies`;

export interface PolicyOverrideRow {
  policy: string;
  keep_detail: string;
  keep_summary: string | null;
  below_compliance_minimum: boolean;
}

/** The rows of POLICY_OVERRIDES_SQL by policy name. */
export function policyOverridesFrom(rows: readonly PolicyOverrideRow[]): Map<string, PolicyOverride> {
  return new Map(
    rows.map((r) => [
      r.policy,
      {
        policy: r.policy,
        keepDetail: r.keep_detail,
        keepSummary: r.keep_summary,
        belowComplianceMinimum: r.below_compliance_minimum,
      },
    ]),
  );
}

/**
 * Records a policy's new values with who and why; call it inside the transaction that also
 * records the change as a run.
 *
 * @example
 * await savePolicyOverride(client, { policy: 'api_call_logs', keepDetail: '120 days', keepSummary: '2 years', belowComplianceMinimum: false }, 'OPS-12');
 */
export async function savePolicyOverride(client: pg.Client, override: PolicyOverride, reason: string): Promise<void> {
  await client.query(
    `INSERT INTO rasdb.retention_policies (policy, keep_detail, keep_summary, below_compliance_minimum, changed_by, reason)
     VALUES ($1, $2::interval, $3::interval, $4, current_user || ' (' || $5 || ')', $6)
     ON CONFLICT (policy) DO UPDATE SET keep_detail = excluded.keep_detail, keep_summary = excluded.keep_summary,
       below_compliance_minimum = excluded.below_compliance_minimum, changed_at = now(), changed_by = excluded.changed_by, reason = excluded.reason`,
    [override.policy, override.keepDetail, override.keepSummary, override.belowComplianceMinimum, actor(), reason],
  );
}
