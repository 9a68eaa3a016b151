import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { capacityReport, type CapacityReport } from '../src/capacity/capacity.js';
import { measureFlows } from '../src/capacity/flow.js';
import { relationsFrom, sizesFrom, sizesSql, type SizeRow } from '../src/capacity/sizes.js';
import { recordSnapshot } from '../src/ledger/capacity-snapshots.js';
import { runCli } from './support/cli.js';
import { DATA_ZONE, DAYS, INJECTED, INJECTED_PER_CATEGORY, seedCapacityData } from './support/capacity-data.js';
import { adminQuery, createTestDatabase, type TestDatabase } from './support/database.js';

// One migrated database with known flows; every test works on a copy of it.
let template: TestDatabase;
let db: TestDatabase;
beforeAll(async () => {
  template = await createTestDatabase('capacity_template');
  const migrated = await runCli(['migrate', '-q'], { env: { DATABASE_URL: template.url } });
  expect(migrated.code, migrated.stderr).toBe(0);
  await seedCapacityData(template);
});
afterAll(async () => {
  await template.drop();
});
beforeEach(async () => {
  db = await createTestDatabase('capacity', { template: template.name });
  // A database's settings do not travel with CREATE DATABASE ... TEMPLATE.
  await db.query(`ALTER DATABASE "${db.name}" SET timezone = '${DATA_ZONE}'`);
});
afterEach(async () => {
  await db.drop();
});

const cli = (args: string[]) => runCli(['capacity', ...args], { env: { DATABASE_URL: db.url } });
async function json(args: string[], expectCode = 0): Promise<CapacityReport & Record<string, any>> {
  const result = await cli([...args, '--json']);
  expect(result.code, result.stderr).toBe(expectCode);
  return JSON.parse(result.stdout);
}
async function report(options: Parameters<typeof capacityReport>[1] = {}): Promise<CapacityReport> {
  const client = await db.connect();
  try {
    return await capacityReport(client, options);
  } finally {
    await client.end();
  }
}

/** Each category's bytes a year as the data holds it: its tables' whole size over the days it took to write. */
async function bytesPerYearTruth(r: CapacityReport): Promise<Record<string, number>> {
  const truth: Record<string, number> = {};
  for (const c of r.categories) {
    const [row] = await db.query(
      `SELECT coalesce(sum(pg_total_relation_size(t::regclass)), 0) AS b FROM unnest($1::text[]) t WHERE t = ANY($2::text[])`,
      [c.tables, INJECTED.map((i) => i.table)],
    );
    truth[c.name] = (Number(row.b) / DAYS) * 365.25;
  }
  return truth;
}

function expectRecovered(r: CapacityReport, truthBytes: Record<string, number>, label: string): void {
  for (const c of r.categories) {
    const rowsError = c.rowsPerYear / (INJECTED_PER_CATEGORY[c.name] * 365.25) - 1;
    const bytesError = c.bytesPerYear / truthBytes[c.name] - 1;
    console.log(`${label} ${c.name}: rows ${(rowsError * 100).toFixed(2)} %, bytes ${(bytesError * 100).toFixed(2)} %`);
    expect(Math.abs(rowsError), `${c.name} rows`).toBeLessThanOrEqual(0.1);
    expect(Math.abs(bytesError), `${c.name} bytes`).toBeLessThanOrEqual(0.1);
  }
}

/** data_access_logs, rows and all, as a table partitioned in three by accessed_at (old, mid, new), analyzed. */
async function partitionDataAccessLogs(): Promise<void> {
  await db.query(`
    CREATE TABLE data_access_logs_parted (LIKE data_access_logs INCLUDING DEFAULTS) PARTITION BY RANGE (accessed_at);
    CREATE TABLE data_access_logs_old PARTITION OF data_access_logs_parted FOR VALUES FROM (MINVALUE) TO ((now() AT TIME ZONE '${DATA_ZONE}')::date - 20);
    CREATE TABLE data_access_logs_mid PARTITION OF data_access_logs_parted FOR VALUES FROM ((now() AT TIME ZONE '${DATA_ZONE}')::date - 20) TO ((now() AT TIME ZONE '${DATA_ZONE}')::date - 5);
    CREATE TABLE data_access_logs_new PARTITION OF data_access_logs_parted FOR VALUES FROM ((now() AT TIME ZONE '${DATA_ZONE}')::date - 5) TO (MAXVALUE);
    CREATE INDEX ON data_access_logs_parted (accessed_at);
    INSERT INTO data_access_logs_parted SELECT * FROM data_access_logs;
    ALTER SEQUENCE data_access_logs_id_seq OWNED BY NONE;
    DROP TABLE data_access_logs;
    ALTER TABLE data_access_logs_parted RENAME TO data_access_logs;
    ANALYZE;`);
}

describe('rasdb capacity: flow from the time columns', () => {
  it("recovers each category's injected flow within 10 %, as the command measures it", async () => {
    const r = await json([]);
    expect(r.timeZone).toBe(DATA_ZONE);
    // api_call_logs is past the exact-count limit (1,440 rows a day over 30 days): estimated.
    expect(r.tables.find((t) => t.table === 'api_call_logs')?.flow.method).toBe('estimate');
    expect(r.tables.find((t) => t.table === 'workflow_executions')?.flow.method).toBe('count');
    expect(r.tables.find((t) => t.table === 'dashboards')?.flow).toMatchObject({ method: 'empty', rowsPerDay: 0 });
    expectRecovered(r, await bytesPerYearTruth(r), 'default');
  });

  it('and within 10 % counted exactly', async () => {
    const r = await report({ exactRowLimit: 1e12, smallTableBytes: 1e15 });
    const injected = r.tables.filter((t) => INJECTED.some((i) => i.table === t.table));
    expect(injected.map((t) => t.flow.method)).toEqual(injected.map(() => 'count'));
    expectRecovered(r, await bytesPerYearTruth(r), 'counted');
  });

  it('and within 10 % from the statistics alone, reading no row', async () => {
    const r = await report({ exactRowLimit: 0, smallTableBytes: 0 });
    const injected = r.tables.filter((t) => INJECTED.some((i) => i.table === t.table));
    expect(injected.map((t) => t.flow.method)).toEqual(injected.map(() => 'estimate'));
    expectRecovered(r, await bytesPerYearTruth(r), 'estimated');
  });

  it("estimates the same under a DateStyle other than ISO, and inside the caller's transaction", async () => {
    const estimated = { exactRowLimit: 0, smallTableBytes: 0 };
    const iso = await report(estimated);
    const client = await db.connect();
    try {
      // The statistics' values print as 27/10/2025 10:38:44.29 under SQL, DMY.
      await client.query(`SET DateStyle = 'SQL, DMY'`);
      await client.query('BEGIN');
      const other = await capacityReport(client, { ...estimated, now: iso.asOf });
      await client.query('COMMIT');
      for (const t of iso.tables.filter((x) => x.flow.method === 'estimate'))
        expect(other.tables.find((x) => x.table === t.table)?.flow.rowsInWindow, t.table).toBeCloseTo(
          t.flow.rowsInWindow,
          6,
        );
      expect(iso.tables.filter((x) => x.flow.method === 'estimate').length).toBeGreaterThan(0);
    } finally {
      await client.end();
    }
  });

  it('estimates the same for a role that reads the statistics through pg_stats, not pg_statistic', async () => {
    const estimated = { exactRowLimit: 0, smallTableBytes: 0 };
    const own = await report(estimated);
    const role = `rasdb_capacity_reader_${process.pid}`;
    await adminQuery(`DROP ROLE IF EXISTS ${role}`);
    await adminQuery(`CREATE ROLE ${role} LOGIN PASSWORD 'reader-pw'`);
    const url = new URL(db.url);
    url.username = role;
    url.password = 'reader-pw';
    const client = new pg.Client({ connectionString: url.toString() });
    try {
      await db.query(
        `GRANT USAGE ON SCHEMA rasdb TO ${role}; GRANT SELECT ON ALL TABLES IN SCHEMA rasdb, public TO ${role}`,
      );
      await client.connect();
      const { rows } = await client.query(
        `SELECT has_table_privilege('pg_catalog.pg_statistic', 'SELECT') AS readable`,
      );
      expect(rows).toEqual([{ readable: false }]);
      const other = await capacityReport(client, { ...estimated, now: own.asOf });
      for (const t of own.tables) expect(other.tables.find((x) => x.table === t.table)?.flow, t.table).toEqual(t.flow);
      expect(own.tables.filter((t) => t.flow.method === 'estimate').length).toBeGreaterThan(0);
    } finally {
      await client.end().catch(() => undefined);
      await db.query(`DROP OWNED BY ${role}`);
      await adminQuery(`DROP ROLE IF EXISTS ${role}`);
    }
  });

  it('counts rows written since the last ANALYZE, narrower than the rows before them', async () => {
    // The copy's statistics counters start at 0: ANALYZE sets them, as on a server that runs on.
    await db.query('ANALYZE api_call_logs');
    await db.query(`INSERT INTO api_call_logs (method, endpoint, called_at)
                    SELECT 'GET', '/x', now() AT TIME ZONE '${DATA_ZONE}' - interval '2 hours' FROM generate_series(1, 60000)`);
    // The statistics system counts the inserts once the writing session has reported them.
    for (let tries = 0; ; tries++) {
      const [live] = await db.query(`SELECT pg_stat_get_live_tuples('api_call_logs'::regclass) AS n`);
      if (Number(live.n) >= 60_000 || tries > 50) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const [exact] = await db.query(
      `SELECT count(*) AS n FROM api_call_logs WHERE called_at >= now() AT TIME ZONE '${DATA_ZONE}' - interval '30 days'`,
    );
    const api = (await report()).tables.find((t) => t.table === 'api_call_logs');
    expect(api?.flow.method).toBe('estimate');
    expect(Math.abs((api?.flow.rowsPerDay ?? 0) / (Number(exact.n) / 30) - 1)).toBeLessThanOrEqual(0.1);
  });

  it("reads the window on the data's clock, not UTC's", async () => {
    const client = await db.connect();
    try {
      const r = await capacityReport(client, { windowDays: 1 });
      const api = r.tables.find((t) => t.table === 'api_call_logs');
      expect(Math.abs((api?.flow.rowsPerDay ?? 0) / 1440 - 1)).toBeLessThan(0.02);
      // The same window read as UTC would end hours after the newest row and miss them.
      const { rows } = await client.query(`SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS t`);
      const [relations] = relationsFrom(
        ['api_call_logs'],
        (await client.query<SizeRow>(sizesSql(client, ['api_call_logs']))).rows,
      );
      const [utc] = await measureFlows(
        client,
        [
          {
            table: 'api_call_logs',
            timeColumn: 'called_at',
            totalBytes: api?.totalBytes ?? 0,
            heapBytes: api?.heapBytes ?? 0,
            rows: api?.rows ?? 0,
            oid: relations.oid ?? 0,
            leaves: relations.leaves,
          },
        ],
        {
          asOf: rows[0].t,
          windowDays: 1,
        },
      );
      expect(utc.rowsPerDay / 1440).toBeLessThan(0.85);
    } finally {
      await client.end();
    }
  });

  it("measures every table as PostgreSQL's own size functions do, an unlogged one and one with a free-space map too", async () => {
    await db.query(`ALTER TABLE performance_metrics SET UNLOGGED; DELETE FROM api_call_logs WHERE id % 7 = 0`);
    await db.query('VACUUM api_call_logs');
    const r = await report();
    const truth = await db.query(
      `SELECT t AS table, pg_table_size(t::regclass) AS table_size, pg_indexes_size(t::regclass) AS indexes,
              pg_total_relation_size(t::regclass) AS total,
              coalesce((SELECT pg_total_relation_size(reltoastrelid) FROM pg_class WHERE oid = t::regclass AND reltoastrelid <> 0), 0) AS toast
         FROM unnest($1::text[]) AS t WHERE to_regclass(t) IS NOT NULL`,
      [r.tables.map((t) => t.table)],
    );
    expect(truth.length).toBeGreaterThan(20);
    const [forks] = await db.query(
      `SELECT (SELECT bool_or(pg_relation_size(indexrelid, 'init') > 0) FROM pg_index WHERE indrelid = 'performance_metrics'::regclass) AS init, pg_relation_size('api_call_logs', 'fsm') > 0 AS fsm`,
    );
    expect(forks).toEqual({ init: true, fsm: true });
    for (const row of truth) {
      const t = r.tables.find((x) => x.table === row.table);
      expect(t && [t.heapBytes + t.toastBytes, t.indexBytes, t.totalBytes, t.toastBytes], row.table).toEqual(
        [row.table_size, row.indexes, row.total, row.toast].map(Number),
      );
    }
  });

  it("gives a small table's rows as counted, whatever its statistics say: lost in a copy, or doubled by an ANALYZE inside an update", async () => {
    const rowsOf = (doc: CapacityReport) => doc.tables.find((t) => t.table === 'external_systems');
    // TRUNCATE leaves the table never counted (reltuples -1); 40 rows are too few for autovacuum to analyze.
    await db.query(`TRUNCATE external_systems CASCADE`);
    await db.query(
      `INSERT INTO external_systems (system_name, system_type, api_base_url, authentication_method, connection_config, created_at)
       SELECT 'sys-' || g, 'tenable', 'https://cloud.tenable.com', 'api_key', '{}', (now() AT TIME ZONE '${DATA_ZONE}') - g * interval '1 day'
         FROM generate_series(1, 40) g`,
    );
    // A copy of the database (CREATE DATABASE ... TEMPLATE) starts with no live-row counts.
    const copy = await createTestDatabase('capacity_copy', { template: db.name });
    try {
      await copy.query(`ALTER DATABASE "${copy.name}" SET timezone = '${DATA_ZONE}'`);
      const result = await runCli(['capacity', '--json'], { env: { DATABASE_URL: copy.url } });
      expect(result.code, result.stderr).toBe(0);
      const copied = rowsOf(JSON.parse(result.stdout));
      expect(copied?.rows).toBe(40);
      expect(copied?.flow.bytesPerDay).toBeGreaterThan(0);
    } finally {
      await copy.drop();
    }
    // ANALYZE in the transaction that updated every row counts both versions as live.
    const client = await db.connect();
    try {
      await client.query('BEGIN');
      await client.query(`UPDATE external_systems SET system_type = 'xacta'`);
      await client.query('ANALYZE external_systems');
      await client.query('COMMIT');
    } finally {
      await client.end();
    }
    const doubled = rowsOf(await json([]));
    expect(doubled?.rows).toBe(40);
    expect(doubled?.bytesPerRow).toBeCloseTo((doubled?.totalBytes ?? 0) / 40, 6);
  });

  it('sums a partitioned table over its partitions instead of reporting 0', async () => {
    await partitionDataAccessLogs();
    // Autovacuum's first pass over the new partitions adds their free-space and visibility maps:
    // done now, or it could land between the expected sizes and the report's (CI saw 3 pages).
    await db.query('VACUUM data_access_logs');
    const [parent] = await db.query(`SELECT pg_total_relation_size('data_access_logs') AS own`);
    expect(Number(parent.own)).toBe(0);
    const [leaves] = await db.query(
      `SELECT sum(pg_total_relation_size(relid)) AS total, sum(pg_indexes_size(relid)) AS indexes FROM pg_partition_tree('data_access_logs') WHERE isleaf`,
    );
    for (const r of [await json([]), await report({ exactRowLimit: 0, smallTableBytes: 0 })]) {
      const t = r.tables.find((x) => x.table === 'data_access_logs');
      expect(t).toMatchObject({
        partitioned: true,
        leaves: 3,
        totalBytes: Number(leaves.total),
        indexBytes: Number(leaves.indexes),
      });
      // Each partition has the parent's btree index on accessed_at: min() and max() walk them.
      expect(t?.flow.indexed).toBe(true);
      expect(t?.rows).toBe(480 * DAYS);
      expect(Math.abs((t?.flow.rowsPerDay ?? 0) / 480 - 1)).toBeLessThanOrEqual(0.1);
    }
  });

  it('estimates from the partitions left when one is dropped between the catalog walk and the statistics (a prune beside it)', async () => {
    await partitionDataAccessLogs();
    const client = await db.connect();
    try {
      const walked = (await client.query<SizeRow>(sizesSql(client, ['data_access_logs']))).rows;
      const [size] = sizesFrom(['data_access_logs'], walked);
      const [relations] = relationsFrom(['data_access_logs'], walked);
      expect(relations.leaves).toHaveLength(3);
      await client.query('DROP TABLE data_access_logs_old');
      const { rows } = await client.query(
        `SELECT to_char(now() AT TIME ZONE '${DATA_ZONE}', 'YYYY-MM-DD HH24:MI:SS') AS t`,
      );
      const [flow] = await measureFlows(
        client,
        [{ ...size, timeColumn: 'accessed_at', oid: relations.oid ?? 0, leaves: relations.leaves }],
        { asOf: rows[0].t, windowDays: 10, exactRowLimit: 0, smallTableBytes: 0, statisticsReadable: true },
      );
      expect(flow.method).toBe('estimate');
      expect(Math.abs(flow.rowsPerDay / 480 - 1)).toBeLessThanOrEqual(0.1);
    } finally {
      await client.end();
    }
  });

  it('reads no large table whole whose time column leads only indexes min() cannot use: BRIN, hash, partial, invalid', async () => {
    // The btree indexes that lead with called_at go; each case leaves one the planner cannot walk for min() and max().
    const leading = await db.query(
      `SELECT indexrelid::regclass::text AS name FROM pg_index
        WHERE indrelid = 'api_call_logs'::regclass
          AND indkey[0] = (SELECT attnum FROM pg_attribute WHERE attrelid = 'api_call_logs'::regclass AND attname = 'called_at')`,
    );
    expect(leading.length).toBeGreaterThan(0);
    for (const { name } of leading) await db.query(`DROP INDEX ${name}`);
    const [{ first }] = await db.query(`SELECT min(id) AS first FROM api_call_logs`);
    const cases: [string, string][] = [
      ['brin', 'CREATE INDEX api_brin ON api_call_logs USING brin (called_at)'],
      ['hash', 'CREATE INDEX api_hash ON api_call_logs USING hash (called_at)'],
      ['partial', 'CREATE INDEX api_partial ON api_call_logs (called_at) WHERE response_status >= 500'],
      // A concurrent build that failed on one row leaves its index behind, invalid.
      ['invalid', `CREATE INDEX CONCURRENTLY api_invalid ON api_call_logs (called_at, (1 / (id - ${Number(first)})))`],
    ];
    const client = await db.connect();
    const seqScans = async () => {
      // The backend's pending counts go to the shared statistics when it next goes idle.
      await client.query('SELECT pg_stat_force_next_flush()');
      const { rows } = await client.query(
        `SELECT seq_scan FROM pg_stat_user_tables WHERE relid = 'api_call_logs'::regclass`,
      );
      return Number(rows[0].seq_scan);
    };
    try {
      for (const [label, create] of cases) {
        await db
          .query(create)
          .catch((e: Error) => expect(label === 'invalid' ? e.message : '').toMatch(/division by zero/));
        const before = await seqScans();
        const r = await capacityReport(client);
        expect(await seqScans(), label).toBe(before);
        const api = r.tables.find((t) => t.table === 'api_call_logs')?.flow;
        expect(api, label).toMatchObject({ method: 'estimate', indexed: false });
        expect(Math.abs((api?.rowsPerDay ?? 0) / 1440 - 1), label).toBeLessThanOrEqual(0.1);
        await db.query(`DROP INDEX api_${label}`);
      }
      // With its btree index back but an inheritance child that has none, min() would read the child whole.
      await db.query(`CREATE INDEX api_btree ON api_call_logs (called_at);
        CREATE TABLE api_child () INHERITS (api_call_logs);
        INSERT INTO api_child SELECT * FROM api_call_logs WHERE id % 10 = 0;
        ANALYZE api_child`);
      const scans = async () => {
        await client.query('SELECT pg_stat_force_next_flush()');
        const { rows } = await client.query(
          `SELECT seq_scan FROM pg_stat_user_tables WHERE relid = 'api_child'::regclass`,
        );
        return Number(rows[0].seq_scan);
      };
      const before = await scans();
      const r = await capacityReport(client);
      expect(await scans(), 'inheritance').toBe(before);
      expect(r.tables.find((t) => t.table === 'api_call_logs')?.flow).toMatchObject({
        method: 'estimate',
        indexed: false,
      });
    } finally {
      await client.end();
    }
  });
});

describe('rasdb capacity snapshot: the trend over time', () => {
  it('records snapshots at given times and fits the growth between them', async () => {
    const day = 86_400_000;
    for (let k = 3; k >= 0; k--) {
      const taken = await cli(['snapshot', '--now', new Date(Date.now() - k * day - 60_000).toISOString(), '--json']);
      expect(taken.code, taken.stderr).toBe(0);
      expect(JSON.parse(taken.stdout)).toMatchObject({ ok: true, tables: 31 });
      await db.query(`INSERT INTO data_access_logs (resource_type, action, accessed_at)
                      SELECT 'asset', 'read', now() AT TIME ZONE '${DATA_ZONE}' - interval '1 hour' FROM generate_series(1, 20000)`);
    }
    const r = await json([]);
    expect(r.snapshots.count).toBe(4);
    const audit = r.categories.find((c) => c.name === 'audit-security');
    const [first, last] = await db
      .query(
        `SELECT sum(t.total_bytes) AS b FROM rasdb.capacity_snapshots s JOIN rasdb.capacity_snapshot_tables t ON t.snapshot_id = s.id
        WHERE t.table_name IN ('security_events_extended', 'data_access_logs', 'data_subject_requests') GROUP BY s.id ORDER BY s.id`,
      )
      .then((rows) => [rows[0], rows.at(-1)]);
    const growth = (Number(last.b) - Number(first.b)) / 3;
    expect(audit?.trend.points).toBe(4);
    expect(Math.abs((audit?.trend.perDay ?? 0) / growth - 1)).toBeLessThan(0.1);
    expect(audit?.trend.r2).toBeGreaterThan(0.95);
    expect(audit?.trend.confidence).toMatch(/high|medium/);
    // Nothing grew in workflow between the snapshots: a flat trend, firmly.
    expect(r.categories.find((c) => c.name === 'workflow')?.trend).toMatchObject({ perDay: 0, r2: 1 });
  });

  it('refuses a --now before the newest snapshot, which would stamp sizes measured now into the past', async () => {
    const count = async () => (await db.query('SELECT count(*)::int AS n FROM rasdb.capacity_snapshots'))[0].n;
    const yesterday = new Date(Date.now() - 86_400_000).toISOString();
    expect((await cli(['snapshot', '--now', yesterday])).code).toBe(0);
    const before = await count();
    const back = await cli(['snapshot', '--now', '1900-01-01']);
    expect(back.code, back.stderr).toBe(2);
    expect(back.stderr).toMatch(
      /^rasdb: --now 1900-01-01 is not after the newest snapshot \(taken 2\d{3}-\d\d-\d\dT[\d:.]+Z\); a snapshot records the sizes measured now, so it goes after those already taken\n$/,
    );
    expect(await count()).toBe(before);
    expect((await cli(['snapshot'])).code).toBe(0);
    expect(await count()).toBe(before + 1);
  });

  it('gives the slope, R², standard error and confidence of injected readings', async () => {
    const client = await db.connect();
    try {
      // Within the 90 days the trend reads, by the server's clock.
      const start = Date.now() - 20 * 86_400_000;
      const noise = [0, 9, -7, 3, -12, 11, -4, 6, -9, 2];
      for (let d = 0; d < 10; d++) {
        const at = new Date(start + d * 86_400_000).toISOString();
        await recordSnapshot(client, at, [
          size('api_call_logs', 2 ** 30 + d * 100 * 2 ** 20),
          size('workflows', 50 * 2 ** 20 + noise[d] * 2 ** 20),
        ]);
      }
      const r = await capacityReport(client);
      const integration = r.categories.find((c) => c.name === 'integration')?.trend;
      expect(integration).toMatchObject({ points: 10, spanDays: 9, confidence: 'high' });
      expect(integration?.perDay).toBeCloseTo(100 * 2 ** 20, 0);
      expect(integration?.r2).toBeCloseTo(1, 9);
      expect(integration?.perDayStdError).toBeCloseTo(0, 0);
      const workflow = r.categories.find((c) => c.name === 'workflow')?.trend;
      expect(workflow?.confidence).toBe('low');
      expect(workflow?.r2).toBeLessThan(0.7);
      expect(r.tables.find((t) => t.table === 'api_call_logs')?.trend.perDay).toBeCloseTo(100 * 2 ** 20, 0);
      // A snapshot dated ahead of the server's clock (a ledger row written by hand, a host whose
      // clock ran ahead) is no measurement yet: the trend leaves it out.
      await recordSnapshot(client, new Date(Date.now() + 365 * 86_400_000).toISOString(), [
        size('api_call_logs', 2 ** 40),
      ]);
      const again = await capacityReport(client);
      expect(again.categories.find((c) => c.name === 'integration')?.trend).toMatchObject({ points: 10 });
    } finally {
      await client.end();
    }
  });
});

function size(table: string, totalBytes: number) {
  return { table, heapBytes: totalBytes, toastBytes: 0, indexBytes: 0, totalBytes, rows: null, deadRows: 0 };
}

describe('rasdb capacity: stock under the retention in force', () => {
  it('levels API calls off at their kept days, keeps security events 7 years, grows the rest for ever; a recorded policy change counts', async () => {
    const set = await runCli(
      ['retention', 'policy', 'set', 'api_call_logs', '--keep-detail', '120d', '--reason', 'test'],
      {
        env: { DATABASE_URL: db.url },
      },
    );
    expect(set.code, set.stderr).toBe(0);
    const r = await json([]);
    const table = (name: string) => r.tables.find((t) => t.table === name);
    const api = table('api_call_logs');
    expect(api?.keep.days).toBe(120);
    const perDay = (api?.bytesPerYear ?? 0) / 365.25;
    expect(api?.stock.map((s) => s.withRetention / perDay)).toEqual([120, 120, 120].map((d) => expect.closeTo(d, 6)));
    expect(api?.stock[2].saved).toBeCloseTo(perDay * (7 * 365.25 - 120), 0);
    const security = table('security_events_extended');
    expect(Math.round(security?.keep.days ?? 0)).toBe(2557);
    expect(security?.stock.map((s) => s.withRetention / (security.bytesPerYear ?? 1))).toEqual(
      [1, 3, 7].map((y) => expect.closeTo(y, 6)),
    );
    const workflows = table('workflow_executions');
    expect(workflows?.keep.days).toBeNull();
    expect(workflows?.stock[2].withRetention).toBeCloseTo((workflows?.bytesPerYear ?? 0) * 7, 0);
    // A category is the sum of its tables.
    const integration = r.categories.find((c) => c.name === 'integration');
    const members = r.tables.filter((t) => t.category === 'integration');
    expect(integration?.stock[1].withRetention).toBeCloseTo(
      members.reduce((s, t) => s + t.stock[1].withRetention, 0),
      0,
    );
  });
});

describe('rasdb capacity: output, overrides and alerts', () => {
  it('prints a table with bars, per category and per table', async () => {
    const result = await cli([]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Yearly flow against the design estimate/);
    expect(result.stdout).toMatch(/^ {2}integration +50\.0 GiB .*\|/m);
    expect(result.stdout).toMatch(/no estimate in the document for: performance_metrics/);
    expect(result.stdout).toMatch(/^ {2}api_call_logs +integration /m);
  });

  it('moves a table to another category with --category', async () => {
    const plain = await json([]);
    const moved = await json(['--category', 'performance_metrics=analytics']);
    const analytics = (r: CapacityReport) => r.categories.find((c) => c.name === 'analytics');
    expect(analytics(moved)?.tables).toContain('performance_metrics');
    expect(analytics(moved)?.rowsPerYear).toBeCloseTo((analytics(plain)?.rowsPerYear ?? 0) + 144 * 365.25, -2);
    expect(moved.categories.find((c) => c.name === 'unassigned')?.tables).not.toContain('performance_metrics');
    expect(moved.tables.find((t) => t.table === 'performance_metrics')?.categorySource).toBe('override');
  });

  it('--fail-over exits 4 naming each category over ratio times its estimate', async () => {
    const calm = await json(['--fail-over', '1']);
    expect(calm.overruns).toEqual([]);
    const r = await json(['--fail-over', '0.0000001'], 4);
    expect(r.ok).toBe(false);
    expect(r.overruns.map((o: { name: string }) => o.name).sort()).toEqual(
      ['analytics', 'audit-security', 'enhanced-management', 'integration', 'workflow'].sort(),
    );
    const text = await cli(['--fail-over', '0.0000001']);
    expect(text.code).toBe(4);
    expect(text.stderr).toMatch(
      /^rasdb: integration: projected yearly flow .* its estimate of 50\.0 GiB \(over --fail-over 1e-7\)$/m,
    );
  });

  it('--chart writes the projected stock per category as SVG', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'rasdb-chart-'));
    try {
      const file = join(folder, 'capacity.svg');
      const r = await json(['--chart', file]);
      expect(r.chart).toBe(file);
      const svg = readFileSync(file, 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg).toMatch(/as of \d{4}-\d\d-\d\d \d\d:\d\d:\d\d [A-Za-z_/]+</);
      for (const name of [
        'integration',
        'analytics',
        'audit-security',
        'workflow',
        'enhanced-management',
        'document estimate x years',
      ])
        expect(svg).toContain(name);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('names a chart path holding a line feed on one line, so it cannot forge the next', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'rasdb-chart-'));
    try {
      const file = join(folder, 'c.svg\nrasdb: all clear.svg');
      const r = await cli(['--chart', file]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`Chart written to ${folder}/c.svg\\nrasdb: all clear.svg\n`);
      expect(r.stdout).not.toMatch(/^rasdb: all clear/m);
      expect(readFileSync(file, 'utf8').startsWith('<svg')).toBe(true);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('rasdb capacity: bad input', () => {
  it('refuses each with one line and its exit code, changing nothing', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'rasdb-chart-'));
    mkdirSync(join(folder, 'folder.svg'));
    try {
      const cases: [string[], number, RegExp][] = [
        [['--category', 'nope=analytics'], 2, /--category: "nope" is not a table of the document/],
        [['--category', 'alerts=storage'], 2, /"storage" is not a category/],
        [['--fail-over', '0'], 2, /--fail-over must be a positive ratio/],
        [['--window-days', '0'], 2, /--window-days must be a whole number from 1 to 3650/],
        [['--chart', join(folder, 'c.png')], 2, /--chart must name an \.svg file/],
        [['--chart', join(folder, 'folder.svg')], 2, /folder\.svg is a folder, not a regular file/],
        [['snapshot', '--now', '2999-01-01'], 2, /--now 2999-01-01 is ahead of the server's clock/],
      ];
      for (const [args, code, message] of cases) {
        const result = await cli(args);
        expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(code);
        expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
        expect(result.stderr).toMatch(message);
      }
      expect(existsSync(join(folder, 'c.png'))).toBe(false);
      expect(await db.query('SELECT 1 FROM rasdb.capacity_snapshots')).toEqual([]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('asks for rasdb migrate on a ledger older than this rasdb, whose tables are all there', async () => {
    // A second migrate makes the tables the first left for later.
    expect((await runCli(['migrate', '-q'], { env: { DATABASE_URL: db.url } })).code).toBe(0);
    await db.query('UPDATE rasdb.ledger_info SET version = version - 1');
    for (const args of [[], ['snapshot']]) {
      const result = await cli(args);
      expect(result.code, result.stderr).toBe(4);
      expect(result.stderr).toMatch(
        /rasdb ledger is version \d+, older than this rasdb's \(\d+\); run rasdb migrate first/,
      );
    }
    expect(await db.query('SELECT 1 FROM rasdb.capacity_snapshots')).toEqual([]);
  });

  it('asks for rasdb migrate on a database without the ledger', async () => {
    const bare = await createTestDatabase('capacity_bare');
    try {
      for (const args of [[], ['snapshot']]) {
        const result = await runCli(['capacity', ...args], { env: { DATABASE_URL: bare.url } });
        expect(result.code).toBe(4);
        expect(result.stderr).toMatch(/no rasdb ledger; run rasdb migrate first/);
      }
    } finally {
      await bare.drop();
    }
  });
});
