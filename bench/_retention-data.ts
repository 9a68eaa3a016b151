/**
 * The data the retention benchmarks run on: `rows` API call logs (default 5,000,000) spread
 * evenly over the 400 days before NOW, about 440 bytes each with two JSONB columns, generated
 * set-based by PostgreSQL itself: the shape the research note measured (research/retention.md),
 * so the figures compare. (`rasdb seed --demo` makes smaller rows, all tied to operations, over its
 * own history.) Built once into a template database (3-5 minutes at 5M rows); each measurement
 * works on a copy. BENCH_KEEP=1 keeps the template for the next benchmark.
 */
import pg from 'pg';
import { migrate } from '../src/migrate/migrate.js';
import { completedLedgerVersion } from '../src/ledger/upgrade.js';
import { admin, urlFor } from './_support.js';

export const NOW = '2026-06-01 00:00:00';
export const DAYS = 400;
export const TEMPLATE = 'rasdb_bench_retention_template';
/** Change it when the generated rows change: a kept template (BENCH_KEEP=1) of another shape is rebuilt. */
const SHAPE = 'api-call-logs-v3';

export function rowsFromArgs(args: string[]): number {
  const i = args.indexOf('--rows');
  return i >= 0 ? Number(args[i + 1]) : Number(process.env.BENCH_ROWS ?? 5_000_000);
}

export async function connectTo(database: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: urlFor(database), options: '-c TimeZone=UTC' });
  await client.connect();
  return client;
}

/**
 * Creates (or, with BENCH_KEEP=1 and the same row count, reuses) the template database; `prepare`
 * runs after the migrations and before the rows are generated (the partition bench partitions the
 * empty table there, into its own template).
 */
export async function buildTemplate(
  rows: number,
  options: { template?: string; prepare?: (client: pg.Client) => Promise<void> } = {},
): Promise<void> {
  const templateName = options.template ?? TEMPLATE;
  const shape = `${SHAPE} ${rows}${options.prepare ? ` ${templateName}` : ''}`;
  if (process.env.BENCH_KEEP === '1') {
    const existing = await connectTo(templateName).catch(() => undefined);
    if (existing) {
      const { rows: found } = await existing
        .query(`SELECT obj_description('api_call_logs'::regclass) AS shape`)
        .catch(() => ({ rows: [{ shape: null }] }));
      // A kept template made by an older rasdb gets its ledger (and any new migration) brought up to date.
      if (found[0].shape === shape) await migrate(existing, {});
      await existing.end();
      if (found[0].shape === shape) return;
    }
  }
  await admin(`DROP DATABASE IF EXISTS ${templateName} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${templateName}`);
  const client = await connectTo(templateName);
  try {
    await migrate(client, {});
    // Retention's ledger tables, which a first migrate leaves for their first use (markSummarized writes one).
    await completedLedgerVersion(client);
    await options.prepare?.(client);
    await client.query(`INSERT INTO external_systems (system_name, system_type, api_base_url, authentication_method, connection_config)
      SELECT 'system ' || g, 'scanner', 'https://example.org/' || g, 'api_key', '{}' FROM generate_series(1, 10) g`);
    const started = performance.now();
    const chunk = 500_000;
    for (let from = 0; from < rows; from += chunk) {
      // Row g is called at NOW - DAYS days + g * (DAYS days / rows): time order, ~12,500 a day at 5M.
      await client.query(
        `INSERT INTO api_call_logs (external_system_id, method, endpoint, request_headers, request_body, response_status, response_body,
                                    response_time_ms, error_message, called_at, ip_address, user_agent)
         SELECT 1 + g % 10, (ARRAY['GET', 'GET', 'GET', 'POST', 'PUT'])[1 + g % 5], '/api/v2/' || (ARRAY['assets', 'vulns', 'scans', 'plugins'])[1 + g % 4],
                jsonb_build_object('accept', 'application/json', 'x-request-id', md5(g::text), 'user-agent', 'rasdash-connector/2.3'),
                NULL, CASE WHEN g % 50 = 0 THEN 503 WHEN g % 20 = 0 THEN 404 ELSE 200 END,
                jsonb_build_object('id', g % 5000, 'status', 'ok', 'page', g % 40, 'count', g % 500, 'checksum', md5((g * 7)::text), 'next', '/api/v2/assets?page=' || (g % 40 + 1)),
                20 + (g * 7919) % 2000, CASE WHEN g % 50 = 0 THEN 'upstream unavailable' END,
                timestamp '${NOW}' - interval '${DAYS} days' + (g::float8 / ${rows}) * interval '${DAYS} days', '10.0.0.1'::inet + (g % 250), 'rasdash-connector/2.3'
           FROM generate_series(${from}::bigint, ${Math.min(from + chunk, rows) - 1}::bigint) g`,
      );
      process.stdout.write(
        `\r  generated ${(Math.min(from + chunk, rows) / 1e6).toFixed(1)}M of ${(rows / 1e6).toFixed(1)}M rows`,
      );
    }
    await client.query('VACUUM ANALYZE api_call_logs');
    await client.query(`COMMENT ON TABLE api_call_logs IS '${shape}'`);
    // pg_partition_tree has no row for a plain table: the table itself is measured too.
    const { rows: size } = await client.query(
      `SELECT pg_size_pretty(sum(pg_table_size(relid))) AS heap, round(sum(pg_table_size(relid)) / greatest((SELECT count(*) FROM api_call_logs), 1)) AS bytes FROM (SELECT relid FROM pg_partition_tree('api_call_logs') UNION SELECT 'api_call_logs'::regclass) AS t`,
    );
    console.log(
      `\n  template: ${rows.toLocaleString('en-US')} rows over ${DAYS} days, ${size[0].heap} (${size[0].bytes} bytes a row), built in ${((performance.now() - started) / 1000).toFixed(0)} s`,
    );
  } finally {
    await client.end();
  }
}

/** A copy of the template, taken with CREATE DATABASE ... TEMPLATE. */
export async function copyTemplate(name: string, template = TEMPLATE): Promise<pg.Client> {
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  return connectTo(name);
}

export async function dropDatabases(...names: string[]): Promise<void> {
  for (const name of names) await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  if (process.env.BENCH_KEEP !== '1') await admin(`DROP DATABASE IF EXISTS ${TEMPLATE} WITH (FORCE)`);
}

/** Marks the daily API summary done up to NOW, so prune may delete up to its 90-day horizon. */
export async function markSummarized(client: pg.Client): Promise<void> {
  await client.query(
    `INSERT INTO rasdb.retention_watermarks (summary, policy, summarized_until, seen_id, previous_seen_id)
     SELECT 'api_call_daily_summary', 'api_call_logs', $1, max(id), max(id) FROM api_call_logs`,
    [NOW],
  );
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
