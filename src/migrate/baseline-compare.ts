import type pg from 'pg';
import { withTransaction } from '../db/transaction.js';
import { ExitCode, RasdbError } from '../errors.js';
import { readCatalog, type Catalog } from '../catalog/catalog.js';
import { diffCatalogs, type Difference } from '../catalog/catalog-diff.js';
import { compileMigration } from './compile.js';
import { MigrationExecutor, runInOrder } from './executor.js';
import { executorSettings } from './migrate.js';
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
export async function compareWithMigrations(
  client: pg.Client,
  files: readonly MigrationFile[],
  phase: number,
): Promise<TableDifference[]> {
  const adopted = files.filter((file) => file.phase >= 1 && file.phase <= phase);
  const tables: string[] = [];
  for (const file of adopted) tables.push(...createdTables(await compileMigration(await file.load(), 'up', file.name)));
  // Always rolled back: the scratch schema and everything replayed into it vanish with it.
  return withTransaction(
    client,
    async () => {
      await client.query(`CREATE SCHEMA ${SCRATCH}; SET LOCAL search_path = ${SCRATCH}`);
      const executor = new MigrationExecutor(client, { ...executorSettings({}), ledger: null, enclosed: true });
      const failed = (
        await runInOrder(
          executor,
          files.filter((f) => f.phase <= phase),
          'up',
        )
      ).find((s) => s.status === 'Error');
      if (failed) {
        throw new RasdbError(
          ExitCode.failed,
          `replaying ${failed.name} into a scratch schema failed: ${failed.error?.message}`,
          {
            migration: failed.name,
          },
        );
      }
      const expected = normalize(await readCatalog(client, { schema: SCRATCH, tables }));
      const live = normalize(await readCatalog(client, { schema: 'public', tables }));
      return diffCatalogs(expected, live).differences.map((d) => ({ ...d, blocking: d.kind !== 'extra' }));
    },
    { rollback: true },
  );
}

function createdTables(statements: readonly string[]): string[] {
  return statements
    .map((s) => /^create table (?:if not exists )?"([^"]+)"/i.exec(s.trim())?.[1])
    .filter((t): t is string => Boolean(t));
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
