import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertNoSecrets } from '../src/seed/connection-config.js';
import { runCli } from './support/cli.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

/** Every table a reference set writes; seeded rows are compared across runs by their xmin. */
const SEEDED_TABLES = [
  'controls_extended',
  'control_baselines',
  'external_systems',
  'data_field_mappings',
  'sync_policies',
  'metrics_definitions',
  'report_templates',
  'dashboards',
  'workflows',
];

/** One query answers "which baselines hold which controls": the counts per framework and baseline. */
const BASELINE_COUNTS = `SELECT c.framework, b.baseline, count(*)::int AS controls
  FROM control_baselines b JOIN controls_extended c ON c.id = b.control_id GROUP BY 1, 2 ORDER BY 1, 2`;

let db: TestDatabase;
const cli = (args: string[], target: TestDatabase = db) => runCli(args, { env: { DATABASE_URL: target.url } });

async function snapshot(target: TestDatabase = db): Promise<string[]> {
  const parts = SEEDED_TABLES.map(
    (table) => `SELECT '${table}' AS t, ctid::text AS c, xmin::text AS x, to_jsonb(r)::text AS row FROM ${table} r`,
  );
  const rows = await target.query(`${parts.join(' UNION ALL ')} ORDER BY 1, 2`);
  return rows.map((r) => `${r.t} ${r.c} ${r.x} ${r.row}`);
}

beforeAll(async () => {
  db = await createTestDatabase('seed');
  expect((await cli(['migrate', '-q'])).code).toBe(0);
});
afterAll(async () => {
  await db.drop();
});

describe('rasdb seed: the reference sets', () => {
  it('seeds every set on an empty migrated database, then a second run writes nothing and says so', async () => {
    const first = await cli(['seed']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/controls_extended\s+1,421 inserted, 0 updated, 0 unchanged/);
    expect(first.stdout).toMatch(/control_baselines\s+1,947 inserted/);
    const before = await snapshot();
    const ledger = await db.query(`SELECT set_name, checksum, applied_at::text FROM rasdb.seed_sets ORDER BY 1`);
    expect(ledger.map((r) => r.set_name)).toEqual(['controls', 'integrations', 'metrics', 'reports', 'workflows']);

    const second = await cli(['seed']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(
      /Nothing to change: all \d{1,3}(,\d{3})+ seeded rows of 5 sets are as the seeds left them/,
    );
    expect(second.stdout).not.toMatch(/[1-9]\d* inserted|[1-9]\d* updated/);
    expect(await snapshot()).toEqual(before);
    expect(await db.query(`SELECT set_name, checksum, applied_at::text FROM rasdb.seed_sets ORDER BY 1`)).toEqual(
      ledger,
    );
  });

  it('seeds the 1,011 active NIST controls by label, no withdrawn ones, and FedRAMP Rev 5', async () => {
    const [counts] = await db.query(
      `SELECT count(*) FILTER (WHERE framework = 'nist_800_53')::int AS nist, count(*) FILTER (WHERE framework = 'fedramp')::int AS fedramp FROM controls_extended`,
    );
    expect(counts).toEqual({ nist: 1011, fedramp: 410 });
    const labels = (
      await db.query(
        `SELECT control_id FROM controls_extended WHERE framework = 'nist_800_53' AND control_id IN ('AC-2', 'AC-2(1)', 'AC-2(10)', 'IA-13')`,
      )
    ).map((r) => r.control_id);
    expect(labels.sort()).toEqual(['AC-2', 'AC-2(1)', 'IA-13']); // AC-2(10) is withdrawn
  });

  it('answers every baseline count with one SQL query', async () => {
    const rows = await db.query(BASELINE_COUNTS);
    expect(Object.fromEntries(rows.map((r) => [`${r.framework}/${r.baseline}`, r.controls]))).toEqual({
      'fedramp/high': 410,
      'fedramp/li_saas': 156,
      'fedramp/low': 156,
      'fedramp/moderate': 323,
      'nist_800_53/high': 370,
      'nist_800_53/low': 149,
      'nist_800_53/moderate': 287,
      'nist_800_53/privacy': 96,
    });
  });

  it('templates the external systems inactive, not syncing, with secret references only', async () => {
    const systems = await db.query(
      `SELECT system_name, system_type, is_active, sync_enabled, connection_config, rate_limit_config, retry_config FROM external_systems ORDER BY id`,
    );
    expect(systems.map((s) => s.system_type)).toEqual(['tenable', 'xacta', 'qualys']);
    for (const system of systems) {
      expect(system.is_active).toBe(false);
      expect(system.sync_enabled).toBe(false);
      expect(() => assertNoSecrets(system.system_name, system.connection_config)).not.toThrow();
    }
    expect(systems[0].connection_config.credentials.secret_key).toEqual({ env: 'RASDASH_TENABLE_SECRET_KEY' });
    expect(systems[0].rate_limit_config).toMatchObject({ limited_status: [429], wait_header: 'retry-after' });
    expect(systems[0].retry_config).toMatchObject({ max_retries: 5, honor_wait_header: true });
    const policies = await db.query(
      `SELECT s.system_type, p.entity_type FROM sync_policies p JOIN external_systems s ON s.id = p.external_system_id ORDER BY 1, 2`,
    );
    expect(policies.length).toBe(8);
    const mappings = await db.query(
      `SELECT entity_type, count(*)::int AS n FROM data_field_mappings GROUP BY 1 ORDER BY 1`,
    );
    expect(mappings.map((m) => m.entity_type)).toEqual(['asset', 'plugin', 'poam', 'vulnerability']);
  });

  it('status shows each set with its checksum and when it was applied', async () => {
    const text = await cli(['status']);
    expect(text.stdout).toMatch(/Seed set controls\s+[0-9a-f]{12}\s+applied \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC by /);
    const json = JSON.parse((await cli(['status', '--json'])).stdout);
    expect(json.seedSets.map((s: { name: string }) => s.name)).toEqual([
      'controls',
      'integrations',
      'metrics',
      'reports',
      'workflows',
    ]);
    expect(json.seedSets[0]).toMatchObject({
      checksum: expect.stringMatching(/^[0-9a-f]{64}$/),
      appliedAt: expect.any(String),
    });
  });

  it('--check exits 0 when the rows match, 4 after a hand edit, naming the row and the column', async () => {
    expect((await cli(['seed', '--check'])).code).toBe(0);
    await db.query(`UPDATE metrics_definitions SET display_name = 'Our own name' WHERE metric_name = 'api_error_rate'`);
    await db.query(
      `DELETE FROM control_baselines WHERE baseline = 'privacy' AND control_id = (SELECT id FROM controls_extended WHERE framework = 'nist_800_53' AND control_id = 'AC-1')`,
    );
    const check = await cli(['seed', '--check']);
    expect(check.code).toBe(4);
    expect(check.stdout).toMatch(/edited by an operator: metrics_definitions api_error_rate \(display_name\)/);
    expect(check.stdout).toMatch(/missing: control_baselines nist_800_53\/AC-1\/privacy/);
    expect(check.stderr).toMatch(/2 reference rows differ from the seeds/);
    const json = JSON.parse((await cli(['seed', '--check', '--json'])).stdout);
    expect(json.ok).toBe(false);
    expect(json.differences).toBe(2);
  });

  it('never deletes an operator-added row, never overwrites an operator-edited one, and says so', async () => {
    await db.query(
      `INSERT INTO metrics_definitions (metric_name, metric_category, display_name, calculation_method) VALUES ('our_metric', 'business', 'Ours', 'by hand')`,
    );
    await db.query(`UPDATE metrics_definitions SET threshold_warning = 7 WHERE metric_name = 'overdue_poams'`); // an initial column: the operator's
    const run = await cli(['seed']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/edited by an operator, kept: metrics_definitions api_error_rate \(display_name\)/);
    expect(run.stdout).toMatch(/control_baselines\s+1 inserted/); // a deleted reference row comes back
    expect(run.stdout).toMatch(/1 row kept as operators left it/);
    const rows = await db.query(
      `SELECT metric_name, display_name, threshold_warning::float AS warning FROM metrics_definitions WHERE metric_name IN ('our_metric', 'api_error_rate', 'overdue_poams') ORDER BY 1`,
    );
    expect(rows).toEqual([
      { metric_name: 'api_error_rate', display_name: 'Our own name', warning: 5 },
      { metric_name: 'our_metric', display_name: 'Ours', warning: null },
      { metric_name: 'overdue_poams', display_name: 'Overdue POA&Ms', warning: 7 },
    ]);
  });

  it('--dry-run reports what it would do and changes nothing', async () => {
    await db.query(`DELETE FROM workflows WHERE workflow_name = 'POA&M closure'`);
    const before = await snapshot();
    const ledger = await db.query(`SELECT * FROM rasdb.seed_sets ORDER BY 1`);
    const dry = await cli(['seed', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/workflows\s+1 would be inserted/);
    expect(dry.stdout).toMatch(/Would insert 1 and update 0 rows/);
    expect(await snapshot()).toEqual(before);
    expect(await db.query(`SELECT * FROM rasdb.seed_sets ORDER BY 1`)).toEqual(ledger);
    const [seq] = await db.query(`SELECT last_value::int FROM workflows_id_seq`);
    expect(seq.last_value).toBe(3); // no id was consumed
  });

  it('--only seeds the sets named; an unknown name is a usage error', async () => {
    const only = await cli(['seed', '--only', 'workflows']);
    expect(only.code, only.stderr).toBe(0);
    expect(only.stdout).toMatch(/^workflows: /m);
    expect(only.stdout).not.toMatch(/^controls: /m);
    const bad = await cli(['seed', '--only', 'workflow']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--only takes set names from controls, integrations, metrics, reports, workflows/);
  });

  it('two runs at once take turns under the seed lock: the rows are inserted once', async () => {
    const fresh = await createTestDatabase('seed_twice');
    try {
      expect((await cli(['migrate', '-q'], fresh)).code).toBe(0);
      const runs = await Promise.all([cli(['seed', '--json'], fresh), cli(['seed', '--json'], fresh)]);
      for (const run of runs) expect(run.code, run.stderr).toBe(0);
      const inserted = runs.map((run) => JSON.parse(run.stdout).totals.inserted).sort((a, b) => a - b);
      expect(inserted[0]).toBe(0);
      expect(inserted[1]).toBeGreaterThan(3000);
      // dashboards and sync_policies have no unique key: only the lock keeps them single.
      const [counts] = await fresh.query(
        `SELECT (SELECT count(*) FROM dashboards)::int AS dashboards, (SELECT count(*) FROM sync_policies)::int AS policies`,
      );
      expect(counts).toEqual({ dashboards: 2, policies: 8 });
    } finally {
      await fresh.drop();
    }
  });

  it('skips a set whose tables are not migrated yet, naming the phase it needs', async () => {
    const early = await createTestDatabase('seed_phase1');
    try {
      expect((await cli(['migrate', '--phase', '1', '-q'], early)).code).toBe(0);
      const run = await cli(['seed'], early);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(
        /^controls: skipped, needs phase 3 \(not migrated yet: controls_extended, control_baselines\); run `rasdb migrate --phase 3` first$/m,
      );
      expect(run.stdout).toMatch(/^workflows: skipped, needs phase 4/m);
      expect(run.stdout).toMatch(/external_systems\s+3 inserted/);
      expect(run.stdout).toMatch(
        /rows wait for tables not migrated yet \(vulnerability_intelligence, poams_extended\)/,
      );
      // Once phase 3 is there, the waiting mappings and the phase-3 sets follow.
      expect((await cli(['migrate', '--phase', '3', '-q'], early)).code).toBe(0);
      const later = await cli(['seed'], early);
      expect(later.stdout).toMatch(/data_field_mappings\s+29 inserted, 0 updated, 23 unchanged/);
      expect(later.stdout).toMatch(/controls_extended\s+1,421 inserted/);
    } finally {
      await early.drop();
    }
  });
});
