import { readFileSync } from 'node:fs';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoDigest } from '../src/seed/demo/digest.js';
import { METRIC_SHAPE } from '../src/seed/verify-queries.js';
import { runCli } from './support/cli.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

const REFERENCE = new URL('../seeds/reference/', import.meta.url);
const AS_OF = new Date().toISOString().slice(0, 10); // the metrics look back from now: anchor the history today
const SCALE = '0.2';

let demo: TestDatabase;
let twin: TestDatabase;
let empty: TestDatabase;
const cli = (args: string[], target: TestDatabase) =>
  runCli(args, { env: { DATABASE_URL: target.url }, timeoutMs: 120_000 });
const demoArgs = (seed: string) => ['seed', '--demo', '--scale', SCALE, '--seed', seed, '--as-of', AS_OF];

async function withClient<T>(target: TestDatabase, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await target.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  [demo, twin, empty] = await Promise.all([
    createTestDatabase('demo'),
    createTestDatabase('demo_twin'),
    createTestDatabase('demo_empty'),
  ]);
  for (const target of [demo, twin, empty]) expect((await cli(['migrate', '-q'], target)).code).toBe(0);
  const loaded = await cli(demoArgs('7'), demo);
  expect(loaded.code, loaded.stderr).toBe(0);
  expect(loaded.stdout).toMatch(/Loaded \d{1,3}(,\d{3})+ demo rows in .* at \d{1,3}(,\d{3})* rows\/s/);
  expect((await cli(demoArgs('7'), twin)).code).toBe(0);
  expect((await cli(['seed', '-q'], empty)).code).toBe(0);
}, 240_000);
afterAll(async () => {
  await Promise.all([demo.drop(), twin.drop(), empty.drop()]);
});

describe('rasdb seed --demo: real records through the seeded mappings', () => {
  it('loads the 100 assets and 344 findings of the Tenable sample, with none rejected', async () => {
    const batches = await demo.query(
      `SELECT batch_type, total_records, successful_records, failed_records FROM ingestion_batches WHERE source_system = 'tenable' ORDER BY id`,
    );
    expect(batches).toEqual([
      { batch_type: 'assets', total_records: 100, successful_records: 100, failed_records: 0 },
      { batch_type: 'vulnerabilities', total_records: 344, successful_records: 344, failed_records: 0 },
    ]);
    const [findings] = await demo.query(
      `SELECT count(*)::int AS n, count(DISTINCT asset_uuid)::int AS assets FROM ingestion_vulnerabilities WHERE ingestion_source = 'tenable'`,
    );
    expect(findings).toEqual({ n: 344, assets: 6 });
    expect((await demo.query(`SELECT count(*)::int AS n FROM vulnerability_intelligence`))[0].n).toBe(224);
  });

  it('turns severity text into the 0-4 integer, REOPENED into Open, and the CVSS 3 vector into its parts', async () => {
    const mismatched = await demo.query(`SELECT id FROM ingestion_vulnerabilities WHERE ingestion_source = 'tenable'
       AND (severity <> (raw_json->>'severity_id')::int OR severity_name <> raw_json->>'severity'
            OR state <> CASE raw_json->>'state' WHEN 'FIXED' THEN 'Fixed' ELSE 'Open' END)`);
    expect(mismatched).toEqual([]);
    const vectors =
      await demo.query(`SELECT DISTINCT ON (v.plugin_id) vi.attack_vector, vi.attack_complexity, vi.privileges_required, vi.user_interaction,
           vi.exploitability_score::float AS score, v.raw_json->'plugin'->'cvss3_vector'->>'raw' AS raw
      FROM vulnerability_intelligence vi JOIN ingestion_vulnerabilities v ON v.plugin_id::text = vi.plugin_id WHERE v.raw_json->'plugin' ? 'cvss3_vector'`);
    expect(vectors.length).toBeGreaterThan(20);
    const names: Record<string, Record<string, string>> = {
      AV: { N: 'network', A: 'adjacent', L: 'local', P: 'physical' },
      AC: { L: 'low', H: 'high' },
      PR: { N: 'none', L: 'low', H: 'high' },
      UI: { N: 'none', R: 'required' },
    };
    for (const row of vectors) {
      const parts = Object.fromEntries(row.raw.split('/').map((part: string) => part.split(':')));
      expect([row.attack_vector, row.attack_complexity, row.privileges_required, row.user_interaction]).toEqual([
        names.AV[parts.AV],
        names.AC[parts.AC],
        names.PR[parts.PR],
        names.UI[parts.UI],
      ]);
      if (row.raw === 'AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H') expect(row.score).toBe(3.9);
    }
  });

  it('loads demo POA&Ms through the Xacta POA&M mappings, against NIST controls', async () => {
    const poams =
      await demo.query(`SELECT p.poam_id, c.framework, c.control_id, jsonb_array_length(p.milestone_schedule) AS milestones, p.affected_assets
      FROM poams_extended p JOIN controls_extended c ON c.id = p.control_id ORDER BY p.poam_id`);
    expect(poams.length).toBe(40);
    expect(poams[0]).toMatchObject({ poam_id: 'DEMO-POAM-0001', framework: 'nist_800_53', milestones: 2 });
    expect(poams.every((p) => p.affected_assets.length === 1)).toBe(true);
  });
});

describe('rasdb seed --demo: synthetic activity', () => {
  it('gives the same rows for the same --seed, and other rows for another', async () => {
    const [a, b] = await Promise.all([withClient(demo, demoDigest), withClient(twin, demoDigest)]);
    expect(a).toEqual(b);
    const other = await createTestDatabase('demo_other');
    try {
      expect((await cli(['migrate', '-q'], other)).code).toBe(0);
      expect((await cli(demoArgs('8'), other)).code).toBe(0);
      const c = await withClient(other, demoDigest);
      expect(c.api_call_logs).not.toBe(a.api_call_logs);
      // The real records do not depend on the seed (only their batch id does).
      const mapped = `SELECT md5(string_agg((asset_uuid, hostname, netbios_name, first_seen, last_seen, raw_json)::text, '' ORDER BY id)) AS d FROM ingestion_assets`;
      expect(await other.query(mapped)).toEqual(await demo.query(mapped));
    } finally {
      await other.drop();
    }
  });

  it('has the volume of the scale and rows older than every retention horizon', async () => {
    const [calls] = await demo.query(`SELECT count(*)::int AS n FROM api_call_logs`);
    expect(calls.n).toBeGreaterThan(50_000 * Number(SCALE) * 0.85);
    expect(calls.n).toBeLessThan(50_000 * Number(SCALE) * 1.15);
    const ages = await demo.query(`SELECT t, max(age)::int AS oldest_days FROM (
        SELECT 'api_call_logs' AS t, extract(day FROM now() - called_at) AS age FROM api_call_logs
        UNION ALL SELECT 'integration_operations', extract(day FROM now() - started_at) FROM integration_operations
        UNION ALL SELECT 'performance_metrics', extract(day FROM now() - recorded_at) FROM performance_metrics
        UNION ALL SELECT 'security_events_extended', extract(day FROM now() - occurred_at) FROM security_events_extended) x GROUP BY t`);
    for (const row of ages) expect(row.oldest_days, row.t).toBeGreaterThan(2555); // 7 years, the longest horizon
    const [recent] = await demo.query(
      `SELECT count(*)::int AS n FROM api_call_logs WHERE called_at > (now() AT TIME ZONE 'UTC') - interval '400 days'`,
    );
    expect(recent.n / calls.n).toBeGreaterThan(0.97);
  });

  it('has the foreign keys real data would have', async () => {
    const [check] = await demo.query(`SELECT
        (SELECT count(*) FROM api_call_logs a JOIN integration_operations o ON o.operation_id = a.operation_id
          WHERE a.external_system_id <> o.external_system_id OR a.called_at < o.started_at)::int AS calls_off,
        (SELECT count(*) FROM api_call_logs WHERE operation_id IS NULL)::int AS calls_orphan,
        (SELECT count(*) FROM api_call_logs a JOIN external_systems s ON s.id = a.external_system_id WHERE s.system_type = 'xacta')::int AS xacta_calls,
        (SELECT count(*) FROM integration_operations c JOIN integration_operations p ON p.operation_id = c.parent_operation_id
          WHERE p.started_at > c.started_at OR p.external_system_id <> c.external_system_id OR p.operation_type <> 'sync')::int AS children_off,
        (SELECT count(*) FROM integration_operations WHERE parent_operation_id IS NOT NULL)::int AS children,
        (SELECT count(*) FROM integration_operations)::int AS operations,
        (SELECT count(*) FROM sync_conflicts s JOIN integration_operations o ON o.operation_id = s.operation_id WHERE o.operation_type <> 'sync')::int AS conflicts_off,
        (SELECT count(*) FROM sync_conflicts)::int AS conflicts,
        (SELECT count(*) FROM vulnerability_remediation r JOIN ingestion_vulnerabilities v ON v.id = r.vulnerability_id WHERE r.asset_uuid <> v.asset_uuid)::int AS remediation_off`);
    expect(check).toMatchObject({
      calls_off: 0,
      calls_orphan: 0,
      xacta_calls: 0,
      children_off: 0,
      conflicts_off: 0,
      remediation_off: 0,
    });
    expect(check.children).toBe((check.operations / 8) * 3);
    expect(check.conflicts).toBeGreaterThan(0);
  });

  it('a second --demo with the same parameters does nothing; other parameters, or rows already there, are refused', async () => {
    const before = await withClient(demo, demoDigest);
    const again = await cli(demoArgs('7'), demo);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/already loaded; nothing to do/);
    expect(await withClient(demo, demoDigest)).toEqual(before);
    const other = await cli(demoArgs('9'), demo);
    expect(other.code).toBe(4);
    expect(other.stderr).toMatch(/demo data with --seed 7 --scale 0.2 .* is already loaded here/);
    await empty.query(
      `INSERT INTO performance_metrics (metric_type, component, value, unit) VALUES ('api_response_time', 'mine', 1, 'ms')`,
    );
    const busy = await cli(demoArgs('7'), empty);
    expect(busy.code).toBe(4);
    expect(busy.stderr).toMatch(/--demo loads only into empty tables, and these hold rows: performance_metrics/);
    await empty.query(`DELETE FROM performance_metrics`);
    // Mappings are configuration: one pointing outside its entity's table stops the load before it reads a record.
    await empty.query(
      `UPDATE data_field_mappings SET internal_field_name = 'users.email' WHERE entity_type = 'asset' AND external_field_name = 'netbios_names[]'`,
    );
    const misdirected = await cli(demoArgs('7'), empty);
    expect(misdirected.code).toBe(4);
    expect(misdirected.stderr).toMatch(
      /the tenable field mappings into ingestion_assets cannot be used: netbios_names\[\] maps to table users, not ingestion_assets/,
    );
    expect((await empty.query(`SELECT count(*)::int AS n FROM ingestion_assets`))[0].n).toBe(0);
  });
});

describe('metrics and reports', () => {
  const runMetrics = (target: TestDatabase) =>
    withClient(target, async (client) => {
      const { rows } = await client.query(`SELECT metric_name, sql_query FROM metrics_definitions ORDER BY id`);
      const results: Record<string, pg.QueryResult> = {};
      for (const row of rows) results[row.metric_name] = await client.query(row.sql_query);
      return results;
    });

  it('every metric runs on an empty database and on the demo data, returning the documented shape', async () => {
    for (const target of [empty, demo]) {
      const results = await runMetrics(target);
      expect(Object.keys(results).length).toBeGreaterThanOrEqual(15);
      for (const [name, result] of Object.entries(results)) {
        expect(
          result.fields.map((f) => [f.name, f.dataTypeID]),
          name,
        ).toEqual(METRIC_SHAPE.map((c) => [c.name, c.oid]));
      }
    }
    const onDemo = await runMetrics(demo);
    const nonEmpty = Object.entries(onDemo).filter(([, r]) =>
      r.rows.some((row) => row.value !== null && Number(row.value) > 0),
    );
    expect(nonEmpty.length).toBeGreaterThanOrEqual(18);
  });

  it('agrees with values computed independently from the demo data', async () => {
    const metric = async (name: string, client: pg.Client) => {
      const [{ sql_query }] = (
        await client.query(`SELECT sql_query FROM metrics_definitions WHERE metric_name = $1`, [name])
      ).rows;
      const { rows } = await client.query<{ dimension: string; value: string | null }>(sql_query);
      return Object.fromEntries(rows.map((r) => [r.dimension, r.value === null ? null : Number(r.value)]));
    };
    // From the reference files themselves, not the database.
    const findings = JSON.parse(readFileSync(new URL('tenable/vulns-export.json', REFERENCE), 'utf8')) as {
      severity: string;
      state: string;
      plugin: { cve?: string[] };
    }[];
    const kev = new Set(
      readFileSync(new URL('cisa-kev.csv', REFERENCE), 'utf8')
        .split('\n')
        .slice(1)
        .map((line) => line.split(',')[0]),
    );
    const open = findings.filter((f) => f.state === 'OPEN' || f.state === 'REOPENED');
    await withClient(demo, async (client) => {
      expect(await metric('open_critical_high_findings', client)).toEqual({
        all: open.filter((f) => ['high', 'critical'].includes(f.severity)).length,
      });
      expect(await metric('open_findings_on_kev', client)).toEqual({
        all: open.filter((f) => (f.plugin.cve ?? []).some((cve) => kev.has(cve))).length,
      });
      expect((await metric('open_findings_on_kev', client)).all).toBe(10);

      // From the raw rows, in the same transaction (now() is the same for both).
      await client.query('BEGIN');
      try {
        const { rows: calls } =
          await client.query(`SELECT s.system_name, a.response_status, a.response_time_ms, a.called_at >= (now() AT TIME ZONE 'UTC') - interval '7 days' AS recent
          FROM api_call_logs a JOIN external_systems s ON s.id = a.external_system_id`);
        const recent = calls.filter((c) => c.recent);
        const errorRate = await metric('api_error_rate', client);
        const p95 = await metric('api_p95_latency_ms', client);
        for (const system of ['Tenable Vulnerability Management', 'Qualys VMDR']) {
          const mine = recent.filter((c) => c.system_name === system);
          expect(mine.length).toBeGreaterThan(20);
          const errors = mine.filter((c) => c.response_status === null || c.response_status >= 400).length;
          expect(errorRate[system]).toBeCloseTo(Math.round((10000 * errors) / mine.length) / 100, 2);
          expect(p95[system]).toBeCloseTo(
            Math.round(
              10 *
                percentile(
                  mine.map((c) => c.response_time_ms),
                  0.95,
                ),
            ) / 10,
            1,
          );
        }
        expect(errorRate['Xacta 360']).toBeNull();

        const { rows: members } =
          await client.query(`SELECT c.implementation_status FROM control_baselines b JOIN controls_extended c ON c.id = b.control_id
          WHERE c.framework = 'nist_800_53' AND b.baseline = 'moderate'`);
        const implemented = members.filter((m) => m.implementation_status === 'implemented').length;
        expect((await metric('control_implementation_rate', client))['nist_800_53/moderate']).toBeCloseTo(
          Math.round((10000 * implemented) / 287) / 100,
          2,
        );

        const { rows: fixes } =
          await client.query(`SELECT v.severity_name, extract(epoch FROM r.validated_at - v.first_found)::float / 86400 AS days
          FROM vulnerability_remediation r JOIN ingestion_vulnerabilities v ON v.id = r.vulnerability_id
         WHERE r.remediation_status = 'remediated' AND r.validated_at >= (now() AT TIME ZONE 'UTC') - interval '365 days'`);
        const mttr = await metric('mean_time_to_remediate_days', client);
        for (const severity of ['critical', 'high', 'medium', 'low']) {
          const days = fixes.filter((f) => f.severity_name === severity).map((f) => f.days);
          expect(days.length).toBeGreaterThan(0);
          expect(mttr[severity]).toBeCloseTo(days.reduce((a, b) => a + b, 0) / days.length, 1);
        }
      } finally {
        await client.query('ROLLBACK');
      }
    });
  });

  it('exports POA&Ms with the 31 columns of the FedRAMP template, in order', async () => {
    const columns = readFileSync(new URL('fedramp-poam-columns.csv', REFERENCE), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(',').slice(2).join(','));
    expect(columns.length).toBe(31);
    const [template] = await demo.query(
      `SELECT template_definition FROM report_templates WHERE template_name = 'FedRAMP POA&M export'`,
    );
    const sections = template.template_definition.sections as {
      id: string;
      query: string;
      columns: { name: string }[];
    }[];
    let exported = 0;
    for (const section of sections) {
      expect(section.columns.map((c) => c.name)).toEqual(columns);
      const result = await withClient(demo, (client) => client.query(section.query));
      expect(result.fields.map((f) => f.name)).toEqual(columns);
      exported += result.rowCount ?? 0;
    }
    expect(exported).toBe(40);
  });
});

/** percentile_cont: linear interpolation between the closest ranks. */
function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const position = fraction * (sorted.length - 1);
  const low = Math.floor(position);
  return sorted[low] + (sorted[Math.min(low + 1, sorted.length - 1)] - sorted[low]) * (position - low);
}
