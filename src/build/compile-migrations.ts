import { relative } from 'node:path';
import { compileMigration } from '../migrate/compile.js';
import { listMigrations } from '../migrate/migration-files.js';
import type { PrecompiledUp } from '../migrate/migration-manifest.js';

/**
 * Compiles every migration of `dir` exactly as a run would (each `up` against a Kysely that talks
 * to no database), for the manifest the build ships beside them. Keys are paths relative to `dir`.
 *
 * @example
 * const compiled = await compileFolder('dist/migrations'); // Map { 'phase-0-existing/0001-....js' => { statements, transactional } }
 */
export async function compileFolder(dir: string): Promise<Map<string, PrecompiledUp>> {
  const compiled = new Map<string, PrecompiledUp>();
  for (const file of listMigrations(dir)) {
    const module = await file.load();
    const statements = await compileMigration(module, 'up');
    compiled.set(relative(dir, file.path).replaceAll('\\', '/'), {
      statements,
      transactional: module.transactional !== false,
    });
  }
  return compiled;
}
