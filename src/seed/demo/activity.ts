/**
 * Synthetic activity for the log tables, as plain `INSERT ... SELECT ... FROM generate_series`
 * statements. Each statement covers a range of row indexes and every value is a pure function of
 * (seed, index) (random-sql.ts), so the generator may cut a table into chunks and the benchmark
 * may run the same statement over the whole range at once: both produce the same rows.
 *
 * Integration operations come in groups of 8 sharing a system and an entity type: a `sync` root,
 * three child operations pointing at it (parent_operation_id), four standalone operations. API
 * calls (1 to 11 per operation, none for Xacta, which exchanges files) and sync conflicts point at
 * their operation. At --scale 1: 10,000 operations, about 48,000 API calls, 20,000 performance
 * metrics, 5,000 security events, 4,800 health checks.
 */
import { ACTIVITY_ENDPOINTS, API_IPS, SYSTEM_ENTITIES } from './activity-vocabulary.js';
import { monitoringStatements } from './monitoring-activity.js';
import type { RandomSql } from './random-sql.js';

export interface ActivityContext {
  readonly rand: RandomSql;
  readonly scale: number;
  /** external_systems ids, in the order tenable, qualys, xacta. */
  readonly systems: readonly [number, number, number];
  readonly users: readonly number[];
  readonly assets: readonly string[];
}

/** One table's generator: how many index values it spans and the statement for a range of them. */
export interface ActivityStatement {
  readonly table: string;
  /** The index range is 1..count (operations for api_call_logs and sync_conflicts). */
  readonly count: number;
  /** Rows are generated in chunks of this many index values. */
  readonly chunk: number;
  build(lo: number, hi: number): string;
}

/**
 * The statements, in foreign-key order.
 *
 * @example
 * for (const s of activityStatements(context)) await client.query(s.build(1, s.count));
 */
export function activityStatements(context: ActivityContext): ActivityStatement[] {
  const { rand, scale } = context;
  const operations = Math.max(8, Math.round((10_000 * scale) / 8) * 8);
  const users = `ARRAY[${context.users.join(', ')}]::int[]`;
  const assets = `ARRAY[${context.assets.map((uuid) => `'${uuid.replace(/[^0-9a-f-]/gi, '')}'`).join(', ')}]::uuid[]`;
  const anyOf = (array: string, size: number, u: string, type: string) =>
    size ? `(${array})[1 + floor(${u} * ${size})::int]` : `NULL::${type}`;
  const user = (index: string, stream: number) => anyOf(users, context.users.length, rand.u(index, stream), 'int');
  const asset = (index: string, stream: number) => anyOf(assets, context.assets.length, rand.u(index, stream), 'uuid');
  const ops = (lo: number, hi: number) =>
    `generate_series(${lo}, ${hi}) AS g(i) CROSS JOIN LATERAL ${operation(context)} AS o`;
  const call = 'g.i * 16 + k.j';
  return [
    {
      table: 'integration_operations',
      count: operations,
      chunk: 50_000,
      build: (lo, hi) => `
INSERT INTO integration_operations (operation_id, external_system_id, operation_type, entity_type, entity_id, external_entity_id, direction, status,
  request_payload, error_details, retry_count, started_at, completed_at, correlation_id, parent_operation_id, priority)
SELECT o.id, o.system_id, o.type, o.entity,
       CASE WHEN o.system = 3 THEN 'SYS-DEMO-' || (1 + (g.i % 5)) ELSE (${asset('g.i', 7)})::text END,
       substr(md5('${rand.seed}:ext:' || g.i), 1, 16), o.direction, o.status,
       CASE WHEN o.slot = 0 THEN jsonb_build_object('num_assets', 500, 'since', extract(epoch FROM o.started - interval '1 day')::bigint) END,
       CASE WHEN o.status = 'failed' THEN jsonb_build_object('http_status', 503, 'message', 'Service Unavailable') END,
       CASE WHEN o.status = 'failed' THEN 1 + floor(${rand.u('g.i', 8)} * 5)::int ELSE 0 END,
       o.started,
       CASE WHEN o.status <> 'in_progress' THEN o.started + make_interval(secs => ${rand.logNormal('g.i', 9, 45, 1)}) END,
       ${rand.uuid('correlation', 'CASE WHEN o.slot <= 3 THEN (g.i - 1) / 8 ELSE -g.i END')},
       CASE WHEN o.slot BETWEEN 1 AND 3 THEN ${rand.uuid('operation', '((g.i - 1) / 8) * 8 + 1')} END,
       1 + floor(${rand.u('g.i', 11)} * 10)::int
  FROM ${ops(lo, hi)}`,
    },
    {
      table: 'api_call_logs',
      count: operations,
      chunk: 20_000,
      build: (lo, hi) => `
INSERT INTO api_call_logs (external_system_id, operation_id, method, endpoint, request_body, response_status, response_headers, response_body,
  response_time_ms, error_message, called_at, ip_address, user_agent)
SELECT o.system_id, o.id, CASE WHEN k.j = 1 THEN 'POST' ELSE 'GET' END,
       ${ACTIVITY_ENDPOINTS('o.system', 'k.j', 'o.export_id')},
       CASE WHEN k.j = 1 THEN jsonb_build_object('num_assets', 500) END,
       c.status,
       CASE WHEN c.status = 429 THEN jsonb_build_object('retry-after', (5 + floor(c.u3 * 55))::int::text)
            WHEN c.status = 409 THEN jsonb_build_object('X-RateLimit-ToWait-Sec', (30 + floor(c.u3 * 300))::int::text) END,
       CASE WHEN k.j = 1 AND c.status = 200 THEN jsonb_build_object('export_uuid', o.export_id) END,
       CASE WHEN c.status >= 500 THEN 20 + floor(c.u3 * 80)::int ELSE round(${rand.logNormal(call, 5, 250, 0.9)})::int END,
       CASE c.status WHEN 429 THEN 'HTTP 429 Too Many Requests' WHEN 409 THEN 'HTTP 409 Conflict: rate limit' WHEN 502 THEN 'HTTP 502 Bad Gateway'
                     WHEN 503 THEN 'HTTP 503 Service Unavailable' WHEN 401 THEN 'HTTP 401 Unauthorized' END,
       o.started + make_interval(secs => k.j * 2 + c.u3),
       (${API_IPS('o.system')} || (1 + floor(${rand.u(call, 8)} * 254))::int)::inet,
       'RAS-DASH-integrations/1.0'
  FROM ${ops(lo, hi)}
 CROSS JOIN LATERAL generate_series(1, CASE WHEN o.system = 3 THEN 0 ELSE 1 + floor(${rand.u('g.i', 20)} * 11)::int END) AS k(j)
 CROSS JOIN LATERAL (SELECT x.u3, CASE WHEN x.u2 < 0.905 THEN 200 WHEN x.u2 < 0.95 THEN CASE WHEN o.system = 2 THEN 409 ELSE 429 END
                                      WHEN x.u2 < 0.975 THEN 503 WHEN x.u2 < 0.99 THEN 502 ELSE 401 END AS status
                       FROM (SELECT ${rand.u(call, 2)} AS u2, ${rand.u(call, 3)} AS u3 OFFSET 0) AS x OFFSET 0) AS c`,
    },
    {
      table: 'sync_conflicts',
      count: operations,
      chunk: 50_000,
      build: (lo, hi) => `
INSERT INTO sync_conflicts (operation_id, entity_type, entity_id, external_entity_id, conflict_type, field_name, internal_value, external_value,
  resolution_status, resolution_action, resolved_by, resolved_at, auto_resolved, created_at)
SELECT o.id, o.entity, o.entity || '-' || (g.i % 997), substr(md5('${rand.seed}:ext:' || g.i), 1, 16),
       ${rand.weighted(
         [
           ['field_mismatch', 60],
           ['missing_record', 20],
           ['duplicate', 10],
           ['validation_error', 10],
         ],
         rand.u('g.i', 31),
       )},
       ${SYSTEM_ENTITIES.field('o.entity')},
       to_jsonb(${rand.pick(['Open', 'high', 'in_progress', 'implemented'], rand.u('g.i', 32))}),
       to_jsonb(${rand.pick(['Fixed', 'critical', 'completed', 'planned'], rand.u('g.i', 33))}),
       r.status, CASE r.status WHEN 'resolved' THEN ${rand.pick(['kept_internal', 'took_external', 'merged'], rand.u('g.i', 34))} END,
       CASE WHEN r.status <> 'pending' THEN ${user('g.i', 35)} END,
       CASE WHEN r.status <> 'pending' THEN o.started + make_interval(hours => 1 + floor(${rand.u('g.i', 36)} * 72)::int) END,
       r.status = 'resolved' AND ${rand.u('g.i', 37)} < 0.6,
       o.started + interval '1 minute'
  FROM ${ops(lo, hi)}
 CROSS JOIN LATERAL (SELECT CASE WHEN o.started > ${rand.anchor} - interval '30 days' AND ${rand.u('g.i', 38)} < 0.6 THEN 'pending'
                                 WHEN ${rand.u('g.i', 38)} < 0.85 THEN 'resolved' ELSE 'ignored' END AS status OFFSET 0) AS r
 WHERE o.slot = 0 AND ${rand.u('g.i', 30)} < 0.12`,
    },
    ...monitoringStatements(context, user, asset),
  ];
}

/**
 * Operation g.i as a LATERAL subquery (OFFSET 0 keeps PostgreSQL from inlining it, so each value
 * is computed once per operation): slot in its group of 8, system (1 tenable, 2 qualys, 3 xacta),
 * entity, type, direction, start time and status. Children and standalone operations start
 * 40 s apart after their group's root.
 */
function operation(context: ActivityContext): string {
  const { rand } = context;
  const group = '((g.i - 1) / 8)';
  return `(SELECT b.*, ${rand.uuid('operation', 'g.i')} AS id, ${rand.uuid('export', 'g.i')} AS export_id, (ARRAY[${context.systems.join(', ')}])[b.system] AS system_id,
         ${SYSTEM_ENTITIES.pick('b.system', rand.u(group, 3))} AS entity,
         CASE WHEN b.slot = 0 THEN 'sync' ELSE ${rand.weighted(
           [
             ['update', 50],
             ['create', 30],
             ['sync', 15],
             ['delete', 5],
           ],
           rand.u('g.i', 5),
         )} END AS type,
         CASE WHEN b.system <> 3 THEN 'inbound' WHEN b.slot = 0 THEN 'bidirectional' WHEN ${rand.u('g.i', 6)} < 0.5 THEN 'outbound' ELSE 'inbound' END AS direction,
         CASE WHEN b.started > ${rand.anchor} - interval '6 hours' AND ${rand.u('g.i', 10)} < 0.3 THEN 'in_progress'
              WHEN ${rand.u('g.i', 10)} < 0.93 THEN 'completed' ELSE 'failed' END AS status
    FROM (SELECT (g.i - 1) % 8 AS slot,
                 CASE WHEN ${rand.u(group, 1)} < 0.55 THEN 1 WHEN ${rand.u(group, 1)} < 0.8 THEN 2 ELSE 3 END AS system,
                 ${rand.anchor} - make_interval(secs => ${rand.ageSeconds(group, 2)}) + make_interval(secs => ((g.i - 1) % 8) * 40 + ${rand.u('g.i', 4)} * 30) AS started
          OFFSET 0) AS b
   OFFSET 0)`;
}
