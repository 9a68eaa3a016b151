/**
 * Rebuilds test/fixtures/expected-schema.json from the design document itself: the hand-written
 * phase 0 (test/fixtures/phase-0-reference.sql) and the document's ```sql blocks, applied verbatim
 * to a scratch database, then read back with readCatalog. The migrations are compared against
 * this file, so it must never be produced by running them.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx test/support/write-expected-schema.ts [path/to/schema-extensions.md]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import pg from 'pg';
import { readCatalog } from '../../src/catalog/catalog.js';

const specPath = process.argv[2] ?? new URL('../../../shared/spec/schema-extensions.md', import.meta.url).pathname;
const admin = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const scratch = `rasdb_expected_${process.pid}`;

const documentSql = [...readFileSync(specPath, 'utf8').matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]).join('\n');
const phase0 = readFileSync(new URL('../fixtures/phase-0-reference.sql', import.meta.url), 'utf8');

const adminClient = new pg.Client({ connectionString: admin });
await adminClient.connect();
await adminClient.query(`CREATE DATABASE ${scratch}`);
try {
  const url = new URL(admin);
  url.pathname = `/${scratch}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(phase0);
    await client.query(documentSql);
    const catalog = await readCatalog(client);
    const out = new URL('../fixtures/expected-schema.json', import.meta.url);
    writeFileSync(out, JSON.stringify(catalog, null, 2) + '\n');
    console.log(`wrote ${out.pathname}: ${catalog.tables.length} tables`);
  } finally {
    await client.end();
  }
} finally {
  await adminClient.query(`DROP DATABASE ${scratch}`);
  await adminClient.end();
}
