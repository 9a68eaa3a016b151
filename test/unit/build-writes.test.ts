import { linkSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pointKyselyImports } from '../../src/build/kysely-imports.js';
import { MANIFEST_FILE, writeManifest } from '../../src/migrate/migration-manifest.js';

/**
 * The build's rewrites of dist/migrations replace each file whole (beside it, then renamed): a
 * hard link to the old file keeps the old bytes, where a write in place would change them under
 * a reader.
 */
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rasdb-build-'));
  mkdirSync(join(dir, 'phase-1'));
  writeFileSync(join(dir, 'phase-1', '1001-a.js'), "import { sql } from 'kysely';\nexport const up = 1;\n");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the build writes beside and renames', () => {
  it('points kysely imports at the bundle without touching the file a reader has open', () => {
    const file = join(dir, 'phase-1', '1001-a.js');
    const before = readFileSync(file, 'utf8');
    linkSync(file, join(dir, 'reader.link'));
    expect(pointKyselyImports(dir, join(dir, 'bundle', 'kysely.mjs'))).toBe(1);
    expect(readFileSync(file, 'utf8')).toBe("import { sql } from '../bundle/kysely.mjs';\nexport const up = 1;\n");
    expect(readFileSync(join(dir, 'reader.link'), 'utf8')).toBe(before);
    expect(readdirSync(join(dir, 'phase-1'))).toEqual(['1001-a.js']);
  });

  it('writes the manifest the same way', () => {
    const compiled = new Map([
      ['phase-1/1001-a.js', { statements: ['SELECT 1'], transactional: true, runnable: true }],
    ]);
    writeManifest(dir, compiled);
    const before = readFileSync(join(dir, MANIFEST_FILE), 'utf8');
    linkSync(join(dir, MANIFEST_FILE), join(dir, 'reader.json'));
    writeManifest(
      dir,
      new Map([['phase-1/1001-a.js', { statements: ['SELECT 2'], transactional: true, runnable: true }]]),
    );
    expect(readFileSync(join(dir, MANIFEST_FILE), 'utf8')).toContain('SELECT 2');
    expect(readFileSync(join(dir, 'reader.json'), 'utf8')).toBe(before);
  });
});
