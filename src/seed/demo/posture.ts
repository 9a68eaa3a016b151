import { sql, type Kysely } from 'kysely';
import type { DB } from '../../../generated/db.js';
import { demoUuid, insertRows, shiftDay } from './insert-rows.js';
import type { RandomSql } from './random-sql.js';
import type { DemoParameters, LoadCount } from './tenable-load.js';

/** Demo people: username, display name, role. */
const PEOPLE = [
  ['demo.isso', 'Morgan Reyes', 'information_system_security_officer'],
  ['demo.ao', 'Dana Whitfield', 'authorizing_official'],
  ['demo.owner1', 'Jordan Lee', 'system_owner'],
  ['demo.owner2', 'Priya Natarajan', 'system_owner'],
  ['demo.analyst1', 'Sam Okafor', 'vulnerability_analyst'],
  ['demo.analyst2', 'Alex Kim', 'vulnerability_analyst'],
  ['demo.analyst3', 'Riley Moreau', 'vulnerability_analyst'],
  ['demo.engineer1', 'Casey Brandt', 'integration_engineer'],
  ['demo.engineer2', 'Taylor Ng', 'integration_engineer'],
  ['demo.exec', 'Jamie Castillo', 'executive'],
] as const;

/** Days to fix by severity (critical 15, high 30: CISA BOD 19-02; medium and low: common practice). */
const SLA_DAYS = `(ARRAY[180, 90, 30, 15])[v.severity]`;

/**
 * The demo's people: users `demo.*`, created 400 days before the anchor. Returns their ids and names.
 *
 * @example
 * const people = await loadUsers(db, params); people.ids.length // 10
 */
export async function loadUsers(
  db: Kysely<DB>,
  params: DemoParameters,
): Promise<{ ids: number[]; names: string[]; count: LoadCount }> {
  const stamp = shiftDay(params.asOf, -400);
  const rows = PEOPLE.map(([username, , role]) => ({
    username,
    email: `${username}@example.invalid`,
    role,
    is_active: true,
    created_at: stamp,
    updated_at: stamp,
  }));
  const inserted = await insertRows(db, 'users', rows);
  const found = await db
    .selectFrom('users')
    .select(['id', 'username'])
    .where(
      'username',
      'in',
      PEOPLE.map(([u]) => u),
    )
    .orderBy('id')
    .execute();
  const names = found.map((user) => PEOPLE.find(([u]) => u === user.username)?.[1] ?? user.username);
  return { ids: found.map((user) => user.id), names, count: { table: 'users', rows: inserted, failed: 0 } };
}

/**
 * Implementation and assessment status for every seeded control (about 72 % implemented), the
 * columns the controls seed leaves to operators. Keyed by framework and label, not by id.
 */
export async function setControlStatuses(db: Kysely<DB>, rand: RandomSql): Promise<LoadCount> {
  const key = `hashtextextended(c.framework || '/' || c.control_id, ${rand.seed})`;
  const u = (stream: number) =>
    `((hashint8extended(${key} # ${stream}, ${rand.seed}) & 2147483647)::float8 / 2147483648.0)`;
  const status = rand.weighted(
    [
      ['implemented', 72],
      ['partially_implemented', 14],
      ['planned', 9],
      ['not_implemented', 5],
    ],
    u(1),
  );
  const result = await sql`
    UPDATE controls_extended c SET
      implementation_status = ${sql.raw(status)},
      assessment_status = CASE WHEN ${sql.raw(u(2))} < 0.8 THEN 'satisfied' ELSE 'other_than_satisfied' END,
      automation_level = ${sql.raw(rand.pick(['manual', 'semi_automated', 'automated'], u(3)))},
      last_assessment_date = (${sql.raw(rand.anchor)} - make_interval(days => floor(${sql.raw(u(4))} * 540)::int))::date,
      next_assessment_date = (${sql.raw(rand.anchor)} - make_interval(days => floor(${sql.raw(u(4))} * 540)::int) + interval '365 days')::date,
      assessment_frequency_months = 12,
      updated_at = ${sql.raw(rand.anchor)}`.execute(db);
  return { table: 'controls_extended', rows: Number(result.numAffectedRows ?? 0), failed: 0 };
}

/**
 * Remediation records. The real open findings (low and above) get an open or in-progress item due
 * by the severity's SLA, some already past due. Remediation history comes from synthetic fixed
 * findings (`ingestion_source` 'demo'), copies of real findings of the sample on real assets, first
 * found over the last year and fixed after a log-normal time that grows with lower severity; each
 * has a validated, remediated item.
 */
export async function loadRemediation(
  db: Kysely<DB>,
  rand: RandomSql,
  params: DemoParameters,
  users: readonly number[],
): Promise<LoadCount[]> {
  const anchor = rand.anchor;
  const user = (stream: number, index: string) =>
    `(ARRAY[${users.join(', ')}]::int[])[1 + floor(${rand.u(index, stream)} * ${users.length})::int]`;
  const open = await sql`
    INSERT INTO vulnerability_remediation (vulnerability_id, asset_uuid, remediation_status, remediation_method, assigned_to, due_date, priority_score,
                                           remediation_plan, validation_required, created_at, updated_at)
    SELECT v.id, v.asset_uuid, CASE WHEN ${sql.raw(rand.u('v.id', 1))} < 0.6 THEN 'open' ELSE 'in_progress' END, 'patch', ${sql.raw(user(2, 'v.id'))},
           (${sql.raw(anchor)} - make_interval(days => floor(${sql.raw(rand.u('v.id', 3))} * 120)::int))::date + ${sql.raw(SLA_DAYS)},
           v.severity * 25, v.solution, true,
           ${sql.raw(anchor)} - make_interval(days => floor(${sql.raw(rand.u('v.id', 3))} * 120)::int), ${sql.raw(anchor)}
      FROM ingestion_vulnerabilities v WHERE v.state = 'Open' AND v.severity >= 1 ORDER BY v.id`.execute(db);
  const history = Math.round(1000 * params.scale);
  const batchId = demoUuid('batch', params.seed, 'history');
  const stamp = shiftDay(params.asOf, 0);
  await insertRows(db, 'ingestion_batches', [
    {
      batch_id: batchId,
      source_system: 'demo',
      batch_type: 'vulnerabilities',
      total_records: history,
      successful_records: history,
      status: 'completed',
      started_at: stamp,
      completed_at: stamp,
      created_at: stamp,
      metadata: { demo: true, synthetic: true, seed: params.seed, scale: params.scale, as_of: params.asOf },
    },
  ]);
  // Templates: the real findings of low severity and above, numbered 1..n; assets: the real assets.
  const fixed = await sql`
    WITH templates AS (SELECT row_number() OVER (ORDER BY id) AS n, * FROM ingestion_vulnerabilities WHERE severity >= 1 AND ingestion_source = 'tenable'),
         assets AS (SELECT row_number() OVER (ORDER BY id) AS n, asset_uuid FROM ingestion_assets),
         sizes AS (SELECT (SELECT count(*) FROM templates) AS templates, (SELECT count(*) FROM assets) AS assets),
         picks AS (
           SELECT g.i, 1 + floor(${sql.raw(rand.u('g.i', 1))} * s.templates)::int AS template, 1 + floor(${sql.raw(rand.u('g.i', 2))} * s.assets)::int AS asset,
                  ${sql.raw(anchor)} - make_interval(secs => (30 + ${sql.raw(rand.u('g.i', 3))} * 335) * 86400) AS found
             FROM generate_series(1, ${history}) AS g(i), sizes s)
    INSERT INTO ingestion_vulnerabilities (asset_uuid, plugin_id, plugin_name, plugin_family, severity, severity_name, cvss_base_score, cvss3_base_score,
                                           description, solution, risk_factor, first_found, last_found, state, ingestion_source, ingestion_batch_id,
                                           created_at, updated_at)
    SELECT a.asset_uuid, t.plugin_id, t.plugin_name, t.plugin_family, t.severity, t.severity_name, t.cvss_base_score, t.cvss3_base_score,
           t.description, t.solution, t.risk_factor, p.found,
           LEAST(p.found + make_interval(secs => ${sql.raw(rand.logNormal('p.i', 4, 1, 0.8))} * (ARRAY[60, 40, 20, 10])[t.severity] * 86400), ${sql.raw(anchor)} - interval '1 day'),
           'Fixed', 'demo', ${batchId}::uuid, p.found, ${sql.raw(anchor)}
      FROM picks p JOIN templates t ON t.n = p.template JOIN assets a ON a.n = p.asset ORDER BY p.i`.execute(db);
  const remediated = await sql`
    INSERT INTO vulnerability_remediation (vulnerability_id, asset_uuid, remediation_status, remediation_method, assigned_to, due_date, priority_score,
                                           validation_required, validation_status, validated_by, validated_at, created_at, updated_at)
    SELECT v.id, v.asset_uuid, 'remediated', 'patch', ${sql.raw(user(5, 'v.id'))}, v.first_found::date + ${sql.raw(SLA_DAYS)}, v.severity * 25,
           true, 'validated', ${sql.raw(user(6, 'v.id'))}, v.last_found + interval '1 hour', v.first_found + interval '1 hour', v.last_found + interval '1 hour'
      FROM ingestion_vulnerabilities v WHERE v.ingestion_batch_id = ${batchId}::uuid ORDER BY v.id`.execute(db);
  const count = (table: string, result: { numAffectedRows?: bigint }) => ({
    table,
    rows: Number(result.numAffectedRows ?? 0),
    failed: 0,
  });
  return [
    count('vulnerability_remediation', open),
    count('ingestion_vulnerabilities', fixed),
    count('vulnerability_remediation', remediated),
  ];
}
