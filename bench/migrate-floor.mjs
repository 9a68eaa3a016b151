// The least any Node.js migration runner can do for the migrate benchmark, as a reference point:
// node starts, loads pg, connects, creates a three-table ledger, and sends each migration's
// dry-run SQL with its ledger row as one query in one transaction each. No Kysely, no checksums,
// no lock, no pre-flight checks, no output. Plain JavaScript, so it is run by node directly.
//
// usage: node bench/migrate-floor.mjs <database url> <dry-run sql file>
import { readFileSync } from 'node:fs';
import pg from 'pg';

const [url, sqlFile] = process.argv.slice(2);
const migrations = readFileSync(sqlFile, 'utf8')
  .split(/^-- .*$/m)
  .filter((part) => part.trim());

const client = new pg.Client({ connectionString: url });
await client.connect();
await client.query(`BEGIN;
  CREATE SCHEMA floor;
  CREATE TABLE floor.ledger_info (version integer PRIMARY KEY);
  CREATE TABLE floor.migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
  CREATE TABLE floor.migration_events (id bigserial PRIMARY KEY, name text NOT NULL);
  COMMIT`);
for (const [index, sql] of migrations.entries()) {
  const last = index === migrations.length - 1;
  await client.query(
    `BEGIN; ${last ? '' : 'SET LOCAL synchronous_commit = off;'}\n${sql}\nINSERT INTO floor.migrations (name) VALUES ('m${index}'); COMMIT`,
  );
}
await client.end();
