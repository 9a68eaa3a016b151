import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { adminQuery, createTestDatabase, type TestDatabase } from './support/database.js';

// Retention on a partitioned api_call_logs: whole partitions dropped when nothing keeps a row,
// row-wise prune for the rest. The partitions of the past are made as a long-partitioned
// database would have them: enable on the empty table, then one partition per earlier month.
let template: TestDatabase;
let db: TestDatabase;
const MONTHS = 10;
beforeAll(async () => {
  template = await createTestDatabase('partret_template');
  const env = { DATABASE_URL: template.url };
  expect((await runCli(['migrate', '-q'], { env })).code).toBe(0);
  const enabled = await runCli(['partition', 'enable', 'api_call_logs', '--interval', 'month'], { env });
  expect(enabled.code, enabled.stderr).toBe(0);
  const client = await template.connect();
  try {
    const [{ bound }] = (await client.query(`SELECT to_char(bound, 'YYYY-MM-DD') AS bound FROM rasdb.partition_tables`))
      .rows;
    for (let i = 1; i <= MONTHS; i++) {
      const { rows } = await client.query(
        `SELECT to_char($1::date - make_interval(months => $2), 'YYYYMM') AS name,
                to_char($1::date - make_interval(months => $2), 'YYYY-MM-DD') AS f,
                to_char($1::date - make_interval(months => $2 - 1), 'YYYY-MM-DD') AS t`,
        [bound, i],
      );
      await client.query(
        `CREATE TABLE api_call_logs_p${rows[0].name} PARTITION OF api_call_logs FOR VALUES FROM ('${rows[0].f}') TO ('${rows[0].t}')`,
      );
    }
    // First in their partition (row addresses (0,1)..(0,5), as every partition's first rows have):
    // more calls at one time than a batch of 2 takes.
    await client.query(
      `INSERT INTO api_call_logs (method, endpoint, called_at) SELECT 'GET', '/tie', date_trunc('day', localtimestamp) - interval '120 days' FROM generate_series(1, 5)`,
    );
    // 20 calls a day for the months past and this one, and calls with no time.
    await client.query(
      `INSERT INTO api_call_logs (method, endpoint, response_status, response_time_ms, called_at)
       SELECT 'GET', '/v1/' || (i % 3), 200, i % 500, date_trunc('day', localtimestamp) - (d || ' days')::interval + (i || ' minutes')::interval
         FROM generate_series(1, ${MONTHS * 30}) d, generate_series(1, 20) i`,
    );
    await client.query(`INSERT INTO api_call_logs (method, endpoint, called_at) VALUES ('GET', '/none', NULL)`);
    // Older than every range partition: these sit in the adopted heap, the DEFAULT partition.
    await client.query(
      `INSERT INTO api_call_logs (method, endpoint, called_at) SELECT 'GET', '/heap', localtimestamp - interval '2 years' + (i || ' hours')::interval FROM generate_series(1, 50) i`,
    );
  } finally {
    await client.end();
  }
  const summarized = await runCli(['retention', 'summarize'], { env });
  expect(summarized.code, summarized.stderr).toBe(0);
}, 180_000);
afterAll(async () => {
  await template.drop();
});
beforeEach(async () => {
  db = await createTestDatabase('partret', { template: template.name });
});
afterEach(async () => {
  await db.drop();
});

const env = () => ({ DATABASE_URL: db.url });
async function prune(): Promise<any> {
  const result = await runCli(['retention', 'prune', '--policy', 'api_call_logs', '--json'], { env: env() });
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}
async function partitions(): Promise<string[]> {
  const rows = await db.query(
    `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'api_call_logs'::regclass ORDER BY 1`,
  );
  return rows.map((r) => r.relname);
}

describe('retention prune on a partitioned table', () => {
  it('drops the partitions wholly past the cutoff, records their rows as deleted, and prunes the rest row by row', async () => {
    const before = await partitions();
    const total = async () => (await db.query(`SELECT count(*)::int AS n FROM api_call_logs`))[0].n as number;
    const rowsBefore = await total();
    const doc = await prune();
    const expected = rowsBefore - (await total());
    expect(expected).toBeGreaterThan(MONTHS * 400);
    const api = doc.tables.find((t: { table: string }) => t.table === 'api_call_logs');
    expect(api.partitionsDropped.length).toBeGreaterThanOrEqual(MONTHS - 4);
    const after = await partitions();
    for (const p of api.partitionsDropped) expect(after).not.toContain(p.name);
    expect(after.length).toBe(before.length - api.partitionsDropped.length);
    // Every row before the partition the cutoff falls in is gone, dropped or (in the adopted heap)
    // deleted row by row; that partition's rows stay until it is wholly past the cutoff.
    expect(api.rowWiseCutoff).toMatch(/^\d{4}-\d{2}-01[ T]00:00:00Z?$/);
    const [{ n: below }] = await db.query(`SELECT count(*)::int AS n FROM api_call_logs WHERE called_at < $1`, [
      api.rowWiseCutoff,
    ]);
    expect(below).toBe(0);
    const [{ n: straddling }] = await db.query(
      `SELECT count(*)::int AS n FROM api_call_logs WHERE called_at >= $1 AND called_at < $2`,
      [api.rowWiseCutoff, api.cutoff],
    );
    expect(straddling).toBeGreaterThan(0);
    expect(api.deleted).toBe(expected);
    const [{ n: timeless }] = await db.query(`SELECT count(*)::int AS n FROM api_call_logs WHERE called_at IS NULL`);
    expect(timeless).toBe(1);
    // The auditor's record: the run's step counts the dropped rows; each drop is in the partition history.
    const [step] = await db.query(
      `SELECT rows_deleted FROM rasdb.retention_run_steps WHERE table_name = 'api_call_logs' AND action = 'prune'`,
    );
    expect(Number(step.rows_deleted)).toBe(expected);
    const drops = await db.query(`SELECT detail, run_id FROM rasdb.partition_history WHERE step = 'drop'`);
    expect(drops.map((d) => d.detail.partition).sort()).toEqual(
      api.partitionsDropped.map((p: { name: string }) => p.name).sort(),
    );
    expect(drops.every((d) => d.run_id === doc.runId)).toBe(true);
    // The adopted heap holds the row without a time: it stays.
    expect(after).toContain('api_call_logs_legacy');
  });

  it('keeps a partition with a held row whole, deletes the rest of its rows, and drops the others', async () => {
    const [{ id, part }] = await db.query(
      `SELECT id, tableoid::regclass::text AS part FROM api_call_logs WHERE called_at < localtimestamp - interval '200 days' ORDER BY id LIMIT 1`,
    );
    const hold = await runCli(
      ['retention', 'hold', 'add', '--table', 'api_call_logs', '--ids', String(id), '--reason', 'case 7'],
      {
        env: env(),
      },
    );
    expect(hold.code, hold.stderr).toBe(0);
    const api = (await prune()).tables[0];
    expect(api.partitionsKept).toContainEqual({ name: part, reason: 'legal_hold' });
    expect(await partitions()).toContain(part);
    const left = await db.query(`SELECT id FROM ${part}`);
    expect(left.map((r) => r.id)).toEqual([id]);
    expect(api.partitionsDropped.length).toBeGreaterThan(0);
  });

  it('keeps a partition whose row another table references, or that no summary has looked at yet', async () => {
    await db.query(
      `CREATE TABLE call_notes (id serial, call_id int, called_at timestamp, FOREIGN KEY (call_id, called_at) REFERENCES api_call_logs (id, called_at))`,
    );
    const [ref] = await db.query(
      `INSERT INTO call_notes (call_id, called_at) SELECT id, called_at FROM api_call_logs WHERE called_at < localtimestamp - interval '250 days' ORDER BY id LIMIT 1
       RETURNING call_id, (SELECT tableoid::regclass::text FROM api_call_logs a WHERE a.id = call_id) AS part`,
    );
    // A late row: an old time, written after the last summarize.
    const [late] = await db.query(
      `INSERT INTO api_call_logs (method, endpoint, called_at) VALUES ('GET', '/late', localtimestamp - interval '150 days') RETURNING tableoid::regclass::text AS part`,
    );
    const api = (await prune()).tables[0];
    const kept = Object.fromEntries(
      (api.partitionsKept ?? []).map((p: { name: string; reason: string }) => [p.name, p.reason]),
    );
    expect(kept[ref.part]).toBe('referenced_by_public.call_notes');
    expect(await partitions()).toContain(late.part);
    expect(await partitions()).toContain(ref.part);
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM api_call_logs WHERE id = $1`, [ref.call_id]);
    expect(n).toBe(1);
  });

  it('drops the other partitions beside one a long reader holds (two connections), and that one once the reader ends', async () => {
    const expired = (await partitions()).filter((p) => /_p\d{6}$/.test(p)).slice(0, 4);
    const reader = await db.connect();
    try {
      // A report reading the oldest month: its TRUNCATE waits for the reader, lock_timeout after lock_timeout.
      await reader.query(`BEGIN; SELECT count(*) FROM ${expired[0]}`);
      const running = runCli(['retention', 'prune', '--policy', 'api_call_logs', '--json'], { env: env() });
      const emptied = async () =>
        (await db.query(`SELECT detail->>'partition' AS p FROM rasdb.partition_history WHERE step = 'truncate'`)).map(
          (r) => r.p as string,
        );
      let done: string[] = [];
      for (let waited = 0; waited < 15_000 && !expired.slice(1).every((p) => done.includes(p)); waited += 200) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        done = await emptied();
      }
      // One connection waits on the held month; the other has emptied the months after it meanwhile.
      expect(done).toEqual(expect.arrayContaining(expired.slice(1)));
      expect(done).not.toContain(expired[0]);
      await reader.query('COMMIT');
      const result = await running;
      expect(result.code, result.stderr).toBe(0);
      const api = JSON.parse(result.stdout).tables[0];
      const dropped = api.partitionsDropped.map((p: { name: string }) => p.name);
      expect(dropped).toEqual(expect.arrayContaining(expired));
      // Reported in the partitions' order, whichever connection dropped each.
      expect(dropped).toEqual([...dropped].sort());
      expect(await partitions()).not.toContain(expired[0]);
    } finally {
      await reader.end();
    }
  });

  it('prunes on its one connection when a second cannot be had (a role at its connection limit)', async () => {
    const role = `rasdb_one_connection_${process.pid}`;
    await adminQuery(`DROP ROLE IF EXISTS ${role}`);
    const [{ owner }] = await adminQuery(`SELECT current_user AS owner`);
    // A member of the tables' owner, so it may drop their partitions; one connection at most.
    await adminQuery(`CREATE ROLE ${role} LOGIN PASSWORD '${role}-pw' CONNECTION LIMIT 1 IN ROLE ${owner}`);
    try {
      const url = new URL(db.url);
      url.username = role;
      url.password = `${role}-pw`;
      const result = await runCli(['retention', 'prune', '--policy', 'api_call_logs', '--json'], {
        env: { DATABASE_URL: url.toString() },
      });
      expect(result.code, result.stderr).toBe(0);
      const api = JSON.parse(result.stdout).tables[0];
      expect(api.partitionsDropped.length).toBeGreaterThanOrEqual(MONTHS - 4);
    } finally {
      await adminQuery(`DROP ROLE ${role}`);
    }
  });

  it('drops nothing before the summaries have run', async () => {
    await db.query(`UPDATE rasdb.retention_watermarks SET summarized_until = NULL, seen_id = 0`);
    const before = await partitions();
    const api = (await prune()).tables[0];
    expect(api.partitionsDropped ?? []).toEqual([]);
    expect(await partitions()).toEqual(before);
  });

  it('row-wise prune on a partitioned table never deletes rows of another partition that share a row address', async () => {
    // Many rows at one time in an expired partition, one of them held: prune takes them n at a time by ctid.
    const [{ id }] = await db.query(`SELECT min(id) AS id FROM api_call_logs WHERE endpoint = '/tie'`);
    await runCli(['retention', 'hold', 'add', '--table', 'api_call_logs', '--ids', String(id), '--reason', 'tie'], {
      env: env(),
    });
    const [{ n: recent }] = await db.query(
      `SELECT count(*)::int AS n FROM api_call_logs WHERE called_at >= localtimestamp - interval '80 days'`,
    );
    const result = await runCli(['retention', 'prune', '--policy', 'api_call_logs', '--batch-size', '2', '--json'], {
      env: env(),
    });
    expect(result.code, result.stderr).toBe(0);
    const [{ n: after }] = await db.query(
      `SELECT count(*)::int AS n FROM api_call_logs WHERE called_at >= localtimestamp - interval '80 days'`,
    );
    expect(after).toBe(recent);
    const [{ n: ties }] = await db.query(`SELECT count(*)::int AS n FROM api_call_logs WHERE endpoint = '/tie'`);
    expect(ties).toBe(1);
  });
});
