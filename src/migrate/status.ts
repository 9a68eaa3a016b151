import type pg from 'pg';
import { lastFailures, type FailureRecord } from '../ledger/migrations.js';
import { readSeedSets, type SeedSetRecord } from '../ledger/seed-sets.js';
import { assertLedgerReadable, ledgerVersion } from '../ledger/upgrade.js';
import { MAX_PHASE, defaultMigrationsDir, listMigrations } from './migration-files.js';
import { planMigrations } from './plan.js';

export interface MigrationStatus {
  name: string;
  state: 'applied' | 'pending';
  appliedAt: string | null;
  durationMs: number | null;
  appliedBy: string | null;
  baselined: boolean;
  /** The last failure of a migration that is still pending, from the ledger's history. */
  lastFailure: FailureRecord | null;
}

export interface PhaseStatus {
  phase: number;
  folder: string | null;
  applied: number;
  pending: number;
  migrations: MigrationStatus[];
}

/** The shape `rasdb status --json` prints (documented in the README; add fields, never rename). */
export interface StatusReport {
  ledger: { present: boolean; version: number };
  currentPhase: number;
  applied: number;
  pending: number;
  phases: PhaseStatus[];
  /** Reference sets `rasdb seed` applied: checksum, when, by whom. */
  seedSets: SeedSetRecord[];
}

/**
 * Per phase: which migrations are applied (when, how long, by whom) and which are pending. Reads only.
 *
 * @example
 * const report = await status(client); report.phases[1].pending // 0 once phase 1 is applied
 */
export async function status(client: pg.Client, options: { migrationsDir?: string } = {}): Promise<StatusReport> {
  const files = listMigrations(options.migrationsDir ?? defaultMigrationsDir());
  const version = await ledgerVersion(client);
  assertLedgerReadable(version);
  const plan = await planMigrations(client, files, MAX_PHASE);
  const appliedByName = new Map(plan.applied.map((entry) => [entry.name, entry]));
  const failures = version > 0 ? await lastFailures(client) : new Map<string, FailureRecord>();
  const phases: PhaseStatus[] = [];
  for (let phase = 0; phase <= MAX_PHASE; phase++) {
    const migrations = files
      .filter((file) => file.phase === phase)
      .map((file): MigrationStatus => {
        const entry = appliedByName.get(file.name);
        return {
          name: file.name,
          state: entry ? 'applied' : 'pending',
          appliedAt: entry?.appliedAt ?? null,
          durationMs: entry?.durationMs ?? null,
          appliedBy: entry?.appliedBy ?? null,
          baselined: entry?.baselined ?? false,
          lastFailure: entry ? null : (failures.get(file.name) ?? null),
        };
      });
    const applied = migrations.filter((m) => m.state === 'applied').length;
    phases.push({
      phase,
      folder: files.find((file) => file.phase === phase)?.folder ?? null,
      applied,
      pending: migrations.length - applied,
      migrations,
    });
  }
  const applied = phases.reduce((sum, p) => sum + p.applied, 0);
  return {
    ledger: { present: version > 0, version },
    currentPhase: plan.currentPhase,
    applied,
    pending: files.length - applied,
    phases,
    seedSets: await readSeedSets(client),
  };
}
