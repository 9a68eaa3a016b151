import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../db/atomic-file.js';
import { option, usageError } from '../errors.js';

/** Where `rasdb new` put the migration it made. */
export interface NewMigration {
  readonly name: string;
  readonly phase: number;
  readonly path: string;
}

const WORDS = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const MAX_NAME = 100;
const NUMBERED = /^(\d{4})-[a-z0-9-]+\.(js|mjs|ts)$/;

/**
 * Writes the next migration of a phase from a template: `<dir>/phase-N-*\/NNNN-<name>.ts`, numbered
 * one past the phase's highest (the first of phase N is N001; phase 0 starts at 0001), with the
 * extension the phase's migrations already use (or else the other phases', or see `compiled`).
 * The phase folder must exist: a new phase is a change to the plan, made by hand. Nothing is
 * overwritten.
 *
 * @example
 * newMigration({ dir: 'migrations', phase: 2, name: 'asset-tags' }) // { name: '2004-asset-tags', path: 'migrations/phase-2-.../2004-asset-tags.ts', ... }
 */
export function newMigration(input: {
  dir: string;
  phase: number;
  name: string;
  /**
   * The folder is the project's own, compiled by the build: a first migration there is
   * TypeScript. A folder of one's own (`--migrations-dir`) is loaded by Node as it is, so its
   * first is an ES module (`.mjs`, whatever package.json says of `.js`).
   */
  compiled?: boolean;
}): NewMigration {
  // The file's name must fit the file system's 255 bytes, with the number and extension.
  if (input.name.length > MAX_NAME) {
    throw usageError(`a migration name is at most ${MAX_NAME} characters; got ${input.name.length}`);
  }
  if (!WORDS.test(input.name)) {
    throw usageError(
      `a migration name is lower-case words joined by hyphens, such as add-asset-tags; got "${input.name}"`,
    );
  }
  if (!existsSync(input.dir) || !statSync(input.dir).isDirectory()) {
    throw usageError(`the migrations folder ${input.dir} does not exist`);
  }
  const folders = readdirSync(input.dir).filter((f) => f.startsWith(`phase-${input.phase}-`));
  if (folders.length !== 1) {
    throw usageError(
      `${input.dir} has ${folders.length === 0 ? 'no' : 'more than one'} folder for phase ${input.phase} (phase-${input.phase}-<words>); a phase is part of the plan: make its folder first, or give ${option('phase')} of an existing one`,
    );
  }
  const folder = join(input.dir, folders[0]);
  const files = readdirSync(folder).filter((f) => NUMBERED.test(f) && !f.endsWith('.d.ts'));
  const numbers = files.map((f) => Number(NUMBERED.exec(f)![1]));
  const next = numbers.length ? Math.max(...numbers) + 1 : Math.max(input.phase * 1000, 0) + 1;
  if (Math.floor(next / 1000) !== input.phase && !(input.phase === 0 && next < 1000)) {
    throw usageError(`phase ${input.phase} has no free migration number left in ${folder}`);
  }
  const extension =
    languageOf(files) ?? languageOf(otherMigrations(input.dir, folders[0])) ?? (input.compiled ? 'ts' : 'mjs');
  const name = `${String(next).padStart(4, '0')}-${input.name}`;
  const path = join(folder, `${name}.${extension}`);
  if (existsSync(path)) throw usageError(`${path} exists already`);
  writeFileAtomic(path, template(name, input.phase, extension === 'ts'));
  return { name, phase: input.phase, path };
}

/** The extension of the last of `files` (numbered migrations, sorted), or undefined when there is none. */
function languageOf(files: readonly string[]): string | undefined {
  return files.length ? NUMBERED.exec(files[files.length - 1])![2] : undefined;
}

/** The numbered migrations of every other phase folder of `dir`, sorted. */
function otherMigrations(dir: string, except: string): string[] {
  return readdirSync(dir)
    .filter((f) => /^phase-\d+-/.test(f) && f !== except && statSync(join(dir, f)).isDirectory())
    .sort()
    .flatMap((f) =>
      readdirSync(join(dir, f))
        .filter((m) => NUMBERED.test(m) && !m.endsWith('.d.ts'))
        .sort(),
    );
}

function template(name: string, phase: number, typed: boolean): string {
  const db = typed ? 'db: Kysely<any>' : 'db';
  const returns = typed ? ': Promise<void>' : '';
  return `${typed ? "import type { Kysely } from 'kysely';\n\n" : ''}/**
 * ${name} (phase ${phase}): say here what this migration changes and why.
 *
 * Write it with Kysely's schema builder; the dry run (rasdb migrate --dry-run) shows the SQL it
 * compiles to. Each migration runs in its own transaction; for CREATE INDEX CONCURRENTLY add
 * \`export const transactional = false;\` and keep that migration to the one statement.
 */
export async function up(${db})${returns} {
  // await db.schema.alterTable('assets').addColumn('tag', 'varchar(100)').execute();
  // Until it is written, this migration refuses to run (an empty one would be recorded as applied).
  throw new Error('${name} is not written yet: edit ${name}.${typed ? 'ts' : 'js'}');
}

/** Undoes up(), for rasdb rollback. */
export async function down(${db})${returns} {
  // await db.schema.alterTable('assets').dropColumn('tag').execute();
  throw new Error('${name}: down() is not written yet');
}
`;
}
