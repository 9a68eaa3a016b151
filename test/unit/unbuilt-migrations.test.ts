import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { unbuiltMigrations } from '../../src/migrate/migration-files.js';
import { changedSinceBuild, contentHash, MANIFEST_FILE } from '../../src/migrate/migration-manifest.js';

let root: string;
const source = () => join(root, 'migrations');
const built = () => join(root, 'dist', 'migrations');
function file(path: string, secondsAgo: number): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, 'export async function up() {}\n');
  const when = Date.now() / 1000 - secondsAgo;
  utimesSync(path, when, when);
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'rasdb-unbuilt-'));
  file(join(source(), 'phase-1-core', '1001-first.ts'), 100);
  file(join(built(), 'phase-1-core', '1001-first.js'), 50);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('unbuiltMigrations', () => {
  it('is empty when every source migration has its compiled file', () => {
    expect(unbuiltMigrations(source(), built())).toEqual([]);
  });

  it('names a migration `rasdb new` wrote that the build has not compiled', () => {
    file(join(source(), 'phase-4-workflow', '4005-add-widget.ts'), 10);
    expect(unbuiltMigrations(source(), built())).toEqual([join('phase-4-workflow', '4005-add-widget.ts')]);
  });

  it('ignores declaration files, other files, and a package without its sources', () => {
    file(join(source(), 'phase-1-core', '1001-first.d.ts'), 1);
    file(join(source(), 'phase-1-core', 'README.md'), 1);
    expect(unbuiltMigrations(source(), built())).toEqual([]);
    expect(unbuiltMigrations(join(root, 'nowhere'), built())).toEqual([]);
  });
});

describe('changedSinceBuild', () => {
  const manifest = (entry: Record<string, unknown>) =>
    writeFileSync(
      join(built(), MANIFEST_FILE),
      JSON.stringify({
        format: 'rasdb-compiled-migrations/2',
        migrations: {
          'phase-1-core/1001-first.js': { sha256: 'x', statements: [], transactional: true, runnable: true, ...entry },
        },
      }),
    );

  it('names a source whose content is not what the build compiled, and nothing else', () => {
    manifest({ source: contentHash('export async function up() {}\n') });
    expect(changedSinceBuild(source(), built())).toEqual([]);
    writeFileSync(join(source(), 'phase-1-core', '1001-first.ts'), 'export async function up() { /* edited */ }\n');
    expect(changedSinceBuild(source(), built())).toEqual([join('phase-1-core', '1001-first.ts')]);
  });

  it('compares nothing the build recorded no source for (a manifest of an older build, a package without sources)', () => {
    manifest({});
    writeFileSync(join(source(), 'phase-1-core', '1001-first.ts'), 'export async function up() { /* edited */ }\n');
    expect(changedSinceBuild(source(), built())).toEqual([]);
    manifest({ source: 'y' });
    expect(changedSinceBuild(join(root, 'nowhere'), built())).toEqual([]);
  });
});
