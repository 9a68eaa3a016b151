import type pg from 'pg';
import type { DB } from '../../generated/db.js';
import { ExitCode, RasdbError, option, usageError } from '../errors.js';
import { utcText } from '../db/time-text.js';
import { readPolicyOverrides, type PolicyOverride } from '../ledger/retention-policies.js';

/** A detail table with a retention policy; the policy is named after its table. */
export type PolicyName =
  'api_call_logs' | 'performance_metrics' | 'security_events_extended' | 'integration_operations';

/** A column of a generated table: a renamed column breaks the build here, not a cron job at 3 am. */
type ColumnOf<T extends keyof DB> = keyof DB[T] & string;

export interface PolicyDefinition {
  readonly name: PolicyName;
  readonly table: PolicyName;
  readonly timeColumn: string;
  /** The design document's defaults, as PostgreSQL intervals. */
  readonly keepDetail: string;
  readonly keepSummary: string | null;
  /** Summary tables fed from the detail table (see summaries.ts). */
  readonly summaries: readonly string[];
  /** A floor the operator may only go below with an explicit override flag. */
  readonly minimumKeepDetail?: string;
}

function policy<T extends PolicyName>(
  table: T,
  timeColumn: ColumnOf<T>,
  rest: Omit<PolicyDefinition, 'name' | 'table' | 'timeColumn'>,
): PolicyDefinition {
  return { name: table, table, timeColumn, ...rest };
}

/**
 * The design document's "Retention Policies Recommended", in the order prune visits them:
 * rows that reference integration_operations go before it.
 */
export const POLICIES: readonly PolicyDefinition[] = [
  policy('api_call_logs', 'called_at', {
    keepDetail: '90 days',
    keepSummary: '1 year',
    summaries: ['api_call_daily_summary'],
  }),
  policy('performance_metrics', 'recorded_at', {
    keepDetail: '30 days',
    keepSummary: '2 years',
    summaries: ['performance_metrics_hourly', 'performance_metrics_daily'],
  }),
  policy('security_events_extended', 'occurred_at', {
    keepDetail: '7 years',
    keepSummary: null,
    summaries: [],
    minimumKeepDetail: '7 years',
  }),
  policy('integration_operations', 'started_at', {
    keepDetail: '1 year',
    keepSummary: '3 years',
    summaries: ['integration_operations_monthly_summary'],
  }),
];

/** A policy as it applies to one run: the definition, any recorded change, and its cutoffs. */
export interface EffectivePolicy extends PolicyDefinition {
  readonly keepDetail: string;
  readonly keepSummary: string | null;
  /** True when `rasdb retention policy set` changed it from the document's default. */
  readonly changed: boolean;
  readonly belowComplianceMinimum: boolean;
  /** `asOf - keepDetail`: detail rows older than this are past their horizon (a reading of the data's zone). */
  readonly detailCutoff: string;
  readonly summaryCutoff: string | null;
}

/**
 * Turns `90d`, `12w`, `18mo`, `1y` (or `90 days`, `1 year`) into a PostgreSQL interval.
 *
 * @example
 * parseKeep('--keep-detail', '18mo') // '18 months'
 */
export function parseKeep(flag: string, value: string): string {
  const match = /^(\d+)\s*(d|days?|w|weeks?|mo|months?|y|years?)$/i.exec(value.trim());
  if (!match || Number(match[1]) === 0)
    throw usageError(
      `${flag} must be a whole number of days, weeks, months or years (90d, 12w, 18mo, 1y), got "${value}"`,
    );
  const unit = match[2].toLowerCase();
  const name = unit.startsWith('mo')
    ? 'months'
    : unit.startsWith('d')
      ? 'days'
      : unit.startsWith('w')
        ? 'weeks'
        : 'years';
  return `${Number(match[1])} ${name}`;
}

/**
 * Validates `--policy` values (repeatable or comma-separated); all policies when none is given.
 *
 * @example
 * selectPolicies(['security_events_extended,api_call_logs']) // ['api_call_logs', 'security_events_extended']
 */
export function selectPolicies(names: readonly string[] | undefined): PolicyName[] {
  const wanted = (names ?? [])
    .flatMap((n) => n.split(','))
    .map((n) => n.trim())
    .filter(Boolean);
  const known = POLICIES.map((p) => p.name);
  // `--policy ','` or `--policy "$EMPTY"` names nothing: a mistake, never "every policy".
  if (names?.length && !wanted.length) {
    throw usageError(`${option('policies')} names no policy; the policies are ${known.join(', ')}`);
  }
  const unknown = wanted.filter((n) => !known.includes(n as PolicyName));
  if (unknown.length) throw usageError(`unknown policy ${unknown.join(', ')}; the policies are ${known.join(', ')}`);
  return wanted.length ? known.filter((n) => wanted.includes(n)) : known;
}

/**
 * The one policy a change names, exactly as written.
 *
 * @example
 * policyNamed('api_call_logs') // 'api_call_logs'
 */
export function policyNamed(name: string): PolicyName {
  const known = POLICIES.map((p) => p.name);
  if (!known.includes(name as PolicyName)) {
    throw usageError(`unknown policy "${name}"; the policies are ${known.join(', ')}`);
  }
  return name as PolicyName;
}

/** A policy's definition overlaid with its recorded change, if any, before its cutoffs are computed. */
export interface PolicyInForce {
  readonly definition: PolicyDefinition;
  readonly row: PolicyOverride | undefined;
  readonly keepDetail: string;
  readonly keepSummary: string | null;
}

/**
 * The defaults of the `names` policies overlaid with the changes recorded (see readPolicyOverrides).
 *
 * @example
 * keepsInForce(new Map(), ['api_call_logs'])[0].keepDetail // '90 days'
 */
export function keepsInForce(
  stored: ReadonlyMap<string, PolicyOverride>,
  names: readonly PolicyName[] = POLICIES.map((p) => p.name),
): PolicyInForce[] {
  return POLICIES.filter((p) => names.includes(p.name)).map((definition) => {
    const row = stored.get(definition.name);
    const keepDetail = row?.keepDetail ?? definition.keepDetail;
    const keepSummary = definition.keepSummary === null ? null : (row?.keepSummary ?? definition.keepSummary);
    return { definition, row, keepDetail, keepSummary };
  });
}

/**
 * The policies in force at `asOf` (a reading of the data's clock, see resolveAsOf): defaults overlaid with changes recorded in
 * rasdb.retention_policies, with their cutoffs computed by PostgreSQL's calendar arithmetic.
 * Refuses (exit 4) a stored policy that keeps security events less than 7 years without the
 * recorded override.
 *
 * @example
 * const [api] = await loadPolicies(client, '2026-01-01 00:00:00', ['api_call_logs']);
 * api.detailCutoff // '2025-10-03 00:00:00'
 */
export async function loadPolicies(
  client: pg.Client,
  asOf: string,
  names: readonly PolicyName[] = POLICIES.map((p) => p.name),
  options: { enforceMinimum?: boolean; overrides?: ReadonlyMap<string, PolicyOverride> } = {},
): Promise<EffectivePolicy[]> {
  // Changes the caller read already (in a batch of its reads) are not read again.
  const chosen = keepsInForce(options.overrides ?? (await readPolicyOverrides(client)), names);
  // Every policy's cutoffs in one round trip, in the order of the arrays.
  const { rows: cuts } = await client.query<{ detail: string; summary: string | null; below_minimum: boolean }>(
    `SELECT ${utcText('$1::timestamp - p.detail')} AS detail, ${utcText('$1::timestamp - p.summary')} AS summary,
            ($1::timestamp - p.detail) > ($1::timestamp - p.minimum) AS below_minimum
       FROM unnest($2::interval[], $3::interval[], $4::interval[]) WITH ORDINALITY AS p(detail, summary, minimum, ord)
      ORDER BY p.ord`,
    [
      asOf,
      chosen.map((c) => c.keepDetail),
      chosen.map((c) => c.keepSummary),
      chosen.map((c) => c.definition.minimumKeepDetail ?? c.keepDetail),
    ],
  );
  const result: EffectivePolicy[] = [];
  for (const [i, { definition, row, keepDetail, keepSummary }] of chosen.entries()) {
    const cut = cuts[i];
    const belowMinimum = Boolean(cut.below_minimum);
    if (belowMinimum && !row?.belowComplianceMinimum && options.enforceMinimum !== false) {
      throw new RasdbError(
        ExitCode.check,
        `the ${definition.name} policy keeps rows ${keepDetail}, less than the ${definition.minimumKeepDetail} compliance minimum, without the recorded override; fix it with rasdb retention policy set`,
      );
    }
    result.push({
      ...definition,
      keepDetail,
      keepSummary,
      changed: Boolean(row),
      belowComplianceMinimum: belowMinimum,
      detailCutoff: cut.detail,
      summaryCutoff: keepSummary === null ? null : cut.summary,
    });
  }
  return result;
}
