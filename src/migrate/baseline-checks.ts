import type pg from 'pg';
import { PLATFORM_TABLES } from './preflight.js';

/** One thing a live database must have before rasdb adopts it, with the fix when it fails. */
export interface BaselineCheck {
  check: string;
  passed: boolean;
  found: string;
  fix?: string;
}

interface ColumnFacts {
  exists: boolean;
  type: string | null;
  notNull: boolean;
  primaryKey: boolean;
  unique: boolean;
}

/**
 * What the design document's new tables need from the platform's existing ones: every phase-0
 * table present, `users.id` and `ingestion_vulnerabilities.id` INTEGER primary keys, and
 * `ingestion_assets.asset_uuid` a UUID that is NOT NULL and UNIQUE (foreign keys point at these).
 *
 * @example
 * const checks = await phaseZeroChecks(client); checks.every((c) => c.passed)
 */
export async function phaseZeroChecks(client: pg.Client): Promise<BaselineCheck[]> {
  const checks: BaselineCheck[] = [];
  const present = await existingTables(client);
  for (const table of PLATFORM_TABLES) {
    checks.push({
      check: `table ${table} exists`,
      passed: present.has(table),
      found: present.has(table) ? 'present' : 'missing',
      fix: present.has(table)
        ? undefined
        : `this is not a complete RAS DASH database; restore ${table}, or run rasdb migrate on an empty database instead`,
    });
  }
  checks.push(integerPrimaryKey('users', 'id', await columnFacts(client, 'users', 'id')));
  checks.push(
    integerPrimaryKey('ingestion_vulnerabilities', 'id', await columnFacts(client, 'ingestion_vulnerabilities', 'id')),
  );
  const asset = await columnFacts(client, 'ingestion_assets', 'asset_uuid');
  const fixes: string[] = [];
  if (asset.exists && asset.type !== 'uuid')
    fixes.push('ALTER TABLE ingestion_assets ALTER COLUMN asset_uuid TYPE uuid USING asset_uuid::uuid');
  if (asset.exists && !asset.notNull) fixes.push('ALTER TABLE ingestion_assets ALTER COLUMN asset_uuid SET NOT NULL');
  if (asset.exists && !asset.unique)
    fixes.push('ALTER TABLE ingestion_assets ADD CONSTRAINT ingestion_assets_asset_uuid_key UNIQUE (asset_uuid)');
  checks.push({
    check: 'ingestion_assets.asset_uuid is UUID, NOT NULL and UNIQUE',
    passed: asset.exists && fixes.length === 0,
    found: describe(asset),
    fix: !asset.exists
      ? 'add the column asset_uuid uuid NOT NULL UNIQUE to ingestion_assets'
      : fixes.length
        ? fixes.join('; ')
        : undefined,
  });
  return checks;
}

function integerPrimaryKey(table: string, column: string, facts: ColumnFacts): BaselineCheck {
  const fixes: string[] = [];
  if (facts.exists && facts.type !== 'integer') fixes.push(`ALTER TABLE ${table} ALTER COLUMN ${column} TYPE integer`);
  if (facts.exists && !facts.primaryKey) fixes.push(`ALTER TABLE ${table} ADD PRIMARY KEY (${column})`);
  return {
    check: `${table}.${column} is an INTEGER primary key`,
    passed: facts.exists && fixes.length === 0,
    found: describe(facts),
    fix: !facts.exists ? `add ${column} integer PRIMARY KEY to ${table}` : fixes.length ? fixes.join('; ') : undefined,
  };
}

function describe(facts: ColumnFacts): string {
  if (!facts.exists) return 'no such column';
  const parts = [facts.type ?? 'unknown type', facts.notNull ? 'NOT NULL' : 'nullable'];
  if (facts.primaryKey) parts.push('primary key');
  else if (facts.unique) parts.push('unique');
  return parts.join(', ');
}

async function existingTables(client: pg.Client): Promise<Set<string>> {
  const { rows } = await client.query(
    `SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p')`,
  );
  return new Set(rows.map((r) => r.relname));
}

/** Type, nullability, and whether a primary key or a plain unique constraint/index covers exactly this column. */
async function columnFacts(client: pg.Client, table: string, column: string): Promise<ColumnFacts> {
  const { rows } = await client.query(
    `SELECT format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
            EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary AND i.indnatts = 1 AND i.indkey[0] = a.attnum) AS primary_key,
            EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisunique AND i.indisvalid AND i.indpred IS NULL
                      AND i.indexprs IS NULL AND i.indnatts = 1 AND i.indkey[0] = a.attnum) AS is_unique
       FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = $2 AND NOT a.attisdropped
      WHERE c.relnamespace = 'public'::regnamespace AND c.relname = $1`,
    [table, column],
  );
  if (!rows.length) return { exists: false, type: null, notNull: false, primaryKey: false, unique: false };
  const row = rows[0];
  return {
    exists: true,
    type: row.type,
    notNull: row.not_null,
    primaryKey: row.primary_key,
    unique: row.is_unique || row.primary_key,
  };
}
