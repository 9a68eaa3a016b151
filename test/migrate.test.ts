import { mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultMigrationsDir, listMigrations } from '../src/migrate/migration-files.js';
import { readCatalog } from '../src/catalog/catalog.js';
import { ensureLedger, LEDGER_VERSION } from '../src/ledger/upgrade.js';
import { runCli } from './support/cli.js';
import { adminQuery, createTestDatabase, type TestDatabase } from './support/database.js';

const expected = JSON.parse(readFileSync(new URL('./fixtures/expected-schema.json', import.meta.url), 'utf8'));
const FAILING = fileURLToPath(new URL('./fixtures/failing-migrations/', import.meta.url));

const PHASE_TABLES: Record<number, string[]> = {
  0: ['users', 'audit_logs', 'ingestion_batches', 'ingestion_systems', 'ingestion_assets', 'ingestion_vulnerabilities'],
  1: [
    'external_systems',
    'integration_operations',
    'api_call_logs',
    'data_field_mappings',
    'sync_policies',
    'sync_conflicts',
  ],
  2: [
    'assets_extended',
    'asset_configurations',
    'asset_changes',
    'vulnerability_intelligence',
    'vulnerability_remediation',
    'vulnerability_risk_assessments',
  ],
  3: [
    'controls_extended',
    'control_evidence',
    'poams_extended',
    'metrics_definitions',
    'metrics_values',
    'ml_models',
    'ml_predictions',
    'report_templates',
    'generated_reports',
    'dashboards',
  ],
  4: [
    'workflows',
    'workflow_executions',
    'approvals',
    'security_events_extended',
    'data_access_logs',
    'data_subject_requests',
    'performance_metrics',
    'integration_health',
    'alerts',
  ],
};
const DOCUMENT_TABLES = Object.values(PHASE_TABLES).flat();
// Later issues add migrations (summaries, reference tables): derive counts from the folder.
const FILES = listMigrations(defaultMigrationsDir());
const DOCUMENT_MIGRATIONS = [
  '0001-users-and-audit-logs',
  '0002-ingestion-tables',
  '1001-integration-configuration',
  '1002-data-mapping-and-sync',
  '2001-asset-intelligence',
  '2002-vulnerability-intelligence',
  '3001-compliance-controls',
  '3002-analytics',
  '3003-reporting',
  '4001-workflow-automation',
  '4002-security-monitoring',
  '4003-performance-monitoring',
];

/** A migrations folder of links to the compiled document migrations only. */
function documentMigrationsDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rasdb-doc-migrations-'));
  for (const file of FILES.filter((f) => DOCUMENT_MIGRATIONS.includes(f.name))) {
    mkdirSync(join(dir, file.folder), { recursive: true });
    symlinkSync(join(BUILT_MIGRATIONS, file.folder, `${file.name}.js`), join(dir, file.folder, `${file.name}.js`));
  }
  return dir;
}
const BUILT_MIGRATIONS = fileURLToPath(new URL('../dist/migrations/', import.meta.url));
const namesOf = (predicate: (phase: number) => boolean) => FILES.filter((f) => predicate(f.phase)).map((f) => f.name);

let db: TestDatabase;
beforeEach(async () => {
  db = await createTestDatabase('migrate');
});
afterEach(async () => {
  await db.drop();
});

const cli = (args: string[]) => runCli(args, { env: { DATABASE_URL: db.url } });

async function catalogOf(tables?: string[]) {
  const client = await db.connect();
  try {
    return await readCatalog(client, { tables });
  } finally {
    await client.end();
  }
}

async function publicTables(): Promise<string[]> {
  const rows = await db.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`);
  return rows.map((r) => r.tablename);
}

async function ledger(): Promise<unknown[]> {
  return db.query(`SELECT name, phase, checksum, applied_at FROM rasdb.migrations ORDER BY name`);
}

describe('rasdb migrate', () => {
  it('builds exactly the schema of the design document (catalog snapshot)', async () => {
    // Only the migrations that carry the document: later ones (retention indexes, reference
    // tables) add to it on purpose and are checked by their own tests.
    const result = await cli(['migrate', '--migrations-dir', documentMigrationsDir()]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`Applied ${DOCUMENT_MIGRATIONS.length} migrations`);
    expect(await catalogOf(DOCUMENT_TABLES)).toEqual(expected);
    expect(await publicTables()).toEqual([...DOCUMENT_TABLES].sort());
  });

  it('applies every migration of the project on an empty database', async () => {
    const result = await cli(['migrate']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`Applied ${FILES.length} migrations`);
    expect(await publicTables()).toEqual(expect.arrayContaining(DOCUMENT_TABLES));
  });

  it("makes its own ledger tables; the other capabilities' are made by the first command that needs them, or the next migrate", async () => {
    const ledgerTables = async (on = db) =>
      (await on.query(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'rasdb'`))[0].n;
    const first = await cli(['migrate', '--quiet']);
    expect(first.code, first.stderr).toBe(0);
    const [early] = await db.query(`SELECT version, deferred FROM rasdb.ledger_info`);
    expect(early.version).toBe(LEDGER_VERSION);
    expect(early.deferred.length).toBeGreaterThan(0);
    expect(await ledgerTables()).toBe(3);
    // A command that only reads makes them, once, and answers.
    const reader = await runCli(['retention', 'status'], { env: { DATABASE_URL: db.url } });
    expect(reader.code, reader.stderr).toBe(0);
    expect(await db.query(`SELECT version, deferred FROM rasdb.ledger_info`)).toEqual([
      { version: LEDGER_VERSION, deferred: [] },
    ]);
    const made = await ledgerTables();
    expect(made).toBeGreaterThan(3);
    // The next migrate makes the same tables, as does ensureLedger on a ledger left like that.
    const fresh = await createTestDatabase('migrate_fresh');
    try {
      expect((await runCli(['migrate', '--quiet'], { env: { DATABASE_URL: fresh.url } })).code).toBe(0);
      expect(await ledgerTables(fresh)).toBe(3);
      expect((await runCli(['migrate', '--quiet'], { env: { DATABASE_URL: fresh.url } })).code).toBe(0);
      expect(await ledgerTables(fresh)).toBe(made);
      expect(await fresh.query(`SELECT deferred FROM rasdb.ledger_info`)).toEqual([{ deferred: [] }]);
    } finally {
      await fresh.drop();
    }
    const partial = await createTestDatabase('migrate_partial');
    try {
      const client = await partial.connect();
      try {
        await ensureLedger(client, 0, { only: ['migrations'] });
        await ensureLedger(client);
      } finally {
        await client.end();
      }
      expect(await ledgerTables(partial)).toBe(made);
    } finally {
      await partial.drop();
    }
  });

  it("makes the tables left as the ledger's owner when a member of it runs first, with the grants given on the rest", async () => {
    const [owner, member, reader] = ['owner', 'member', 'reader'].map((r) => `rasdb_${r}_${process.pid}`);
    const as = (role: string) => {
      const url = new URL(db.url);
      url.username = role;
      url.password = `${role}-pw`;
      return { DATABASE_URL: url.toString() };
    };
    const dropRoles = `DROP ROLE IF EXISTS ${member}; DROP ROLE IF EXISTS ${reader}; DROP ROLE IF EXISTS ${owner}`;
    await adminQuery(dropRoles);
    await adminQuery(
      `CREATE ROLE ${owner} LOGIN PASSWORD '${owner}-pw'; CREATE ROLE ${member} LOGIN PASSWORD '${member}-pw' IN ROLE ${owner};
       CREATE ROLE ${reader} LOGIN PASSWORD '${reader}-pw'`,
    );
    try {
      await db.query(`GRANT CREATE ON DATABASE "${db.name}" TO ${owner}; GRANT CREATE ON SCHEMA public TO ${owner}`);
      const migrated = await runCli(['migrate', '-q'], { env: as(owner) });
      expect(migrated.code, migrated.stderr).toBe(0);
      await db.query(
        `GRANT USAGE ON SCHEMA rasdb TO ${reader}; GRANT SELECT ON ALL TABLES IN SCHEMA rasdb TO ${reader}`,
      );
      // seed makes them through ensureLedger, as partition enable and rollback do; retention's
      // commands through completedLedgerVersion, which calls it.
      const first = await runCli(['seed', '-q'], { env: as(member) });
      expect(first.code, first.stderr).toBe(0);
      expect(await db.query(`SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'rasdb'`)).toEqual([
        { tableowner: owner },
      ]);
      expect(
        await db.query(
          `SELECT has_table_privilege($1, 'rasdb.retention_runs', 'SELECT') AS reads,
                  has_table_privilege($1, 'rasdb.retention_runs', 'INSERT') AS writes`,
          [reader],
        ),
      ).toEqual([{ reads: true, writes: false }]);
      const read = await runCli(['retention', 'status', '--json'], { env: as(reader) });
      expect(read.code, read.stderr).toBe(0);
    } finally {
      await db.query(`DROP OWNED BY ${owner}, ${member}, ${reader} CASCADE`);
      await adminQuery(dropRoles);
    }
  });

  it('applies phases cumulatively: --phase 2 on an empty database applies 0, 1 and 2', async () => {
    const result = await cli(['migrate', '--phase', '2']);
    expect(result.code, result.stderr).toBe(0);
    expect(await publicTables()).toEqual(
      expect.arrayContaining([...PHASE_TABLES[0], ...PHASE_TABLES[1], ...PHASE_TABLES[2]]),
    );
    expect(await publicTables()).not.toContain(PHASE_TABLES[3][0]);
    const status = JSON.parse((await cli(['status', '--json'])).stdout);
    expect(status.currentPhase).toBe(2);
    const perPhase = [0, 1, 2, 3, 4].map((phase) => namesOf((p) => p === phase).length);
    expect(status.phases.map((p: { applied: number; pending: number }) => [p.applied, p.pending])).toEqual(
      perPhase.map((n, phase) => (phase <= 2 ? [n, 0] : [0, n])),
    );
    const again = await cli(['migrate', '--phase', '3']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`Applied ${perPhase[3]} migrations`);
  });

  it('--dry-run prints the SQL and changes neither the catalog nor the ledger', async () => {
    const fresh = await cli(['migrate', '--dry-run']);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(fresh.stdout).toMatch(/-- 0001-users-and-audit-logs \(phase 0\)/);
    expect(fresh.stdout).toMatch(/create table "alerts"/);
    expect(await publicTables()).toEqual([]);
    expect(await db.query(`SELECT nspname FROM pg_namespace WHERE nspname = 'rasdb'`)).toEqual([]);

    await cli(['migrate', '--phase', '1']);
    const catalogBefore = await catalogOf();
    const ledgerBefore = await ledger();
    const partial = await cli(['migrate', '--dry-run', '--json']);
    const plan = JSON.parse(partial.stdout);
    expect(plan.migrations.map((m: { name: string }) => m.name)).toEqual(namesOf((p) => p >= 2));
    expect(plan.migrations[0].name).toBe('2001-asset-intelligence');
    expect(await catalogOf()).toEqual(catalogBefore);
    expect(await ledger()).toEqual(ledgerBefore);
  });

  it('status --json has the documented shape', async () => {
    await cli(['migrate', '--phase', '0']);
    const result = await cli(['status', '--json']);
    expect(result.code).toBe(0);
    const status = JSON.parse(result.stdout);
    expect(Object.keys(status).sort()).toEqual([
      'applied',
      'currentPhase',
      'database',
      'exitCode',
      'ledger',
      'ok',
      'pending',
      'phases',
      'schemaVersion',
      'seedSets',
    ]);
    const phase0 = namesOf((p) => p === 0).length;
    expect(status).toMatchObject({
      ok: true,
      ledger: { present: true },
      currentPhase: 0,
      applied: phase0,
      pending: FILES.length - phase0,
    });
    const first = status.phases[0].migrations[0];
    expect(Object.keys(first).sort()).toEqual([
      'appliedAt',
      'appliedBy',
      'baselined',
      'durationMs',
      'lastFailure',
      'name',
      'state',
    ]);
    expect(first).toMatchObject({ name: '0001-users-and-audit-logs', state: 'applied', baselined: false });
    expect(new Date(first.appliedAt).toISOString()).toBe(first.appliedAt);
    expect(status.phases[1].migrations[0]).toMatchObject({ state: 'pending', appliedAt: null });
  });

  it('rolls back a failing migration alone and keeps the ones before it', async () => {
    const result = await cli(['migrate', '--migrations-dir', FAILING]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('0003-fails-halfway');
    expect(result.stderr).toContain('SQLSTATE 42P01');
    expect(result.stderr).toMatch(/relation "no_such_table" does not exist/);
    expect(await publicTables()).toEqual(['fixture_first', 'fixture_second']);
    expect((await ledger()).map((r: any) => r.name)).toEqual(['0001-first-table', '0002-second-table']);
    const events = await db.query(
      `SELECT name, event, sqlstate, statement FROM rasdb.migration_events WHERE event = 'failed'`,
    );
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ name: '0003-fails-halfway', sqlstate: '42P01' });
    expect(events[0].statement).toMatch(/create table "fixture_broken"/);
  });

  it('rollback refuses to drop tables that hold rows unless --force', async () => {
    await cli(['migrate']);
    await db.query(`INSERT INTO users (username, email) VALUES ('ada', 'ada@example.org')`);
    await db.query(
      `INSERT INTO workflows (workflow_name, workflow_type, trigger_conditions, workflow_steps) VALUES ('w', 'remediation', '{}', '[]')`,
    );
    await db.query(`INSERT INTO alerts (alert_type, severity, title) VALUES ('a', 'high', 't'), ('b', 'low', 'u')`);

    const refused = await cli(['rollback', '--phase', '3']);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('workflows (1 row)');
    expect(refused.stderr).toContain('alerts (2 rows)');
    expect(refused.stderr).toContain('--force');
    expect(await publicTables()).toContain('alerts');

    const emptyPhases = await cli(['rollback', '--phase', '2', '--json', '--force']);
    expect(emptyPhases.code, emptyPhases.stderr).toBe(0);
    const result = JSON.parse(emptyPhases.stdout);
    expect(result.phaseAfter).toBe(2);
    expect(result.steps.map((s: { name: string }) => s.name)).toEqual(namesOf((p) => p >= 3).reverse());
    const tables = await publicTables();
    expect(tables).not.toContain('alerts');
    expect(tables).toContain('users');
    expect(await db.query(`SELECT username FROM users`)).toEqual([{ username: 'ada' }]);
  });

  it('up, down, up leaves an identical catalog', async () => {
    expect((await cli(['migrate'])).code).toBe(0);
    const first = await catalogOf();
    const down = await cli(['rollback', '--all']);
    expect(down.code, down.stderr).toBe(0);
    expect(await publicTables()).toEqual([]);
    expect(await ledger()).toEqual([]);
    expect((await cli(['migrate'])).code).toBe(0);
    expect(await catalogOf()).toEqual(first);
  });
});
