import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Kysely } from 'kysely';
import { ExitCode, RasdbError } from '../errors.js';
import {
  changedSinceBuild,
  MANIFEST_FILE,
  precompiledFor,
  readManifest,
  type PrecompiledUp,
} from './migration-manifest.js';
import { packageRoot } from '../version.js';
import { provideKysely } from './kysely-for-migrations.js';

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
  const root = packageRoot();
  if (fileURLToPath(import.meta.url).endsWith('.ts')) return join(root, 'migrations');
  const built = join(root, 'dist', 'migrations');
  const unbuilt = unbuiltMigrations(join(root, 'migrations'), built);
  if (unbuilt.length) {
    throw new RasdbError(
      ExitCode.check,
      `${unbuilt.length === 1 ? 'a migration is' : `${unbuilt.length} migrations are`} not built (${unbuilt.map((f) => join('migrations', f)).join(', ')}); rasdb runs the compiled ones in dist/migrations: run npm run build first`,
      { unbuilt },
    );
  }
  const changed = changedSinceBuild(join(root, 'migrations'), built);
  if (changed.length) {
    throw new RasdbError(
      ExitCode.check,
      `${changed.length === 1 ? 'a migration has' : `${changed.length} migrations have`} changed since the build (${changed.map((f) => join('migrations', f)).join(', ')}); rasdb runs the compiled ones in dist/migrations: run npm run build first`,
      { changed },
    );
  }
  return built;
}

/**
 * The source migrations (`<phase folder>/<file>`) the build in `builtDir` lacks: what `rasdb new`
 * wrote that the compiled CLI would never run. Empty for a package installed without its sources.
 *
 * @example
 * unbuiltMigrations('migrations', 'dist/migrations') // ['phase-4-workflow-security/4005-add-widget.ts']
 */
export function unbuiltMigrations(sourceDir: string, builtDir: string): string[] {
  if (!existsSync(sourceDir)) return [];
  const stale: string[] = [];
  for (const folder of readdirSync(sourceDir)
    .filter((f) => PHASE_FOLDER.test(f))
    .sort()) {
    for (const file of readdirSync(join(sourceDir, folder)).sort()) {
      const match = MIGRATION_FILE.exec(file);
      if (!match || file.endsWith('.d.ts')) continue;
      // By presence, not by time: a package's files all carry the tarball's one date.
      if (!existsSync(join(builtDir, folder, `${match[1]}.js`))) stale.push(join(folder, file));
    }
  }
  return stale;
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
  // The built-in migrations import rasdb's kysely by path (the build rewrites them); others by name.
  const ownFolder = dir === defaultMigrationsDir();
  // What does not fit the naming scheme is refused, never skipped: a skipped file is a migration
  // that silently never runs.
  const strays: string[] = [];
  for (const folder of readdirSync(dir).sort()) {
    if (folder.startsWith('.') || folder === MANIFEST_FILE) continue;
    const phaseMatch = PHASE_FOLDER.exec(folder);
    if (!phaseMatch || !statSync(join(dir, folder)).isDirectory()) {
      strays.push(`${folder} (not a phase folder such as phase-1-core-integration)`);
      continue;
    }
    const phase = Number(phaseMatch[1]);
    if (phase > MAX_PHASE) {
      strays.push(`${folder} (the plan has phases 0 to ${MAX_PHASE})`);
      continue;
    }
    for (const file of readdirSync(join(dir, folder)).sort()) {
      if (file.startsWith('.') || file.endsWith('.d.ts') || file.endsWith('.map')) continue;
      const fileMatch = MIGRATION_FILE.exec(file);
      if (!fileMatch || !isRegularFile(join(dir, folder, file))) {
        strays.push(`${folder}/${file} (not a migration file such as 1001-name.js)`);
        continue;
      }
      const name = fileMatch[1];
      const path = join(dir, folder, file);
      if (seen.has(name)) {
        throw new RasdbError(
          ExitCode.check,
          `two migrations are named ${name}: ${seen.get(name)} and ${path}; rename one`,
        );
      }
      seen.set(name, path);
      const precompiled = precompiledFor(manifest, `${folder}/${file}`, path);
      const load = () => {
        if (!ownFolder) provideKysely();
        return loadModule(path);
      };
      found.push({ name, phase, folder, path, precompiled, load });
    }
  }
  if (strays.length) {
    throw new RasdbError(
      ExitCode.usage,
      `the migrations folder ${dir} holds what is not a migration: ${strays.join(', ')}; move it out or rename it`,
      {
        strays,
      },
    );
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
  let module: Partial<MigrationModule>;
  try {
    module = (await import(pathToFileURL(path).href)) as Partial<MigrationModule>;
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    throw new RasdbError(
      ExitCode.failed,
      `the migration ${path} cannot be loaded: ${reason}`,
      { path },
      { cause: error },
    );
  }
  if (typeof module.up !== 'function') {
    throw new RasdbError(ExitCode.failed, `${path} exports no up(db) function`);
  }
  return module as MigrationModule;
}

/** A regular file, following links; a dangling link or a loop of links is not one. */
function isRegularFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
