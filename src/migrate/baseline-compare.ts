import type pg from 'pg';
import { kyselyOn } from '../db/single-client-pool.js';
import { readCatalog, type Catalog } from '../catalog/catalog.js';
import { diffCatalogs, type Difference } from '../catalog/catalog-diff.js';
import { compileMigration } from './compile.js';
import type { MigrationFile } from './migration-files.js';

/** How an existing table differs from what its migration would create. */
export type TableDifference = Difference & {
  /** Extra columns or indexes a DBA added do not stop an adoption; missing or changed objects do. */
  readonly blocking: boolean;
};

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
    const expected = normalize(await readCatalog(client, { schema: SCRATCH, tables }));
    const live = normalize(await readCatalog(client, { schema: 'public', tables }));
    return diffCatalogs(expected, live).differences.map((d) => ({ ...d, blocking: d.kind !== 'extra' }));
  } finally {
    await client.query('ROLLBACK');
  }
}

function createdTables(statements: readonly string[]): string[] {
  return statements.map((s) => /^create table (?:if not exists )?"([^"]+)"/i.exec(s.trim())?.[1]).filter((t): t is string => Boolean(t));
}

/** Definitions name their schema only when it is off the search path: drop both schema names. */
function normalize(catalog: Catalog): Catalog {
  const strip = (text: string): string => text.replaceAll(`${SCRATCH}.`, '').replaceAll('public.', '');
  return {
    schema: 'public',
    tables: catalog.tables.map((t) => ({
      ...t,
      columns: t.columns.map((c) => ({ ...c, default: c.default === null ? null : strip(c.default) })),
      constraints: t.constraints.map((c) => ({ ...c, definition: strip(c.definition) })),
      indexes: t.indexes.map((i) => ({ ...i, definition: strip(i.definition) })),
    })),
  };
}
