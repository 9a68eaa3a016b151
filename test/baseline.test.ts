import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

const phase0 = readFileSync(new URL('./fixtures/phase-0-reference.sql', import.meta.url), 'utf8');
const assets = readFileSync(new URL('../seeds/reference/tenable/assets-export.json', import.meta.url), 'utf8');
const findings = readFileSync(new URL('../seeds/reference/tenable/vulns-export.json', import.meta.url), 'utf8');

let db: TestDatabase;
beforeEach(async () => {
  db = await createTestDatabase('baseline');
});
afterEach(async () => {
  await db.drop();
});
const cli = (args: string[]) => runCli(args, { env: { DATABASE_URL: db.url } });

/**
 * A database shaped like a production one: the platform's tables as existing-tables.md describes
 * them, with columns and an index rasdb knows nothing about, holding the real Tenable sample export
 * (100 assets; its 344 findings loaded ten times over, as ten scans would).
 */
async function buildProductionLike(): Promise<void> {
  await db.query(phase0);
  await db.query(
    `ALTER TABLE ingestion_assets ADD COLUMN site_code text, ADD COLUMN decommissioned boolean DEFAULT false`,
  );
  await db.query(`ALTER TABLE users ADD COLUMN sso_subject text`);
  await db.query(`CREATE INDEX ingestion_assets_site_idx ON ingestion_assets (site_code)`);
  await db.query(
    `INSERT INTO ingestion_assets (asset_uuid, hostname, has_agent, first_seen, last_seen, site_code, raw_json)
     SELECT (a->>'id')::uuid, a->'hostnames'->>0, (a->>'has_agent')::boolean, (a->>'first_seen')::timestamp,
            (a->>'last_seen')::timestamp, 'HQ', a
       FROM jsonb_array_elements($1::jsonb) a`,
    [assets],
  );
  await db.query(
    `INSERT INTO ingestion_vulnerabilities (asset_uuid, plugin_id, plugin_name, plugin_family, severity, severity_name, state, first_found, last_found, raw_json)
     SELECT (f->'asset'->>'uuid')::uuid, (f->'plugin'->>'id')::int, f->'plugin'->>'name', f->'plugin'->>'family',
            (f->>'severity_id')::int, f->>'severity', initcap(f->>'state'), (f->>'first_found')::timestamp, (f->>'last_found')::timestamp, f
       FROM jsonb_array_elements($1::jsonb) f CROSS JOIN generate_series(1, 10)
      WHERE (f->'asset'->>'uuid')::uuid IN (SELECT asset_uuid FROM ingestion_assets)`,
    [findings],
  );
  await db.query(
    `INSERT INTO users (username, email, sso_subject) SELECT 'user' || g, 'user' || g || '@example.org', 'sub-' || g FROM generate_series(1, 50) g`,
  );
}

async function digest(): Promise<unknown[]> {
  return db.query(
    `SELECT 'assets' AS t, count(*)::int AS n, md5(string_agg(t::text, '|' ORDER BY id)) AS h FROM ingestion_assets t
     UNION ALL SELECT 'findings', count(*)::int, md5(string_agg(t::text, '|' ORDER BY id)) FROM ingestion_vulnerabilities t
     UNION ALL SELECT 'users', count(*)::int, md5(string_agg(t::text, '|' ORDER BY id)) FROM users t`,
  );
}

describe('adopting a live RAS DASH database', () => {
  it('migrate refuses until baseline; baseline adopts phase 0; every phase then applies and no row changes', async () => {
    await buildProductionLike();
    const before = await digest();
    expect((before as { n: number }[]).map((r) => r.n)[1]).toBeGreaterThan(1000);

    const refused = await cli(['migrate']);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/already holds RAS DASH tables .* run rasdb baseline/);
    expect(await db.query(`SELECT 1 FROM pg_namespace WHERE nspname = 'rasdb'`)).toEqual([]);

    const adopted = await cli(['baseline', '--json']);
    expect(adopted.code, adopted.stderr).toBe(0);
    const result = JSON.parse(adopted.stdout);
    expect(result.adopted).toBe(true);
    expect(result.checks.every((c: { passed: boolean }) => c.passed)).toBe(true);
    expect(result.recorded).toEqual(['0001-users-and-audit-logs', '0002-ingestion-tables']);

    const migrated = await cli(['migrate']);
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(JSON.parse((await cli(['status', '--json'])).stdout)).toMatchObject({ currentPhase: 4, pending: 0 });
    expect(await digest()).toEqual(before);
    expect(
      await db.query(`SELECT indexname FROM pg_indexes WHERE indexname = 'ingestion_assets_site_idx'`),
    ).toHaveLength(1);
    // The new tables really reference the adopted ones.
    await db.query(
      `INSERT INTO assets_extended (asset_uuid, business_criticality) SELECT asset_uuid, 'high' FROM ingestion_assets LIMIT 3`,
    );
    const rollback = await cli(['rollback', '--all', '--force']);
    expect(rollback.code).toBe(4);
    expect(rollback.stderr).toMatch(
      /refusing to revert 0002-ingestion-tables, 0001-users-and-audit-logs: baseline adopted those tables/,
    );
  });

  it('prints each failed check with its fix and records nothing', async () => {
    await db.query(phase0);
    await db.query(
      `ALTER TABLE ingestion_assets DROP CONSTRAINT ingestion_assets_asset_uuid_key CASCADE, ALTER COLUMN asset_uuid DROP NOT NULL`,
    );
    await db.query(`ALTER TABLE users DROP CONSTRAINT users_pkey CASCADE`);
    const result = await cli(['baseline']);
    expect(result.code).toBe(4);
    expect(result.stdout).toMatch(/FAIL {2}users\.id is an INTEGER primary key/);
    expect(result.stdout).toContain('fix: ALTER TABLE users ADD PRIMARY KEY (id)');
    expect(result.stdout).toContain(
      'fix: ALTER TABLE ingestion_assets ALTER COLUMN asset_uuid SET NOT NULL; ALTER TABLE ingestion_assets ADD CONSTRAINT',
    );
    expect(result.stdout).toMatch(/pass {2}ingestion_vulnerabilities\.id is an INTEGER primary key/);
    expect(result.stderr).toMatch(/baseline refused: 2 checks failed; nothing was recorded/);
    expect(await db.query(`SELECT 1 FROM pg_namespace WHERE nspname = 'rasdb'`)).toEqual([]);
  });

  it('--phase N compares the tables already there with what the migrations would create', async () => {
    // A database someone built by hand from the document up to phase 2, with one drifted column.
    await db.query(phase0);
    const scratch = await createTestDatabase('baseline_src');
    try {
      expect((await runCli(['migrate', '--phase', '2'], { env: { DATABASE_URL: scratch.url } })).code).toBe(0);
    } finally {
      await scratch.drop();
    }
    expect((await cli(['baseline'])).code).toBe(0);
    expect((await cli(['migrate', '--phase', '2'])).code).toBe(0);
    await db.query(`DROP SCHEMA rasdb CASCADE`);
    await db.query(`ALTER TABLE vulnerability_remediation ALTER COLUMN cost_estimate TYPE numeric(12,2)`);
    await db.query(`CREATE INDEX dba_added_idx ON asset_changes (change_type)`);

    const drifted = await cli(['baseline', '--phase', '2', '--json']);
    expect(drifted.code).toBe(4);
    const report = JSON.parse(drifted.stdout);
    expect(report.differences).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          type: 'column',
          object: 'vulnerability_remediation.cost_estimate',
          kind: 'changed',
          blocking: true,
        }),
        expect.objectContaining({
          type: 'index',
          object: 'asset_changes.dba_added_idx',
          kind: 'extra',
          blocking: false,
        }),
      ]),
    );
    expect(await db.query(`SELECT 1 FROM pg_namespace WHERE nspname LIKE 'rasdb%'`)).toEqual([]);

    await db.query(`ALTER TABLE vulnerability_remediation ALTER COLUMN cost_estimate TYPE numeric(10,2)`);
    const clean = await cli(['baseline', '--phase', '2', '--json']);
    expect(clean.code, clean.stderr).toBe(0);
    expect(JSON.parse(clean.stdout).recorded.length).toBeGreaterThan(2);
    const status = JSON.parse((await cli(['status', '--json'])).stdout);
    expect(status.currentPhase).toBe(2);
  });
});
