import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

/**
 * The house's layers, lowest first. A folder may import from a lower layer and from itself, never
 * from its own layer or above: so no import runs upward and no two folders import each other.
 * schema sits above migrate because verify replays migrations through migrate's executor; plan
 * above schema because it observes migrations on schema's scratch database.
 * partition sits above migrate (its lock waits name blockers as migrate's do) and below retention
 * (prune drops whole partitions), capacity (which reads retention) and schema (verify replays partitioning).
 */
const LAYER: Record<string, number> = {
  'errors.ts': 0,
  'version.ts': 0,
  db: 1,
  catalog: 2,
  ledger: 2,
  migrate: 3,
  seed: 3,
  partition: 4,
  retention: 5,
  capacity: 6,
  schema: 6,
  plan: 7,
  cli: 8,
};

function* sourceFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sourceFiles(path);
    else if (path.endsWith('.ts')) yield path;
  }
}

/** `migrate` for src/migrate/plan.ts, `errors.ts` for src/errors.ts; undefined outside src. */
function unitOf(path: string): string | undefined {
  const inside = relative(SRC, path);
  if (inside.startsWith('..')) return undefined;
  return inside.split(/[\\/]/)[0];
}

/** The file's code without its comments, whose examples may show what the code must not do. */
function codeOf(file: string): string {
  return readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
}

function importsOf(file: string): string[] {
  const text = codeOf(file);
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)].map((m) => m[1]);
  return specifiers.map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')));
}

describe('the layers of src/', () => {
  const files = [...sourceFiles(SRC)].filter((file) => unitOf(file) !== 'build');

  it('every folder has a layer', () => {
    const units = new Set(files.map((file) => unitOf(file) as string));
    expect([...units].filter((unit) => LAYER[unit] === undefined)).toEqual([]);
  });

  it('no import runs upward, and no two folders import each other', () => {
    const violations: string[] = [];
    for (const file of files) {
      const from = unitOf(file) as string;
      for (const target of importsOf(file)) {
        const to = unitOf(target);
        if (to === undefined || to === from || to === 'build') continue;
        if (!(LAYER[to] < LAYER[from])) violations.push(`${relative(SRC, file)} imports ${relative(SRC, target)}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('only src/ledger writes to rasdb.* tables', () => {
    const writers = files.filter(
      (file) => unitOf(file) !== 'ledger' && /(INSERT INTO|UPDATE|DELETE FROM)\s+rasdb\./.test(codeOf(file)),
    );
    expect(writers.map((file) => relative(SRC, file))).toEqual([]);
  });

  it('a transaction is opened only by src/db/transaction.ts', () => {
    const openers = files.filter((file) => {
      if (relative(SRC, file) === join('db', 'transaction.ts')) return false;
      // The executor opens its own: a migration and its ledger row, or a savepoint inside one.
      if (relative(SRC, file) === join('migrate', 'executor.ts')) return false;
      return /query\(\s*['`"]BEGIN/.test(codeOf(file));
    });
    expect(openers.map((file) => relative(SRC, file))).toEqual([]);
  });
});
