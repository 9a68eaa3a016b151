import type pg from 'pg';
import type { DB } from '../../generated/db.js';
import { LockKey, withAdvisoryLock } from '../db/advisory-lock.js';
import { kyselyOn } from '../db/single-client-pool.js';
import { withTransaction } from '../db/transaction.js';
import { LEDGER_VERSION, assertLedgerReadable, ensureLedger, ledgerVersion } from '../ledger/upgrade.js';
import { rasdbVersion } from '../version.js';
import { documentsOf } from './documents.js';
import { planTable, type KeptReason, type RowAction } from './plan-table.js';
import { readSeedSets, recordSeedSet, seedLedgerPresent, type TableCounts } from '../ledger/seed-sets.js';
import { checksumOf } from './set-checksum.js';
import { SEED_SETS, type SeedSetDefinition, type SetName } from './sets.js';
import type { AnySeedTable, BuiltSet } from './types.js';
import { writeTable } from './write-table.js';

/** `apply` writes; `dry-run` and `check` only read, in a read-only transaction. */
export type SeedMode = 'apply' | 'dry-run' | 'check';

export interface SeedOptions {
  only?: readonly SetName[];
  mode?: SeedMode;
  lockWaitMs?: number;
  onSet?: (result: SetResult) => void;
}

/** A row that is not (or, in a dry run, would not be) left as it is; and every kept row. */
export interface RowNote {
  table: string;
  key: string;
  action: RowAction;
  reason?: KeptReason;
  differing: string[];
}

export interface TableResult extends TableCounts {
  table: string;
}

export interface SetResult {
  name: SetName;
  title: string;
  phase: number;
  checksum: string;
  status: 'changed' | 'unchanged' | 'skipped';
  /** Tables of the set this database does not have yet (status `skipped`). */
  missingTables: string[];
  tables: TableResult[];
  /** Kept rows always; in `check` mode every row that differs from the seeds. */
  notes: RowNote[];
  /** Rows waiting for tables of a later phase (a metric whose data sources are not migrated yet). */
  heldBack: { table: string; key: string; missing: string[] }[];
  /** Whether the ledger's record of the set was written on this run. */
  recorded: boolean;
  durationMs: number;
}

export interface SeedResult {
  mode: SeedMode;
  sets: SetResult[];
  totals: TableCounts;
  /** Rows that differ from the seeds (to insert, update, or kept): what `--check` fails on. */
  differences: number;
}

/**
 * Upserts the reference sets by natural key and reports, per table, the rows inserted, updated,
 * unchanged and kept. Each set is one transaction, recorded in the ledger with its checksum; a
 * run that finds nothing to do writes nothing at all.
 *
 * @example
 * const result = await seed(session.client, { only: ['controls'] });
 * result.sets[0].tables // [{ table: 'controls_extended', inserted: 1421, ... }, ...]
 */
export async function seed(client: pg.Client, options: SeedOptions = {}): Promise<SeedResult> {
  const mode = options.mode ?? 'apply';
  const sets = SEED_SETS.filter((set) => !options.only || options.only.includes(set.name));
  const run = async (tracked: boolean): Promise<SeedResult> => {
    const recorded = new Map((await readSeedSets(client)).map((record) => [record.name, record.checksum]));
    const built = await Promise.all(sets.map(async (set) => ({ set, built: await set.build() })));
    const present = await presentTables(client, [...new Set(built.flatMap(({ built }) => tablesNeeded(built)))]);
    const results: SetResult[] = [];
    for (const { set, built: rows } of built) {
      const result = await seedOne(client, set, rows, {
        mode,
        tracked,
        present,
        recordedChecksum: recorded.get(set.name),
      });
      options.onSet?.(result);
      results.push(result);
    }
    return summarize(mode, results);
  };
  if (mode !== 'apply') {
    assertLedgerReadable(await ledgerVersion(client));
    return run(await seedLedgerPresent(client));
  }
  const waitMs = options.lockWaitMs ?? 60_000;
  return withAdvisoryLock(client, LockKey.seed, waitMs, async () => {
    // The ledger's upgrades are the migration runner's to make: take its lock only when one is due.
    const version = await ledgerVersion(client);
    assertLedgerReadable(version);
    if (version < LEDGER_VERSION) await withAdvisoryLock(client, LockKey.migrate, waitMs, () => ensureLedger(client));
    return run(true);
  });
}

interface RunContext {
  mode: SeedMode;
  tracked: boolean;
  present: ReadonlySet<string>;
  recordedChecksum?: string;
}

async function seedOne(
  client: pg.Client,
  set: SeedSetDefinition,
  built: BuiltSet,
  context: RunContext,
): Promise<SetResult> {
  const started = performance.now();
  const checksum = checksumOf(built);
  const base = {
    name: set.name,
    title: set.title,
    phase: set.phase,
    checksum,
    notes: [],
    heldBack: [],
    tables: [],
    recorded: false,
  };
  const missingTables = built.tables.map((table) => table.table).filter((table) => !context.present.has(table));
  if (missingTables.length) {
    return { ...base, status: 'skipped', missingTables, durationMs: Math.round(performance.now() - started) };
  }
  const result: SetResult = { ...base, status: 'unchanged', missingTables: [], durationMs: 0 };
  const db = kyselyOn<DB>(client);
  let verified = false;
  const writes = context.mode === 'apply';
  // A check or a dry run reads in a read-only transaction that is always rolled back.
  await withTransaction(
    client,
    async () => {
      for (const table of built.tables) {
        const ready = readyRows(table, context.present, result);
        const documents = JSON.stringify(await documentsOf(db, table, ready));
        const plan = await planTable(db, table, documents, context.tracked);
        const { rows, retrack, ...counts } = plan;
        result.tables.push({ table: table.table, ...counts });
        const noted = rows.filter((row) => row.action === 'kept' || context.mode === 'check');
        result.notes.push(...noted.map((row) => ({ table: table.table, ...row })));
        if (context.mode !== 'apply' || plan.inserted + plan.updated + retrack === 0) continue;
        // The set's own checks (queries that must run here...) guard writing, so they run before the first write only.
        if (!verified) await set.verify?.({ client, db, presentTables: context.present }, built);
        verified = true;
        await writeTable(db, table, documents, plan, set.name);
      }
      const changed = result.tables.some((t) => t.inserted + t.updated > 0);
      result.status = changed ? 'changed' : 'unchanged';
      result.durationMs = Math.round(performance.now() - started);
      if (context.mode === 'apply' && (changed || context.recordedChecksum !== checksum)) {
        const counts = Object.fromEntries(result.tables.map(({ table, ...counts }) => [table, counts]));
        await recordSeedSet(
          client,
          { name: set.name, checksum, durationMs: result.durationMs, counts },
          rasdbVersion(),
        );
        result.recorded = true;
      }
    },
    { readOnly: !writes, rollback: !writes },
  );
  return result;
}

/** The rows whose required tables exist; the others are reported as held back. */
function readyRows(table: AnySeedTable, present: ReadonlySet<string>, result: SetResult): AnySeedTable['rows'] {
  return table.rows.filter((row) => {
    const missing = (row.requires ?? []).filter((name) => !present.has(name));
    if (missing.length) result.heldBack.push({ table: table.table, key: row.key, missing });
    return missing.length === 0;
  });
}

function tablesNeeded(built: BuiltSet): string[] {
  return built.tables.flatMap((table) => [table.table, ...table.rows.flatMap((row) => row.requires ?? [])]);
}

function summarize(mode: SeedMode, sets: SetResult[]): SeedResult {
  const totals: TableCounts = { inserted: 0, updated: 0, unchanged: 0, kept: 0 };
  for (const table of sets.flatMap((set) => set.tables)) {
    totals.inserted += table.inserted;
    totals.updated += table.updated;
    totals.unchanged += table.unchanged;
    totals.kept += table.kept;
  }
  return { mode, sets, totals, differences: totals.inserted + totals.updated + totals.kept };
}

/** Which of `tables` exist, resolved on the search path as the migrations created them. */
export async function presentTables(client: pg.Client, tables: readonly string[]): Promise<Set<string>> {
  const { rows } = await client.query(
    `SELECT t FROM unnest($1::text[]) AS t WHERE to_regclass(quote_ident(t)) IS NOT NULL`,
    [tables],
  );
  return new Set(rows.map((row) => row.t));
}
