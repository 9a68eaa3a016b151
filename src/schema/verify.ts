import type pg from 'pg';
import { findMismatches, type ChecksumMismatch } from '../migrate/checksums.js';
import { assertLedgerReadable, ledgerVersion } from '../ledger/upgrade.js';
import { defaultMigrationsDir, listMigrations } from '../migrate/migration-files.js';
import { planMigrations } from '../migrate/plan.js';
import { readCatalog } from '../catalog/catalog.js';
import { diffCatalogs, type Difference } from '../catalog/catalog-diff.js';
import { readLooseRelations, type LooseRelation } from '../catalog/relations.js';
import { replayMigrations, replayPartitioning } from './replay.js';
import { partitionDrift, partitionNames } from '../catalog/partition-drift.js';
import { readPartitionTables } from '../ledger/partitions.js';
import type { Catalog, CatalogClient } from '../catalog/catalog.js';
import { withScratchDatabase, type ScratchOptions } from './scratch-database.js';

export interface VerifyOptions extends ScratchOptions {
  readonly migrationsDir?: string;
  /** Unmanaged objects fail the check too. */
  readonly strict?: boolean;
  /** The database is kept at this phase on purpose: migrations of later phases are not pending. */
  readonly phase?: number;
}

/** An object of the live `public` schema that no applied migration makes. */
export interface UnmanagedObject {
  readonly type: 'table' | LooseRelation['type'];
  readonly name: string;
}

export interface VerifyResult {
  /** No differences, no pending migration, no checksum mismatch (and, with `strict`, nothing unmanaged). */
  readonly ok: boolean;
  readonly strict: boolean;
  /** Where the applied migrations were replayed. */
  readonly scratch: string;
  /** The applied migrations, replayed in this order. */
  readonly replayed: readonly string[];
  readonly pending: readonly { name: string; phase: number }[];
  readonly checksumMismatches: readonly ChecksumMismatch[];
  readonly differences: readonly Difference[];
  readonly unmanaged: readonly UnmanagedObject[];
}

/**
 * Proves that the database on `client` is what its applied migrations produce: replays them (the
 * current files, in order) on a scratch database, compares the two `public` schemas, and reports
 * every difference by object, the pending migrations, the applied ones whose file changed, and
 * the objects no migration makes. Reads the live database only; the scratch one is removed.
 *
 * @example
 * const result = await verify(session.client, { scratchUrl: 'postgres://postgres@127.0.0.1:5432/postgres' });
 * if (!result.ok) for (const d of result.differences) console.log(d.kind, d.type, d.object);
 */
export async function verify(client: pg.Client, options: VerifyOptions = {}): Promise<VerifyResult> {
  const files = listMigrations(options.migrationsDir ?? defaultMigrationsDir());
  assertLedgerReadable(await ledgerVersion(client));
  const plan = await planMigrations(client, files, options.phase);
  const appliedNames = new Set(plan.applied.map((m) => m.name));
  const replayed = files.filter((f) => appliedNames.has(f.name));
  const partitioned = await readPartitionTables(client);
  // The live reads and the checksums overlap with creating and filling the scratch database.
  const [expected, live, checksumMismatches] = await Promise.all([
    withScratchDatabase(options, async (scratch, label) => {
      await replayMigrations(scratch, replayed);
      await replayPartitioning(scratch, partitioned);
      return { label, catalog: await parents(scratch), loose: await readLooseRelations(scratch) };
    }),
    (async () => ({
      catalog: await parents(client),
      loose: await readLooseRelations(client),
      partitions: await partitionDrift(client),
    }))(),
    findMismatches(plan.applied, files),
  ]);

  const { differences, unmanagedTables } = diffCatalogs(expected.catalog, live.catalog);
  const liveLoose = new Set(live.loose.map((r) => r.name));
  const expectedLoose = new Set(expected.loose.map((r) => r.name));
  // Views and free-standing sequences the migrations make: compared by presence.
  const missingLoose: Difference[] = expected.loose
    .filter((r) => !liveLoose.has(r.name))
    .map((r) => ({ kind: 'missing', type: r.type, object: r.name }));
  const unmanaged: UnmanagedObject[] = [
    ...unmanagedTables.map((name) => ({ type: 'table' as const, name })),
    ...live.loose.filter((r) => !expectedLoose.has(r.name)),
  ];
  const pending = plan.pending.map((f) => ({ name: f.name, phase: f.phase }));
  const strict = Boolean(options.strict);
  const drift = [...differences, ...missingLoose, ...live.partitions];
  const ok =
    drift.length === 0 &&
    pending.length === 0 &&
    checksumMismatches.length === 0 &&
    (!strict || unmanaged.length === 0);
  return {
    ok,
    strict,
    scratch: expected.label,
    replayed: replayed.map((f) => f.name),
    pending,
    checksumMismatches,
    differences: drift,
    unmanaged,
  };
}

/** The catalog without partitions: which exist is data; how they differ from their parent is partitionDrift's. */
async function parents(client: CatalogClient): Promise<Catalog> {
  const catalog = await readCatalog(client);
  const partitions = await partitionNames(client);
  return { ...catalog, tables: catalog.tables.filter((t) => !partitions.has(t.name)) };
}
