import { beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { migratedCopies } from './support/migrated-copies.js';
import { adminUrl, type TestDatabase } from './support/database.js';
import { ensureLedger } from '../src/ledger/upgrade.js';
import { readPartitions } from '../src/partition/partitions.js';

// partition enable / status / maintain against a migrated database; every test works on a copy.
const copy = migratedCopies('part');
let db: TestDatabase;
beforeEach(() => {
  db = copy();
});

const cli = (args: string[]) => runCli(['partition', ...args], { env: { DATABASE_URL: db.url } });

/** Every row of the table as text, in id order: what must survive partitioning unchanged. */
async function snapshot(table: string): Promise<{ n: number; sum: string }> {
  const [row] = await db.query(
    `SELECT count(*)::int AS n, md5(coalesce(string_agg(t::text, '|' ORDER BY id), '')) AS sum FROM ${table} t`,
  );
  return { n: row.n, sum: row.sum };
}

async function seedMetrics(rows: number): Promise<void> {
  await db.query(
    `INSERT INTO performance_metrics (metric_type, component, value, unit, tags, recorded_at)
     SELECT 'cpu', 'api-' || (i % 7), i, 'pct', jsonb_build_object('i', i),
            (now() AT TIME ZONE current_setting('TimeZone')) - (i % 400) * interval '1 day'
       FROM generate_series(1, $1) i`,
    [rows],
  );
  await db.query(
    `INSERT INTO performance_metrics (metric_type, component, value, unit, recorded_at) VALUES ('cpu', 'x', 1, 'u', NULL)`,
  );
}

/**
 * The state an enable stopped after its bound check leaves on api_call_logs: the CHECK (valid, or
 * NOT VALID) and the ledger's record of an adoption with that bound, premake 4.
 */
async function leaveAdoption(bound: string, interval: 'day' | 'month', validity: 'NOT VALID' | ''): Promise<void> {
  await db.query(
    `ALTER TABLE api_call_logs ADD CONSTRAINT api_call_logs_rasdb_before_bound CHECK (called_at < '${bound}') ${validity}`,
  );
  const client = await db.connect();
  await ensureLedger(client).finally(() => client.end());
  await db.query(
    `INSERT INTO rasdb.partition_tables (table_name, time_column, interval_unit, premake, bound, state)
     VALUES ('api_call_logs', 'called_at', $1, 4, $2, 'adopting')`,
    [interval, bound],
  );
}

/** The most parallel workers seen serving the adoption's index build while the CLI ran `args`. */
async function indexWorkersDuring(args: string[]): Promise<number> {
  let running = true;
  const run = cli(args).finally(() => {
    running = false;
  });
  let most = 0;
  while (running) {
    const [row] = await db.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity w JOIN pg_stat_activity l ON l.pid = w.leader_pid
        WHERE w.backend_type = 'parallel worker' AND l.query LIKE '%CREATE UNIQUE INDEX CONCURRENTLY%'`,
    );
    most = Math.max(most, row.n);
  }
  const result = await run;
  expect(result.code, result.stderr).toBe(0);
  return most;
}

/** The workers each unique-index step of the history recorded. */
async function recordedIndexWorkers(): Promise<unknown[]> {
  const rows = await db.query(
    `SELECT detail->'workers' AS workers FROM rasdb.partition_history WHERE step = 'unique-index' ORDER BY id`,
  );
  return rows.map((r) => r.workers);
}

async function kindOf(table: string): Promise<string | null> {
  const [row] = await db.query(`SELECT relkind::text AS k FROM pg_class WHERE oid = to_regclass($1)`, [table]);
  return row?.k ?? null;
}

describe('partition enable', () => {
  it('partitions an empty, freshly migrated table in one step, and accepts every insert the application makes', async () => {
    const result = await cli(['enable', 'api_call_logs', '--interval', 'month', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc.adoptedRows).toBe(false);
    expect(doc.steps.map((s: { step: string }) => s.step)).toEqual(['swap', 'premake']);
    expect(await kindOf('api_call_logs')).toBe('p');
    const placed = await db.query(
      `INSERT INTO api_call_logs (method, endpoint, called_at) VALUES
         ('GET', '/null', NULL), ('GET', '/past', '1901-01-01'), ('GET', '/future', '2999-12-31'),
         ('GET', '/now', DEFAULT), ('GET', '/burst', now() + interval '3 years')
       RETURNING endpoint, tableoid::regclass::text AS part`,
    );
    const where = Object.fromEntries(placed.map((r) => [r.endpoint, r.part]));
    expect(where['/null']).toBe('api_call_logs_legacy');
    expect(where['/past']).toBe('api_call_logs_legacy');
    expect(where['/future']).toBe('api_call_logs_future');
    expect(where['/burst']).toBe('api_call_logs_future');
    expect(where['/now']).toMatch(/^api_call_logs_p\d{6}$/);
    const steps = await db.query(
      `SELECT step, outcome FROM rasdb.partition_history WHERE table_name = 'api_call_logs' ORDER BY id`,
    );
    expect(steps.map((s) => s.step)).toContain('swap');
  });

  it('adopts a table with rows without copying them: same rows, same heap, keys widened, foreign keys and indexes carried over', async () => {
    await seedMetrics(20_000);
    const before = await snapshot('performance_metrics');
    const [{ node }] = await db.query(`SELECT pg_relation_filenode('performance_metrics') AS node`);
    const result = await cli(['enable', 'performance_metrics', '--interval', 'week', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc.steps.map((s: { step: string }) => s.step)).toEqual([
      'unique-index',
      'bound-check',
      'validate',
      'swap',
      'premake',
    ]);
    expect(await snapshot('performance_metrics')).toEqual(before);
    // The heap is the same file: nothing was copied.
    const [{ legacyNode }] = await db.query(
      `SELECT pg_relation_filenode('performance_metrics_legacy') AS "legacyNode"`,
    );
    expect(legacyNode).toBe(node);
    const idx = await db.query(`SELECT indexname FROM pg_indexes WHERE tablename = 'performance_metrics' ORDER BY 1`);
    expect(idx.map((i) => i.indexname)).toEqual(
      expect.arrayContaining(['idx_performance_metrics_component', 'performance_metrics_id_recorded_at_key']),
    );
    // The sequence goes on from where it was, and belongs to the parent.
    const [owner] = await db.query(
      `SELECT d.refobjid::regclass::text AS t FROM pg_depend d WHERE d.objid = 'performance_metrics_id_seq'::regclass AND d.deptype = 'a'`,
    );
    expect(owner.t).toBe('performance_metrics');
    const [inserted] = await db.query(
      `INSERT INTO performance_metrics (metric_type, component, value, unit) VALUES ('a', 'b', 1, 'u') RETURNING id`,
    );
    expect(inserted.id).toBeGreaterThan(20_001);
    const history = await db.query(
      `SELECT step FROM rasdb.partition_history WHERE table_name = 'performance_metrics' ORDER BY id`,
    );
    const steps = history.map((h) => h.step);
    expect(steps.slice(0, 4)).toEqual(['unique-index', 'bound-check', 'validate', 'swap']);
    // Then one premake step a partition made ahead.
    expect(new Set(steps.slice(4))).toEqual(new Set(['premake']));
    expect(steps.length).toBeGreaterThan(5);
    // The swap made the first four partitions ahead under its own lock; maintain the rest, four a
    // transaction: every lock of the parent stalls every writer once more.
    const [swap] = await db.query(
      `SELECT xmin::text AS x, detail->'created' AS created FROM rasdb.partition_history WHERE table_name = 'performance_metrics' AND step = 'swap'`,
    );
    expect(swap.created).toHaveLength(4);
    const madeInSwap = await db.query(
      `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'performance_metrics'::regclass AND c.xmin::text = $1
          AND c.relname NOT IN ('performance_metrics_legacy', 'performance_metrics_future') ORDER BY 1`,
      [swap.x],
    );
    expect(madeInSwap.map((r) => r.relname)).toEqual(swap.created);
    const [premade] = await db.query(
      `SELECT count(*)::int AS n, count(DISTINCT xmin::text)::int AS transactions FROM rasdb.partition_history
        WHERE table_name = 'performance_metrics' AND step = 'premake' AND outcome = 'done'`,
    );
    expect(premade.n).toBeGreaterThan(4);
    expect(premade.transactions).toBe(Math.ceil(premade.n / 4));
    expect(doc.maintain.created).toEqual(expect.arrayContaining(swap.created));
    expect(doc.maintain.created).toHaveLength(4 + premade.n);
  });

  it("carries the table's comment, storage parameters and replica identity to the parent and every partition made", async () => {
    await seedMetrics(1_000);
    await db.query(
      `ALTER TABLE performance_metrics SET (fillfactor = 90, autovacuum_vacuum_scale_factor = 0.01, toast.autovacuum_enabled = false)`,
    );
    await db.query(`ALTER TABLE performance_metrics REPLICA IDENTITY FULL`);
    await db.query(`COMMENT ON TABLE performance_metrics IS E'the DBA''s note \\\\ kept'`);
    const enabled = await cli(['enable', 'performance_metrics', '--interval', 'week', '--premake', '2']);
    expect(enabled.code, enabled.stderr).toBe(0);
    await db.query(`UPDATE rasdb.partition_tables SET premake = 5`);
    expect((await cli(['maintain'])).code).toBe(0);
    const [parent] = await db.query(
      `SELECT obj_description('performance_metrics'::regclass, 'pg_class') AS comment, relreplident::text AS identity
         FROM pg_class WHERE oid = 'performance_metrics'::regclass`,
    );
    expect(parent).toEqual({ comment: "the DBA's note \\ kept", identity: 'f' });
    const parts = await db.query(
      `SELECT c.relname AS name, c.relreplident::text AS identity, c.reloptions AS options, t.reloptions AS toast
         FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid LEFT JOIN pg_class t ON t.oid = c.reltoastrelid
        WHERE i.inhparent = 'performance_metrics'::regclass ORDER BY 1`,
    );
    // The adopted heap, the far-future partition, and the weeks made by enable and by maintain.
    expect(parts.length).toBeGreaterThan(6);
    for (const p of parts) {
      expect(p.identity, p.name).toBe('f');
      expect(p.options, p.name).toEqual(['fillfactor=90', 'autovacuum_vacuum_scale_factor=0.01']);
      expect(p.toast, p.name).toEqual(['autovacuum_enabled=false']);
    }
  });

  it('keeps foreign keys out of the partitioned table enforced, and a second run only makes partitions ahead', async () => {
    await db.query(
      `INSERT INTO users (username, email) VALUES ('u', 'u@example.org');
       INSERT INTO security_events_extended (event_type, severity, event_details, occurred_at, user_id)
       SELECT 'login', 'low', '{}', now() - i * interval '1 hour', (SELECT min(id) FROM users) FROM generate_series(1, 500) i`,
    );
    const first = await cli(['enable', 'security_events_extended', '--interval', 'month']);
    expect(first.code, first.stderr).toBe(0);
    const bad = await runCliQuery(
      `INSERT INTO security_events_extended (event_type, severity, event_details, occurred_at, user_id) VALUES ('x', 'y', '{}', now(), -5)`,
    );
    expect(bad).toMatch(/foreign key/);
    const again = await cli(['enable', 'security_events_extended', '--interval', 'month', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).steps.map((s: { step: string }) => s.step)).toEqual([
      'already-partitioned',
      'premake',
    ]);
    // occurred_at is NOT NULL there: the key stays a primary key, widened.
    const [pk] = await db.query(
      `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = 'security_events_extended'::regclass AND contype = 'p'`,
    );
    expect(pk.def).toBe('PRIMARY KEY (id, occurred_at)');
    const differently = await cli(['enable', 'security_events_extended', '--interval', 'week']);
    expect(differently.code).toBe(4);
  });

  it('finishes what an interrupted run left: an invalid index of its own, a bound not yet validated', async () => {
    await seedMetrics(5_000);
    const before = await snapshot('performance_metrics');
    // What a run killed during CREATE INDEX CONCURRENTLY and after ADD CONSTRAINT ... NOT VALID leaves.
    await db.query(
      `CREATE UNIQUE INDEX performance_metrics_id_recorded_at_key_adopt ON performance_metrics (id, recorded_at);
       UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'performance_metrics_id_recorded_at_key_adopt'::regclass`,
    );
    const resumed = await cli(['enable', 'performance_metrics', '--interval', 'month', '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(await snapshot('performance_metrics')).toEqual(before);
    const [detail] = await db.query(
      `SELECT detail FROM rasdb.partition_history WHERE step = 'unique-index' AND outcome = 'done' ORDER BY id DESC LIMIT 1`,
    );
    expect(detail.detail.rebuilt).toBe(true);
  });

  it('builds the unique index in one process by default, leaving the other cores to the writers', async () => {
    // About 20 MB of heap: enough for PostgreSQL to plan parallel workers for an index build.
    await seedMetrics(150_000);
    expect(await indexWorkersDuring(['enable', 'performance_metrics', '--interval', 'month'])).toBe(0);
    expect(await recordedIndexWorkers()).toEqual([0]);
  });

  it('asks for parallel workers for it with --index-workers, and records the number', async () => {
    // Whether the server launches them is its own affair (none are free while other tests run
    // parallel queries): the test above proves the setting reaches the build; this one, the number.
    await seedMetrics(1_000);
    const result = await cli(['enable', 'performance_metrics', '--interval', 'month', '--index-workers', '2']);
    expect(result.code, result.stderr).toBe(0);
    expect(await recordedIndexWorkers()).toEqual([2]);
    const steps = await db.query(`SELECT step FROM rasdb.partition_history ORDER BY id`);
    expect(steps.map((r) => r.step)).toEqual(expect.arrayContaining(['unique-index', 'validate', 'swap']));
  });

  it('refuses (exit 4, naming them) a table others point at, a view on it, an invalid index, and integration_operations', async () => {
    const ops = await cli(['enable', 'integration_operations', '--interval', 'month']);
    expect(ops.code).toBe(4);
    expect(ops.stderr).toMatch(/UNIQUE \(operation_id, started_at\).*three single-column foreign keys/);
    await db.query(`CREATE VIEW recent_calls AS SELECT * FROM api_call_logs`);
    await db.query(`CREATE TABLE call_notes (id int, call_id int, called_at timestamp)`);
    await db.query(`ALTER TABLE call_notes ADD FOREIGN KEY (call_id) REFERENCES api_call_logs (id)`);
    const refused = await cli(['enable', 'api_call_logs', '--interval', 'month']);
    expect(refused.code).toBe(4);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/call_notes/);
    expect(refused.stderr).toMatch(/recent_calls/);
    expect(await kindOf('api_call_logs')).toBe('r');
    const unknown = await cli(['enable', 'users', '--interval', 'month']);
    expect(unknown.code).toBe(2);
    const badInterval = await cli(['enable', 'api_call_logs', '--interval', 'hour']);
    expect(badInterval.code).toBe(2);
  });

  it.each(['infinity', '10000-01-01 00:00:00'])(
    'refuses (exit 4, one line) a table holding a row at %s, beyond any partition made ahead, and changes nothing',
    async (when) => {
      await db.query(
        `INSERT INTO api_call_logs (method, endpoint, called_at) VALUES ('GET', '/now', now()), ('GET', '/far', $1)`,
        [when],
      );
      const refused = await cli(['enable', 'api_call_logs', '--interval', 'month']);
      expect(refused.code, refused.stderr).toBe(4);
      expect(refused.stderr.trim().split('\n')).toHaveLength(1);
      expect(refused.stderr).toContain(`rows dated up to ${when}`);
      expect(await kindOf('api_call_logs')).toBe('r');
      const [{ n }] = await db.query(
        `SELECT count(*)::int AS n FROM pg_constraint WHERE conrelid = 'api_call_logs'::regclass AND contype = 'c'`,
      );
      expect(n).toBe(0);
    },
  );

  it.each([
    ['one interval past the bound', '1 day', 0],
    ['far past any premake', '900 years', 4],
  ])(
    'a row written %s before the CHECK took hold moves the bound or refuses, never failing VALIDATE on every run',
    async (_, past, code) => {
      // What a writer can do between the latest time read and ADD CONSTRAINT ... NOT VALID: the
      // state is built here as that race (or a run killed after it) leaves it.
      const [{ bound }] = await db.query(
        `SELECT to_char(date_trunc('month', (now() AT TIME ZONE current_setting('TimeZone')) + interval '1 month'), 'YYYY-MM-DD HH24:MI:SS') AS bound`,
      );
      await db.query(
        `INSERT INTO api_call_logs (method, endpoint, called_at) VALUES ('GET', '/now', now()), ('GET', '/raced', $1::timestamp + $2::interval)`,
        [bound, past],
      );
      await leaveAdoption(bound, 'month', 'NOT VALID');
      const before = await snapshot('api_call_logs');
      for (let run = 0; run < 2; run++) {
        const result = await cli(['enable', 'api_call_logs', '--interval', 'month']);
        expect(result.code, result.stderr).toBe(code);
        if (code) expect(result.stderr).toMatch(/rows dated up to \d{4}-.*beyond the 4 months made ahead/);
      }
      expect(await snapshot('api_call_logs')).toEqual(before);
      expect(await kindOf('api_call_logs')).toBe(code ? 'r' : 'p');
      if (code) {
        const checks = await db.query(
          `SELECT conname FROM pg_constraint WHERE conrelid = 'api_call_logs'::regclass AND contype = 'c'`,
        );
        expect(checks).toEqual([]);
      }
    },
  );

  it('maintain lifts the bound of an adoption left unfinished before writers reach it, so no insert is rejected', async () => {
    // What an enable killed after VALIDATE leaves: a plain table whose CHECK rejects rows from C on.
    const [{ bound }] = await db.query(
      `SELECT to_char(date_trunc('hour', (now() AT TIME ZONE current_setting('TimeZone')) + interval '30 hours'), 'YYYY-MM-DD HH24:MI:SS') AS bound`,
    );
    await db.query(`INSERT INTO api_call_logs (method, endpoint, called_at) VALUES ('GET', '/now', now())`);
    await leaveAdoption(bound, 'day', '');
    const maintained = await cli(['maintain', '--json']);
    expect(maintained.code, maintained.stderr).toBe(0);
    const [lifted] = JSON.parse(maintained.stdout).tables;
    expect(lifted.table).toBe('api_call_logs');
    expect(lifted.boundLifted).toBeTruthy();
    await db.query(
      `INSERT INTO api_call_logs (method, endpoint, called_at) VALUES ('GET', '/after', $1::timestamp + interval '1 hour')`,
      [bound],
    );
    const finished = await cli(['enable', 'api_call_logs', '--interval', 'day', '--premake', '4']);
    expect(finished.code, finished.stderr).toBe(0);
    expect(await kindOf('api_call_logs')).toBe('p');
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])(
    'answers %s, a name every object has, as a table it does not partition (exit 2)',
    async (name) => {
      const result = await cli(['enable', name, '--interval', 'month']);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(/does not partition/);
    },
  );

  it('loses no row a writer inserts while the table is adopted', async () => {
    await seedMetrics(30_000);
    const writer = await db.connect();
    let stop = false;
    let written = 0;
    let failed: unknown;
    const writing = (async () => {
      while (!stop) {
        try {
          await writer.query(
            `INSERT INTO performance_metrics (metric_type, component, value, unit) VALUES ('w', 'w', 1, 'u')`,
          );
          written++;
        } catch (error) {
          failed = error;
          return;
        }
      }
    })();
    const result = await cli(['enable', 'performance_metrics', '--interval', 'month']);
    stop = true;
    await writing;
    await writer.end();
    expect(result.code, result.stderr).toBe(0);
    expect(failed).toBeUndefined();
    expect(written).toBeGreaterThan(0);
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM performance_metrics WHERE metric_type = 'w'`);
    expect(n).toBe(written);
  });
});

describe('partition status and maintain', () => {
  it('reports each partition and the deviations, as text and JSON', async () => {
    expect((await cli(['enable', 'api_call_logs', '--interval', 'month'])).code).toBe(0);
    const status = await cli(['status', '--json']);
    expect(status.code, status.stderr).toBe(0);
    const doc = JSON.parse(status.stdout);
    const api = doc.tables.find((t: { table: string }) => t.table === 'api_call_logs');
    expect(api.partitions[0].kind).toBe('legacy');
    expect(api.partitions.at(-1).kind).toBe('future');
    expect(api.deviations.join('\n')).toMatch(/PRIMARY KEY \(id\) is UNIQUE \(id, called_at\)/);
    expect(doc.unpartitioned).toContain('security_events_extended');
    const text = await cli(['status']);
    expect(text.stdout).toMatch(/api_call_logs_future/);
  });

  it('makes partitions ahead, moving rows that had gone to the far-future partition', async () => {
    expect((await cli(['enable', 'api_call_logs', '--interval', 'month', '--premake', '1'])).code).toBe(0);
    await db.query(
      `INSERT INTO api_call_logs (method, endpoint, called_at) VALUES ('GET', '/burst', now() + interval '70 days'), ('GET', '/far', '2999-01-01')`,
    );
    await db.query(`UPDATE rasdb.partition_tables SET premake = 4`);
    const maintained = await cli(['maintain', '--json']);
    expect(maintained.code, maintained.stderr).toBe(0);
    const [api] = JSON.parse(maintained.stdout).tables;
    expect(api.created.length).toBeGreaterThan(0);
    expect(api.movedFromFuture).toBe(1);
    const rows = await db.query(
      `SELECT endpoint, tableoid::regclass::text AS part FROM api_call_logs ORDER BY endpoint`,
    );
    expect(rows.find((r) => r.endpoint === '/far')?.part).toBe('api_call_logs_future');
    expect(rows.find((r) => r.endpoint === '/burst')?.part).toMatch(/^api_call_logs_p\d{6}$/);
    const again = await cli(['maintain', '--json']);
    expect(JSON.parse(again.stdout).tables[0].created).toEqual([]);
  });

  it('records a --premake given again to a partitioned table, so maintain keeps making that many', async () => {
    expect((await cli(['enable', 'api_call_logs', '--interval', 'month', '--premake', '1'])).code).toBe(0);
    const again = await cli(['enable', 'api_call_logs', '--interval', 'month', '--premake', '6', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).premake).toBe(6);
    const [{ premake }] = await db.query(
      `SELECT premake FROM rasdb.partition_tables WHERE table_name = 'api_call_logs'`,
    );
    expect(premake).toBe(6);
    const status = JSON.parse((await cli(['status', '--json'])).stdout);
    expect(status.tables.find((t: { table: string }) => t.table === 'api_call_logs').premake).toBe(6);
  });

  it('shows a DEFAULT partition rasdb did not name as DEFAULT, never as null bounds', async () => {
    expect((await cli(['enable', 'api_call_logs', '--interval', 'month'])).code).toBe(0);
    // An operator's own: the adopted heap renamed (or one swapped in for it).
    await db.query(`ALTER TABLE api_call_logs_legacy RENAME TO api_call_logs_other`);
    const status = await cli(['status']);
    expect(status.code, status.stderr).toBe(0);
    const line = status.stdout.split('\n').find((l) => l.includes('api_call_logs_other'));
    expect(line).toMatch(/DEFAULT/);
    expect(line).not.toMatch(/null/);
    expect(line).toMatch(/pruned row by row/);
  });
});

describe('locks and time zones', () => {
  it('a swap blocked by a writer on a referenced table retries, then exits 5 naming it, and changes nothing', async () => {
    // A row to adopt: the bound is then checked before the swap, and stays when the swap fails.
    await db.query(
      `INSERT INTO api_call_logs (method, endpoint, response_status, called_at) VALUES ('GET', '/a', 200, now()::timestamp)`,
    );
    const writer = await db.connect();
    try {
      await writer.query(`BEGIN; LOCK TABLE integration_operations IN ROW EXCLUSIVE MODE`);
      const [{ pid }] = (await writer.query(`SELECT pg_backend_pid() AS pid`)).rows;
      const blocked = await cli([
        'enable',
        'api_call_logs',
        '--interval',
        'month',
        '--lock-timeout',
        '300ms',
        '--lock-retries',
        '2',
      ]);
      expect(blocked.code).toBe(5);
      expect(blocked.stderr.trim().split('\n').at(-1)).toMatch(
        new RegExp(`swap of api_call_logs could not take its locks in 2 attempts.*pid ${pid}`),
      );
      // The bound check stays, and refuses rows from its bound on: the line says when, and what lifts it.
      const [{ bound }] = await db.query(
        `SELECT detail->>'bound' AS bound FROM rasdb.partition_history WHERE step = 'bound-check' AND outcome = 'done' ORDER BY id DESC LIMIT 1`,
      );
      expect(blocked.stderr.trim().split('\n').at(-1)).toContain(
        `; until it finishes, api_call_logs refuses rows dated ${bound} or later (its bound check): run partition enable again before then, or let partition maintain (retention prune runs it) lift the check once it is less than 48 h ahead`,
      );
      expect(await kindOf('api_call_logs')).toBe('r');
      const history = await db.query(`SELECT outcome FROM rasdb.partition_history WHERE step = 'swap' ORDER BY id`);
      expect(history.map((h) => h.outcome)).toEqual(['retried', 'failed']);
      const once = await cli([
        'enable',
        'api_call_logs',
        '--interval',
        'month',
        '--lock-timeout',
        '300ms',
        '--lock-retries',
        '1',
      ]);
      expect(once.stderr).toMatch(/could not take its locks in 1 attempt of 300 ms/);
      await writer.query('COMMIT');
    } finally {
      await writer.end();
    }
    expect((await cli(['enable', 'api_call_logs', '--interval', 'month'])).code).toBe(0);
  });

  it('reads bounds and now in the data zone of a database that is not UTC', async () => {
    await db.query(`ALTER DATABASE "${db.name}" SET timezone = 'Pacific/Kiritimati'`);
    const result = await cli(['enable', 'api_call_logs', '--interval', 'day', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc.timeZone).toBe('Pacific/Kiritimati');
    const [{ today, instant }] = await db.query(
      `SELECT to_char(now() AT TIME ZONE 'Pacific/Kiritimati', 'YYYY-MM-DD') AS today,
              to_char((date_trunc('day', now() AT TIME ZONE 'Pacific/Kiritimati') AT TIME ZONE 'Pacific/Kiritimati') AT TIME ZONE 'UTC',
                      'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS instant`,
    );
    // An empty table: the bound is the start of today on the data clock (UTC+14), not UTC's; JSON gives it as an instant.
    expect(doc.bound).toBe(instant);
    expect(result.stdout).not.toContain(`"${today} 00:00:00"`);
    const [row] = await db.query(
      `INSERT INTO api_call_logs (method, endpoint) VALUES ('GET', '/now') RETURNING tableoid::regclass::text AS part`,
    );
    expect(row.part).toBe(`api_call_logs_p${today.replace(/-/g, '')}`);
  });

  it('keeps the bounds of a database whose DateStyle, IntervalStyle and float digits are not the defaults', async () => {
    // Under SQL, DMY the server prints 2027-05-01 as 01/05/2027: read as text, bounds would be
    // unreadable, and compared as text, live partitions would look past any cutoff.
    for (const setting of [`DateStyle = 'SQL, DMY'`, `IntervalStyle = 'postgres_verbose'`, 'extra_float_digits = -15'])
      await db.query(`ALTER DATABASE "${db.name}" SET ${setting}`);
    await db.query(
      `INSERT INTO api_call_logs (method, endpoint, called_at)
       SELECT 'GET', '/old', (now() AT TIME ZONE current_setting('TimeZone')) - g * interval '5 days' FROM generate_series(1, 80) g`,
    );
    const enabled = await cli(['enable', 'api_call_logs', '--interval', 'month', '--premake', '2']);
    expect(enabled.code, enabled.stderr).toBe(0);
    const before = await db.query(`SELECT relname FROM pg_class WHERE relname LIKE 'api_call_logs_p%' ORDER BY 1`);
    expect(before.length).toBeGreaterThan(0);
    const maintained = await cli(['maintain', '--json']);
    expect(maintained.code, maintained.stderr).toBe(0);
    const status = JSON.parse((await cli(['status', '--json'])).stdout);
    const api = status.tables.find((t: { table: string }) => t.table === 'api_call_logs');
    for (const p of api.partitions.filter((x: { kind: string }) => x.kind === 'range'))
      expect(p.from, p.name).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    for (const step of ['summarize', 'prune']) {
      const run = await runCli(['retention', step, '-q'], { env: { DATABASE_URL: db.url } });
      expect(run.code, `${step}: ${run.stderr}`).toBe(0);
    }
    const after = await db.query(`SELECT relname FROM pg_class WHERE relname LIKE 'api_call_logs_p%' ORDER BY 1`);
    expect(after).toEqual(before);

    // The library reads the same bounds through a connection of the caller's, in its own DateStyle.
    const client = await db.connect();
    try {
      await client.query(`SET DateStyle = 'German'`);
      const parts = await readPartitions(client, 'api_call_logs');
      for (const p of parts.filter((x) => x.kind === 'range'))
        expect(p.from, p.name).toMatch(/^\d{4}-\d{2}-01 00:00:00$/);
      expect(parts.find((x) => x.kind === 'future')?.from).toMatch(/^\d{4}-\d{2}-01 00:00:00$/);
    } finally {
      await client.end();
    }
  });
});

describe('rollback of a phase whose tables are partitioned', () => {
  it('drops the partitioned tables whole, forgets their partitioning, and migrate makes them plain again', async () => {
    for (const table of ['api_call_logs', 'performance_metrics'])
      expect((await cli(['enable', table, '--interval', 'month'])).code).toBe(0);
    const env = { DATABASE_URL: db.url };
    const back = await runCli(['rollback', '--phase', '3'], { env });
    expect(back.code, back.stderr).toBe(0);
    expect(await kindOf('performance_metrics')).toBeNull();
    const [{ n }] = await db.query(
      `SELECT count(*)::int AS n FROM pg_class WHERE relname LIKE 'performance_metrics_%' AND relkind IN ('r', 'p')`,
    );
    expect(n).toBe(0);
    const known = await db.query(`SELECT table_name FROM rasdb.partition_tables ORDER BY 1`);
    expect(known.map((r) => r.table_name)).toEqual(['api_call_logs']);
    expect((await runCli(['migrate', '-q'], { env })).code).toBe(0);
    expect(await kindOf('performance_metrics')).toBe('r');
    expect(await kindOf('api_call_logs')).toBe('p');
    const verified = await runCli(['verify', '--scratch-url', adminUrl()], { env });
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    const all = await runCli(['rollback', '--all'], { env });
    expect(all.code, all.stderr).toBe(0);
    expect(await db.query(`SELECT table_name FROM rasdb.partition_tables`)).toEqual([]);
  });
});

async function runCliQuery(text: string): Promise<string> {
  try {
    await db.query(text);
    return 'ok';
  } catch (error) {
    return (error as Error).message;
  }
}
