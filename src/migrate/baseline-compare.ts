import type pg from 'pg';
import { kyselyOn } from '../db/single-client-pool.js';
import { readCatalog, type CatalogTable } from '../schema/catalog.js';
import { compileMigration } from './compile.js';
import type { MigrationFile } from './migration-files.js';

/** How an existing table differs from what its migration would create. */
export interface TableDifference {
  table: string;
  object: string;
  kind: 'missing' | 'changed' | 'extra';
  expected?: string;
  found?: string;
  /** Extra columns or indexes a DBA added do not stop an adoption; missing or changed objects do. */
  blocking: boolean;
}

const SCRATCH = 'rasdb_baseline_scratch';

/**
 * Compares the tables that phases 1..`phase` create with the tables of the same names in `public`.
 * The migrations are replayed into a scratch schema inside a transaction that is always rolled
 * back, so the live database ends exactly as it was.
 *
 * @example
 * const differences = await compareWithMigrations(client, files, 2);
 */
export async function compareWithMigrations(client: pg.Client, files: readonly MigrationFile[], phase: number): Promise<TableDifference[]> {
  const adopted = files.filter((file) => file.phase >= 1 && file.phase <= phase);
  const tables: string[] = [];
  for (const file of adopted) tables.push(...createdTables(await compileMigration(await file.load(), 'up')));
  await client.query('BEGIN');
  try {
    await client.query(`CREATE SCHEMA ${SCRATCH}; SET LOCAL search_path = ${SCRATCH}`);
    const db = kyselyOn(client);
    for (const file of files.filter((f) => f.phase <= phase)) {
      const module = await file.load();
      if (module.transactional === false) {
        // Inside this throwaway transaction, the same statements run without CONCURRENTLY.
        for (const statement of await compileMigration(module, 'up')) await client.query(statement.replace(/\bconcurrently\b/i, ''));
      } else {
        await module.up(db);
      }
    }
    const expected = await readCatalog(client, { schema: SCRATCH, tables });
    const live = await readCatalog(client, { schema: 'public', tables });
    return diffTables(expected.tables, live.tables, tables);
  } finally {
    await client.query('ROLLBACK');
  }
}

function createdTables(statements: readonly string[]): string[] {
  return statements.map((s) => /^create table (?:if not exists )?"([^"]+)"/i.exec(s.trim())?.[1]).filter((t): t is string => Boolean(t));
}

function diffTables(expected: readonly CatalogTable[], live: readonly CatalogTable[], names: readonly string[]): TableDifference[] {
  const differences: TableDifference[] = [];
  const liveByName = new Map(live.map((t) => [t.name, t]));
  for (const name of names) {
    const want = expected.find((t) => t.name === name);
    const have = liveByName.get(name);
    if (!want) continue;
    if (!have) {
      differences.push({ table: name, object: name, kind: 'missing', blocking: true });
      continue;
    }
    const describeColumn = (c: CatalogTable['columns'][number]) => `${c.type}${c.notNull ? ' NOT NULL' : ''}${c.default ? ` DEFAULT ${normalize(c.default)}` : ''}`;
    compare(differences, name, 'column', want.columns, have.columns, describeColumn);
    compare(differences, name, 'constraint', want.constraints, have.constraints, (c) => normalize(c.definition));
    compare(differences, name, 'index', want.indexes, have.indexes, (i) => normalize(i.definition));
  }
  return differences;
}

function compare<T extends { name: string }>(out: TableDifference[], table: string, kind: string, want: readonly T[], have: readonly T[], describe: (item: T) => string): void {
  const haveByName = new Map(have.map((item) => [item.name, item]));
  for (const item of want) {
    const other = haveByName.get(item.name);
    const object = `${kind} ${table}.${item.name}`;
    if (!other) out.push({ table, object, kind: 'missing', expected: describe(item), blocking: true });
    else if (describe(other) !== describe(item)) out.push({ table, object, kind: 'changed', expected: describe(item), found: describe(other), blocking: true });
  }
  const wanted = new Set(want.map((item) => item.name));
  for (const item of have) {
    if (!wanted.has(item.name)) out.push({ table, object: `${kind} ${table}.${item.name}`, kind: 'extra', found: describe(item), blocking: false });
  }
}

/** Definitions name their schema only when it is off the search path: drop both schema names. */
function normalize(text: string): string {
  return text.replaceAll(`${SCRATCH}.`, '').replaceAll('public.', '');
}
