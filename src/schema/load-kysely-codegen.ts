import { createRequire } from 'node:module';
import * as kysely from 'kysely';
import type * as Codegen from 'kysely-codegen';
import type * as NodeModule from 'node:module';

/** The parts of kysely-codegen's library API rasdb uses. */
export type KyselyCodegen = Pick<typeof Codegen, 'generate' | 'PostgresDialect' | 'DiffChecker'>;

// kysely-codegen 0.20.0 (pinned) has no `exports` map; these are the files its index re-exports.
const PARTS = [
  'generator/generator/generate.js',
  'generator/dialects/postgres/postgres-dialect.js',
  'generator/generator/diff-checker.js',
];

/**
 * Loads kysely-codegen's generator (CommonJS, and heavy: it brings the TypeScript compiler) when
 * first needed, in the cheapest way that is still its public behaviour:
 *
 * - only the three modules rasdb calls, not its index, which also loads its CLI, config loader
 *   (zod, cosmiconfig, dotenv) and the other dialects; if a later version moves them, the index;
 * - with rasdb's own copy of kysely: kysely-codegen `require`s kysely, which would load kysely's
 *   CommonJS build beside the ES module build rasdb already runs on (the same code twice, about a
 *   quarter of a run). When both names resolve to the same installed package, the CommonJS entry is
 *   pre-filled in `require.cache` with the ES module build, so the `Kysely` rasdb hands over is of
 *   the very classes kysely-codegen expects. If kysely-codegen has a kysely of its own, nothing is
 *   touched and it loads that one.
 *
 * `require`, not `import()`: an `import()` of CommonJS also runs Node's lexer over every file.
 *
 * @example
 * const { generate, PostgresDialect } = loadKyselyCodegen();
 */
export function loadKyselyCodegen(): KyselyCodegen {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('kysely-codegen');
  shareKysely(require, createRequire(entry).resolve('kysely'));
  try {
    const dist = entry.slice(0, entry.lastIndexOf('/dist/') + '/dist/'.length);
    return Object.assign({}, ...PARTS.map((part) => require(dist + part))) as KyselyCodegen;
  } catch (error) {
    if ((error as { code?: string }).code !== 'MODULE_NOT_FOUND') throw error;
    return require(entry);
  }
}

function shareKysely(require: NodeJS.Require, theirs: string): void {
  if (theirs !== require.resolve('kysely') || require.cache[theirs]) return;
  const { Module } = require('node:module') as typeof NodeModule;
  require.cache[theirs] = Object.assign(new Module(theirs), { filename: theirs, loaded: true, exports: kysely });
}
