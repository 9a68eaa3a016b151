/**
 * `rasdb capacity` on a 5,000,000-row database against `count(*)` of the same 31 tables, in the
 * same run, on the same warm cache: the report reads the catalog, the statistics and index
 * bounds, never the tables, so it must cost at most 0.05x of counting them. Also prints how well
 * the report recovers each category's injected flow from the statistics of tables this large
 * (the tests check it on small ones).
 *
 *   npm run bench -- capacity [--rows 5000000]      (BENCH_KEEP=1 keeps the template database)
 */
import pg from 'pg';
import { capacityReport } from '../src/capacity/capacity.js';
import { DOCUMENT_TABLES } from '../src/capacity/categories.js';
import { completedLedgerVersion } from '../src/ledger/upgrade.js';
import { migrate } from '../src/migrate/migrate.js';
import { fileURLToPath } from 'node:url';
import { admin, buildProject, median, report, timeProcess, urlFor } from './_support.js';

const BIN = fileURLToPath(new URL('../bin/rasdb.js', import.meta.url));

const TEMPLATE = 'rasdb_bench_capacity_template';
const DATABASE = 'rasdb_bench_capacity';
const ZONE = 'America/New_York';
const DAYS = 400;
const SHAPE = 'capacity-v2';
const WARM_UPS = 5;
const SAMPLES = 11;

/** Shares of the rows per table; a category's injected flow is its tables' rows over DAYS days. */
const SHARES: readonly {
  table: string;
  column: string;
  category: string;
  share: number;
  columns: string;
  values: string;
}[] = [
  {
    table: 'api_call_logs',
    column: 'called_at',
    category: 'integration',
    share: 0.6,
    columns: 'method, endpoint, response_status, request_headers, response_body',
    values: `'GET', '/api/v2/assets/' || g % 5000, 200, jsonb_build_object('x-request-id', md5(g::text)), jsonb_build_object('id', g % 5000, 'status', 'ok')`,
  },
  {
    table: 'metrics_values',
    column: 'created_at',
    category: 'analytics',
    share: 0.2,
    columns: 'value, calculated_at',
    values: `g % 1000, timestamp '2026-01-01'`,
  },
  {
    table: 'security_events_extended',
    column: 'occurred_at',
    category: 'audit-security',
    share: 0.1,
    columns: 'event_type, severity, event_details',
    values: `'login_failure', 'low', jsonb_build_object('user', 'u' || g % 400)`,
  },
  {
    table: 'data_access_logs',
    column: 'accessed_at',
    category: 'audit-security',
    share: 0.06,
    columns: 'resource_type, action',
    values: `'asset', 'read'`,
  },
  {
    table: 'asset_changes',
    column: 'detected_at',
    category: 'enhanced-management',
    share: 0.03,
    columns: 'change_type, field_name, new_value',
    values: `'field', 'os', to_jsonb(md5(g::text))`,
  },
  {
    table: 'workflow_executions',
    column: 'started_at',
    category: 'workflow',
    share: 0.01,
    columns: 'status',
    values: `'completed'`,
  },
];

function rowsFromArgs(args: string[]): number {
  const i = args.indexOf('--rows');
  return i >= 0 ? Number(args[i + 1]) : Number(process.env.BENCH_ROWS ?? 5_000_000);
}

async function connect(database: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: urlFor(database) });
  await client.connect();
  return client;
}

async function buildTemplate(rows: number): Promise<void> {
  const shape = `${SHAPE} ${rows}`;
  if (process.env.BENCH_KEEP === '1') {
    const kept = await connect(TEMPLATE).catch(() => undefined);
    if (kept) {
      const { rows: found } = await kept
        .query(`SELECT obj_description('api_call_logs'::regclass) AS shape`)
        .catch(() => ({ rows: [{ shape: null }] }));
      await kept.end();
      if (found[0].shape === shape) return;
    }
  }
  await admin(`DROP DATABASE IF EXISTS ${TEMPLATE} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${TEMPLATE}`);
  await admin(`ALTER DATABASE ${TEMPLATE} SET timezone = '${ZONE}'`);
  const client = await connect(TEMPLATE);
  const started = performance.now();
  try {
    await migrate(client, {});
    // The report's first call would otherwise make the ledger tables a first migrate leaves.
    await completedLedgerVersion(client);
    for (const s of SHARES) {
      const n = Math.round(rows * s.share);
      const chunk = 500_000;
      for (let from = 1; from <= n; from += chunk) {
        // Row g arrives g * (DAYS days / n) before now on the data's clock.
        await client.query(
          `INSERT INTO ${s.table} (${s.columns}, ${s.column})
           SELECT ${s.values}, (now() AT TIME ZONE '${ZONE}') - (g::float8 / ${n}) * interval '${DAYS} days'
             FROM generate_series(${from}::bigint, ${Math.min(from + chunk - 1, n)}::bigint) g`,
        );
      }
      process.stdout.write(`\r  generated ${s.table} (${n.toLocaleString('en-US')} rows)            `);
    }
    await client.query('VACUUM ANALYZE');
    await client.query(`COMMENT ON TABLE api_call_logs IS '${shape}'`);
    console.log(
      `\n  template: ${rows.toLocaleString('en-US')} rows over ${DAYS} days in ${((performance.now() - started) / 1000).toFixed(0)} s`,
    );
  } finally {
    await client.end();
  }
}

export default async function main(args: string[]): Promise<void> {
  const rows = rowsFromArgs(args);
  buildProject();
  await buildTemplate(rows);
  await admin(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${DATABASE} TEMPLATE ${TEMPLATE}`);
  await admin(`ALTER DATABASE ${DATABASE} SET timezone = '${ZONE}'`);
  // The copy's pages go to disk now rather than while either side is measured.
  await admin('CHECKPOINT');
  const client = await connect(DATABASE);
  try {
    const count = async () => {
      const t = performance.now();
      for (const d of DOCUMENT_TABLES) await client.query(`SELECT count(*) FROM ${client.escapeIdentifier(d.table)}`);
      return performance.now() - t;
    };
    const capacity = async () => {
      const t = performance.now();
      await capacityReport(client);
      return performance.now() - t;
    };
    // Warms the server's cache for both, and the report's code: the first calls of a library run
    // before V8 has compiled it, and measure that rather than what the report asks of the server.
    await count();
    const firstReport = await capacity();
    for (let i = 0; i < WARM_UPS; i++) {
      await count();
      await capacity();
    }
    const counts: number[] = [];
    const reports: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      counts.push(await count());
      reports.push(await capacity());
    }
    if (process.env.BENCH_VERBOSE)
      console.log(
        'reports',
        reports.map((x) => x.toFixed(2)).join(' '),
        'counts',
        counts.map((x) => x.toFixed(0)).join(' '),
      );
    console.log(`  the first report, before any warm-up: ${firstReport.toFixed(1)} ms`);
    report(
      `capacity report on ${rows.toLocaleString('en-US')} rows (median of ${SAMPLES}, after ${WARM_UPS} warm-up rounds)`,
      { name: 'capacityReport', ms: median(reports) },
      { name: 'count(*) of the 31 tables', ms: median(counts) },
      0.05,
    );
    const cli = median(
      [0, 1, 2].map(() => timeProcess(process.execPath, [BIN, 'capacity', '--json', '-u', urlFor(DATABASE)])),
    );
    report(
      'the whole command, Node start included',
      { name: 'rasdb capacity --json', ms: cli },
      { name: 'count(*) of the 31 tables', ms: median(counts) },
    );

    const r = await capacityReport(client);
    for (const category of [...new Set(SHARES.map((s) => s.category))]) {
      const injected =
        SHARES.filter((s) => s.category === category).reduce((sum, s) => sum + Math.round(rows * s.share), 0) / DAYS;
      const measured = (r.categories.find((c) => c.name === category)?.rowsPerYear ?? 0) / 365.25;
      const methods = r.tables
        .filter((t) => t.category === category && t.flow.rowsInWindow > 0)
        .map((t) => `${t.table} ${t.flow.method}`);
      console.log(
        `  ${category}: injected ${injected.toFixed(0)} rows/day, measured ${measured.toFixed(0)} (${((measured / injected - 1) * 100).toFixed(2)} %) [${methods.join(', ')}]`,
      );
    }
  } finally {
    await client.end();
    await admin(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
    if (process.env.BENCH_KEEP !== '1') await admin(`DROP DATABASE IF EXISTS ${TEMPLATE} WITH (FORCE)`);
  }
}
