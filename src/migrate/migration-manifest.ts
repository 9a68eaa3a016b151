import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../db/atomic-file.js';
import { join } from 'node:path';

/**
 * The SQL a migrations folder compiles to, worked out when the project is built (the build writes
 * it beside the compiled migrations in dist/migrations). Migrations are frozen, so compiling them
 * at every start only repeats the build's work. Each entry carries a hash of its file's content
 * and counts only for exactly that content: an edited file, a file the build never saw and a
 * folder of one's own (`--migrations-dir`) are compiled at run time, as without a manifest.
 */
export const MANIFEST_FILE = 'rasdb-compiled.json';

/** Bumped whenever the layout changes; a manifest of any other format is ignored. */
const FORMAT = 'rasdb-compiled-migrations/2';

/** What a migration's `up` compiles to, as the dry run, the checksum and apply use it. */
export interface PrecompiledUp {
  readonly statements: readonly string[];
  /** False when the file exports `transactional = false`. */
  readonly transactional: boolean;
  /** The statements are exactly what `up` sends, and may be run as they are (see runsAsRecorded). */
  readonly runnable: boolean;
}

interface ManifestEntry extends PrecompiledUp {
  readonly sha256: string;
  /** SHA-256 of the TypeScript source the build compiled the file from, when it had one. */
  readonly source?: string;
}

/** A manifest as read: entries by path relative to the folder, e.g. `phase-1-x/1001-y.js`. */
export type Manifest = ReadonlyMap<string, ManifestEntry>;

/** The hash an entry is keyed by: SHA-256 of the file's bytes. */
export function contentHash(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The manifest of `dir`, or an empty one when there is none or it is not one this rasdb wrote:
 * a missing or unreadable manifest only means compiling at run time.
 *
 * @example
 * const manifest = readManifest(defaultMigrationsDir());
 * precompiledFor(manifest, 'phase-0-existing/0001-users-and-audit-logs.js', path)?.statements
 */
export function readManifest(dir: string): Manifest {
  const path = join(dir, MANIFEST_FILE);
  if (!existsSync(path)) return new Map();
  try {
    const parsed: { format?: unknown; migrations?: Record<string, ManifestEntry> } = JSON.parse(
      readFileSync(path, 'utf8'),
    );
    if (parsed.format !== FORMAT || typeof parsed.migrations !== 'object' || parsed.migrations === null)
      return new Map();
    return new Map(Object.entries(parsed.migrations).filter(([, entry]) => isEntry(entry)));
  } catch {
    return new Map();
  }
}

/**
 * The build's SQL for the file at `path` (named `relativePath` in the manifest), when the file's
 * content is still what the build compiled; otherwise undefined.
 *
 * @example
 * precompiledFor(manifest, 'phase-4-workflow-security/4001-workflow-automation.js', absolutePath)
 */
export function precompiledFor(manifest: Manifest, relativePath: string, path: string): PrecompiledUp | undefined {
  const entry = manifest.get(relativePath);
  if (!entry || entry.sha256 !== contentHash(readFileSync(path))) return undefined;
  return { statements: entry.statements, transactional: entry.transactional, runnable: entry.runnable };
}

/**
 * Writes the manifest of `dir` for the files as they are on disk now (the build calls it last,
 * after every rewrite of the compiled files).
 *
 * @example
 * writeManifest(dir, new Map([['phase-0-existing/0001-users-and-audit-logs.js', { statements, transactional: true }]]));
 */
export function writeManifest(dir: string, compiled: ReadonlyMap<string, PrecompiledUp>, sourceDir?: string): void {
  const migrations: Record<string, ManifestEntry> = {};
  for (const [relativePath, up] of [...compiled].sort(([a], [b]) => a.localeCompare(b))) {
    const source = sourceDir === undefined ? undefined : sourceOf(sourceDir, relativePath);
    migrations[relativePath] = {
      sha256: contentHash(readFileSync(join(dir, relativePath))),
      ...(source !== undefined && existsSync(source) ? { source: contentHash(readFileSync(source)) } : {}),
      ...up,
    };
  }
  // Replaced whole: a run reading it meanwhile sees the old manifest or the new, never a torn one.
  writeFileAtomic(join(dir, MANIFEST_FILE), `${JSON.stringify({ format: FORMAT, migrations }, null, 1)}\n`);
}

/** The TypeScript source in `sourceDir` a compiled migration (`phase-1-x/1001-y.js`) came from. */
function sourceOf(sourceDir: string, relativePath: string): string {
  return join(sourceDir, relativePath.replace(/\.js$/, '.ts'));
}

/**
 * The sources in `sourceDir` (`<phase folder>/<file>.ts`) that differ from what the build in
 * `builtDir` compiled: a migration edited after `npm run build`, which the compiled CLI would run
 * as it was. Only files the build recorded a source hash for are compared.
 *
 * @example
 * changedSinceBuild('migrations', 'dist/migrations') // ['phase-4-workflow-security/4001-workflow-automation.ts']
 */
export function changedSinceBuild(sourceDir: string, builtDir: string): string[] {
  const changed: string[] = [];
  for (const [relativePath, entry] of readManifest(builtDir)) {
    if (entry.source === undefined) continue;
    const source = sourceOf(sourceDir, relativePath);
    if (!existsSync(source) || contentHash(readFileSync(source)) === entry.source) continue;
    changed.push(relativePath.replace(/\.js$/, '.ts'));
  }
  return changed.sort();
}

function isEntry(entry: ManifestEntry): boolean {
  return (
    typeof entry?.sha256 === 'string' &&
    (entry.source === undefined || typeof entry.source === 'string') &&
    typeof entry.transactional === 'boolean' &&
    typeof entry.runnable === 'boolean' &&
    Array.isArray(entry.statements) &&
    entry.statements.every((statement) => typeof statement === 'string')
  );
}
