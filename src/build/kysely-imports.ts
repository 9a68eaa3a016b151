import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { writeFileAtomic } from '../db/atomic-file.js';

/**
 * Points every compiled migration under `dir` that imports `kysely` at the bundle's one copy
 * (`kyselyEntry`) instead. Each file is replaced whole (written beside it and renamed), as rasdb
 * writes every file: a run reading the migrations meanwhile sees each file before or after this
 * step, never torn (tsc's own emit before it is tsc's).
 *
 * @example
 * pointKyselyImports('dist/migrations', 'dist/bundle/kysely.mjs') // 16 (files rewritten)
 */
export function pointKyselyImports(dir: string, kyselyEntry: string): number {
  let rewritten = 0;
  for (const file of compiledFiles(dir)) {
    const text = readFileSync(file, 'utf8');
    const target = relative(dirname(file), kyselyEntry).replaceAll('\\', '/');
    const pointed = text.replace(/from (['"])kysely\1/g, `from '${target.startsWith('.') ? target : `./${target}`}'`);
    if (pointed === text) continue;
    writeFileAtomic(file, pointed);
    rewritten += 1;
  }
  return rewritten;
}

function* compiledFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* compiledFiles(path);
    else if (path.endsWith('.js')) yield path;
  }
}
