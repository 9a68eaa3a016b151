import { sql, type Kysely } from 'kysely';
import type { DB } from '../../../generated/db.js';
import { mapRecord, readMappings } from '../field-mapping.js';
import { demoUuid, insertRows, prng, shiftDay } from './insert-rows.js';
import { assertTargets, type DemoParameters, type LoadCount } from './tenable-load.js';

/** Controls of the NIST Moderate baseline that vulnerability findings are usually raised against. */
const CONTROLS = ['RA-5', 'SI-2', 'CM-6', 'CM-7', 'CM-8', 'SI-3', 'SC-8', 'AC-17', 'IA-5', 'AU-6'];
const POAM_COUNT = 40;
const RATING: Record<number, string> = { 4: 'High', 3: 'High', 2: 'Moderate', 1: 'Low' };

interface Finding {
  plugin_id: number;
  plugin_name: string;
  severity: number;
  solution: string | null;
  first_found: string;
  hostname: string;
}

/**
 * Demo POA&Ms, raised against the real open findings of the Tenable sample: each is written as a
 * row of the FedRAMP POA&M template (the columns Xacta exchanges) and loaded through the Xacta
 * `poam` field mappings, so those mappings are exercised too. What the template has no column for
 * (the item's status, completion and risk-acceptance dates) is set beside the mapping.
 *
 * @example
 * await loadPoams(db, { seed: 1, scale: 1, asOf: '2026-11-29' }, ['Jordan Lee']) // { table: 'poams_extended', rows: 40, failed: 0 }
 */
export async function loadPoams(db: Kysely<DB>, params: DemoParameters, owners: readonly string[]): Promise<LoadCount> {
  const mappings = await readMappings(db, 'xacta', 'poam');
  await assertTargets(db, 'xacta', mappings, 'poams_extended');
  const { rows: findings } = await sql<Finding>`
    SELECT v.plugin_id, v.plugin_name, v.severity, v.solution, to_char(v.first_found, 'YYYY-MM-DD') AS first_found, a.hostname
      FROM ingestion_vulnerabilities v JOIN ingestion_assets a ON a.asset_uuid = v.asset_uuid
     WHERE v.state = 'Open' AND v.severity >= 2 ORDER BY v.id`.execute(db);
  const controls = await db
    .selectFrom('controls_extended')
    .select(['id', 'control_id'])
    .where('framework', '=', 'nist_800_53')
    .execute();
  const controlIds = new Map(controls.map((c) => [`nist_800_53/${c.control_id}`, c.id]));
  const random = prng(params.seed, 'poams');
  const rows: Record<string, unknown>[] = [];
  let failed = 0;
  for (let i = 1; i <= Math.min(POAM_COUNT, findings.length * 4); i++) {
    const finding = findings[Math.floor(random() * findings.length)];
    const createdDaysAgo = 10 + Math.floor(random() * 200);
    const dueInDays = -createdDaysAgo + 30 + Math.floor(random() * 180);
    const original = RATING[finding.severity];
    const downgraded = random() < 0.15;
    const adjusted = downgraded ? (original === 'High' ? 'Moderate' : 'Low') : original;
    const record: Record<string, string> = {
      'POAM ID': `DEMO-POAM-${String(i).padStart(4, '0')}`,
      Controls: CONTROLS[Math.floor(random() * CONTROLS.length)],
      'Weakness Name': finding.plugin_name,
      'Weakness Description': `Tenable plugin ${finding.plugin_id} (${finding.plugin_name}) found on ${finding.hostname}, first seen ${finding.first_found}.`,
      'Asset Identifier': finding.hostname,
      'Point of Contact': owners[Math.floor(random() * owners.length)],
      'Resources Required': random() < 0.5 ? 'None beyond current staff' : 'Maintenance window; vendor support hours',
      'Overall Remediation Plan': finding.solution ?? 'Apply the vendor fix.',
      'Scheduled Completion Date': shiftDay(params.asOf, dueInDays).slice(0, 10),
      'Planned Milestones': `(1) Test the fix in staging - ${shiftDay(params.asOf, dueInDays - 14).slice(0, 10)}\n(2) Deploy to production - ${shiftDay(params.asOf, dueInDays).slice(0, 10)}`,
      'Original Risk Rating': original,
      'Adjusted Risk Rating': adjusted,
      'Deviation Rationale': downgraded
        ? 'Compensating control: the service is reachable from the management network only.'
        : '',
    };
    const mapped = mapRecord(record, mappings, { controlIds });
    if (mapped.errors.length) {
      failed++;
      continue;
    }
    const roll = random();
    const status = roll < 0.45 ? 'open' : roll < 0.75 ? 'in_progress' : roll < 0.9 ? 'completed' : 'closed';
    const finished = status === 'completed' || status === 'closed';
    const createdAt = shiftDay(params.asOf, -createdDaysAgo);
    rows.push({
      ...mapped.rows.poams_extended,
      status,
      actual_completion_date: finished
        ? shiftDay(params.asOf, -Math.floor(random() * Math.min(createdDaysAgo, 30))).slice(0, 10)
        : null,
      risk_acceptance_date: downgraded ? shiftDay(params.asOf, -createdDaysAgo + 7).slice(0, 10) : null,
      external_poam_id: demoUuid('xacta-poam', params.seed, i),
      created_at: createdAt,
      updated_at: createdAt,
    });
  }
  return { table: 'poams_extended', rows: await insertRows(db, 'poams_extended', rows), failed };
}
