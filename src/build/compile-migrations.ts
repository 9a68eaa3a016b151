import { relative } from 'node:path';
import { recordMigration } from '../migrate/compile.js';
import { runsAsRecorded } from '../migrate/runs-as-recorded.js';
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
    const { statements, parameterized } = await recordMigration(module, 'up');
    const transactional = module.transactional !== false;
    compiled.set(relative(dir, file.path).replaceAll('\\', '/'), {
      statements,
      transactional,
      runnable: runsAsRecorded({ statements, parameterized, transactional }),
    });
  }
  return compiled;
}
