import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Kysely } from 'kysely';
import { ExitCode, RasdbError } from '../errors.js';
import { precompiledFor, readManifest, type PrecompiledUp } from './migration-manifest.js';
import { packageRoot } from '../version.js';

/** What a migration file exports: Kysely's `Migration` shape, plus an opt-out of the transaction. */
export interface MigrationModule {
  up: (db: Kysely<any>) => Promise<void>;
  down?: (db: Kysely<any>) => Promise<void>;
  /** `false` for statements PostgreSQL refuses inside a transaction (CREATE INDEX CONCURRENTLY). */
  transactional?: boolean;
}

/** A migration file found on disk, not yet loaded. */
export interface MigrationFile {
  /** The file name without extension, e.g. `1001-integration-configuration`; the ledger's key. */
  readonly name: string;
  readonly phase: number;
  /** The phase folder, e.g. `phase-1-core-integration`. */
  readonly folder: string;
  readonly path: string;
  /** What the build compiled this very file to, when it did (see migration-manifest.ts). */
  readonly precompiled?: PrecompiledUp;
  load(): Promise<MigrationModule>;
}

export const MAX_PHASE = 4;

/**
 * The project's migrations: `migrations/` under a TypeScript runner (vitest, tsx), else the
 * compiled `dist/migrations` (the built CLI runs from a bundle in dist/bundle).
 */
export function defaultMigrationsDir(): string {
  const runningSource = fileURLToPath(import.meta.url).endsWith('.ts');
  return join(packageRoot(), ...(runningSource ? ['migrations'] : ['dist', 'migrations']));
}

const PHASE_FOLDER = /^phase-(\d+)-[a-z0-9-]+$/;
const MIGRATION_FILE = /^(\d{4}-[a-z0-9-]+)\.(?:js|mjs|ts)$/;

/**
 * Lists the migrations in `dir`, ordered by phase and then by name, each with the build's SQL for
 * it when the folder's manifest has an entry for the file as it is.
 *
 * @example
 * listMigrations(defaultMigrationsDir()).map((m) => m.name) // ['0001-users-and-audit-logs', ...]
 */
export function listMigrations(dir: string): MigrationFile[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new RasdbError(ExitCode.usage, `the migrations folder ${dir} does not exist`);
  }
  const found: MigrationFile[] = [];
  const seen = new Map<string, string>();
  const manifest = readManifest(dir);
  for (const folder of readdirSync(dir).sort()) {
    const phaseMatch = PHASE_FOLDER.exec(folder);
    if (!phaseMatch || !statSync(join(dir, folder)).isDirectory()) continue;
    const phase = Number(phaseMatch[1]);
    for (const file of readdirSync(join(dir, folder)).sort()) {
      const fileMatch = MIGRATION_FILE.exec(file);
      if (!fileMatch || file.endsWith('.d.ts')) continue;
      const name = fileMatch[1];
      const path = join(dir, folder, file);
      if (seen.has(name)) {
        throw new RasdbError(ExitCode.check, `two migrations are named ${name}: ${seen.get(name)} and ${path}; rename one`);
      }
      seen.set(name, path);
      const precompiled = precompiledFor(manifest, `${folder}/${file}`, path);
      found.push({ name, phase, folder, path, precompiled, load: () => loadModule(path) });
    }
  }
  return found.sort((a, b) => a.phase - b.phase || byCodeUnit(a.name, b.name));
}

/**
 * Names are ASCII (MIGRATION_FILE), where this is the order localeCompare gives too, without
 * starting ICU's collator: its first use costs a command more than the whole listing.
 */
function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function loadModule(path: string): Promise<MigrationModule> {
  const module = (await import(pathToFileURL(path).href)) as Partial<MigrationModule>;
  if (typeof module.up !== 'function') {
    throw new RasdbError(ExitCode.failed, `${path} exports no up(db) function`);
  }
  return module as MigrationModule;
}
