import type { Kysely } from 'kysely';
import type { DB } from '../../../generated/db.js';
import { ExitCode, RasdbError } from '../../errors.js';
import { mapRecord, readMappings, type FieldMapping } from '../field-mapping.js';
import { readReferenceCsv, readReferenceJson } from '../reference-files.js';
import { mappingTargetProblems } from '../verify-mappings.js';
import { demoUuid, insertRows, shiftDay } from './insert-rows.js';

export interface DemoParameters {
  seed: number;
  scale: number;
  asOf: string;
}

export interface LoadCount {
  table: string;
  rows: number;
  failed: number;
}

const ASSETS_FILE = 'tenable/assets-export.json';
const FINDINGS_FILE = 'tenable/vulns-export.json';

/**
 * Loads the real Tenable sample export (seeds/reference/tenable) through the Tenable field mappings
 * the database holds: the assets export into ingestion_assets, the findings into
 * ingestion_vulnerabilities, and each plugin (its first finding) into vulnerability_intelligence,
 * whose threat_intelligence also gets the CISA KEV entries of the plugin's CVEs. One
 * ingestion_batches row per export records how many records mapped and how many were rejected.
 *
 * @example
 * await loadTenable(db, { seed: 1, scale: 1, asOf: '2026-11-29' }) // [{ table: 'ingestion_assets', rows: 100, failed: 0 }, ...]
 */
export async function loadTenable(db: Kysely<DB>, params: DemoParameters): Promise<LoadCount[]> {
  const mappings = {
    asset: await readMappings(db, 'tenable', 'asset'),
    vulnerability: await readMappings(db, 'tenable', 'vulnerability'),
    plugin: await readMappings(db, 'tenable', 'plugin'),
  };
  const empty = Object.entries(mappings)
    .filter(([, list]) => list.length === 0)
    .map(([entity]) => entity);
  if (empty.length)
    throw new RasdbError(
      ExitCode.check,
      `the database has no Tenable field mappings for ${empty.join(', ')}; run \`rasdb seed --only integrations\` first`,
    );
  await assertTargets(db, 'tenable', mappings.asset, 'ingestion_assets');
  await assertTargets(db, 'tenable', mappings.vulnerability, 'ingestion_vulnerabilities');
  await assertTargets(db, 'tenable', mappings.plugin, 'vulnerability_intelligence');
  const stamp = shiftDay(params.asOf, 0);
  const assets = await loadExport(db, params, 'assets', ASSETS_FILE, mappings.asset, 'ingestion_assets', stamp);
  const findings = await loadExport(
    db,
    params,
    'vulnerabilities',
    FINDINGS_FILE,
    mappings.vulnerability,
    'ingestion_vulnerabilities',
    stamp,
  );
  const plugins = await loadPlugins(db, mappings.plugin, stamp);
  return [assets, findings, plugins];
}

async function loadExport(
  db: Kysely<DB>,
  params: DemoParameters,
  batchType: 'assets' | 'vulnerabilities',
  file: string,
  mappings: readonly FieldMapping[],
  table: 'ingestion_assets' | 'ingestion_vulnerabilities',
  stamp: string,
): Promise<LoadCount> {
  const records = readReferenceJson<unknown[]>(file);
  const batchId = demoUuid('batch', params.seed, batchType);
  const mapped = records.map((record) => mapRecord(record, mappings));
  const good = mapped.filter((m) => m.errors.length === 0);
  const rows = good.map((m) => ({
    ...m.rows[table],
    ingestion_source: 'tenable',
    ingestion_batch_id: batchId,
    created_at: stamp,
    updated_at: stamp,
  }));
  await insertRows(db, 'ingestion_batches', [
    {
      batch_id: batchId,
      source_system: 'tenable',
      batch_type: batchType,
      file_name: `seeds/reference/${file}`,
      total_records: records.length,
      successful_records: good.length,
      failed_records: records.length - good.length,
      status: 'completed',
      started_at: stamp,
      completed_at: stamp,
      created_at: stamp,
      error_details:
        mapped
          .flatMap((m) => m.errors)
          .slice(0, 20)
          .join('\n') || null,
      metadata: {
        demo: true,
        seed: params.seed,
        scale: params.scale,
        as_of: params.asOf,
        source: 'Tenable demo lab, 2018, via pyTenable test recordings',
      },
    },
  ]);
  return { table, rows: await insertRows(db, table, rows), failed: records.length - good.length };
}

/** One vulnerability_intelligence row per plugin, from its first finding in the export, with CISA KEV facts added. */
async function loadPlugins(db: Kysely<DB>, mappings: readonly FieldMapping[], stamp: string): Promise<LoadCount> {
  const kev = new Map(readReferenceCsv('cisa-kev.csv').map((entry) => [entry.cve, entry]));
  const seen = new Set<string>();
  const rows: Record<string, unknown>[] = [];
  let failed = 0;
  for (const record of readReferenceJson<{ plugin: { id: number } }[]>(FINDINGS_FILE)) {
    if (seen.has(String(record.plugin.id))) continue;
    seen.add(String(record.plugin.id));
    const mapped = mapRecord(record, mappings);
    if (mapped.errors.length) {
      failed++;
      continue;
    }
    const row = mapped.rows.vulnerability_intelligence;
    const cves = (row.cve_ids as string[] | null) ?? [];
    const listed = [...cves].sort().flatMap((cve) => {
      const entry = kev.get(cve);
      return entry
        ? [{ cve, date_added: entry.date_added, due_date: entry.due_date, known_ransomware: entry.known_ransomware }]
        : [];
    });
    if (listed.length) row.threat_intelligence = { ...(row.threat_intelligence as object | null), cisa_kev: listed };
    rows.push({ ...row, created_at: stamp, updated_at: stamp });
  }
  return {
    table: 'vulnerability_intelligence',
    rows: await insertRows(db, 'vulnerability_intelligence', rows),
    failed,
  };
}

/**
 * The mappings come from the database, where an operator may have edited them: each must write
 * into the entity's own table and name a column it has, or the load stops before reading a record.
 */
export async function assertTargets(
  db: Kysely<DB>,
  system: string,
  mappings: readonly FieldMapping[],
  table: string,
): Promise<void> {
  const problems = await mappingTargetProblems(
    db,
    mappings.map((m) => ({ name: m.external_field_name, internal: m.internal_field_name })),
    table,
  );
  if (problems.length) {
    throw new RasdbError(
      ExitCode.check,
      `the ${system} field mappings into ${table} cannot be used: ${problems.join('; ')}; fix them, or delete them and run \`rasdb seed --only integrations\``,
    );
  }
}
